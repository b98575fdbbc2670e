/* eslint-disable no-control-regex -- these tests look for terminal control characters in the output. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../../src/cli/run';

async function runIn(folder: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: folder });
  return { code, stdout, stderr };
}

/** Characters that act on a terminal or break a line. A line feed is allowed only between lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** Ids with control characters, each paired with the text the report must show for it. */
const HOSTILE = { name: 'plan\nname', fetch: 'fetch\nFAKE', tool: 'web\r\u0007', lost: 'lost\u001b[2J', lockA: 'lock\nA', lockB: 'lock\u2028B', cycleA: 'c\nyc', cycleB: 'd\u0085' };
const SHOWN: typeof HOSTILE = { name: 'plan\\nname', fetch: 'fetch\\nFAKE', tool: 'web\\r\\u0007', lost: 'lost\\u001b[2J', lockA: 'lock\\nA', lockB: 'lock\\u2028B', cycleA: 'c\\nyc', cycleB: 'd\\u0085' };

/**
 * Builds a plan whose run prints every kind of line that names an id: a cycle problem, call
 * rows, a watchdog kill, a lock deadlock with its stranded calls, and the critical path. The
 * JSON is indented, so each step starts at the same line and column whatever the ids.
 */
function riskyPlan(ids: typeof HOSTILE): string {
  const steps = [
    { id: ids.fetch, tool: ids.tool, duration_ms: 400 },
    { id: 'summarise', tool: 'llm', duration_ms: 20, depends_on: [ids.fetch] },
    { id: ids.lost, tool: ids.tool, behavior: 'lost', timeout_ms: 100 },
    { id: 'k1', tool: 'db', locks: [ids.lockA, ids.lockB], duration_ms: 50 },
    { id: 'k2', tool: 'db', locks: [ids.lockB, ids.lockA], duration_ms: 50 },
    { id: ids.cycleA, tool: 't', depends_on: [ids.cycleB] },
    { id: ids.cycleB, tool: 't', depends_on: [ids.cycleA] },
  ];
  return JSON.stringify({ name: ids.name, steps }, null, 2);
}

async function runPlanText(plan: string, args: string[], context: { after: (fn: () => void) => void }): Promise<{ code: number; stdout: string; stderr: string }> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-run-'));
  context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
  fs.writeFileSync(path.join(folder, 'risky.plan.json'), plan);
  return runIn(folder, ['risky.plan.json', ...args]);
}

describe('run text output of ids with line breaks', () => {
  const args = ['--run-acyclic', '--watchdog-grace', '10', '--watchdog-interval', '20'];

  it('prints like ids written escaped', async (context) => {
    const hostile = await runPlanText(riskyPlan(HOSTILE), args, context);
    const twin = await runPlanText(riskyPlan(SHOWN), args, context);
    assert.equal(hostile.stderr, '');
    assert.equal(hostile.code, twin.code);
    assert.equal(hostile.stdout, twin.stdout);
  });

  it('keeps every id on its line', async (context) => {
    const { stdout } = await runPlanText(riskyPlan(HOSTILE), args, context);
    assert.doesNotMatch(stdout, RAW_CONTROL);
    assert.match(stdout, /^Run of plan "plan\\nname" /);
    assert.match(stdout, /^Problem: .*"c\\nyc".*"d\\u0085"/m);
    assert.match(stdout, /^fetch\\nFAKE +web\\r\\u0007 +ok /m);
    assert.match(stdout, /^Watchdog killed "lost\\u001b\[2J" \(tool "web\\r\\u0007"\)/m);
    assert.match(stdout, /^ {2}Wait-for cycle: k\d -> k\d -> k\d \(locks lock\\(nA|u2028B), lock\\(nA|u2028B)\)$/m);
    assert.match(stdout, /^ {2}"k1": it waits for lock "lock\\(nA|u2028B)"/m);
    assert.match(stdout, /^Critical path \(420 ms\): fetch\\nFAKE -> summarise$/m);
    assert.doesNotMatch(stdout, /^(FAKE|name|A|B|yc)\b/m);
  });

  it('aligns columns by the escaped ids', async (context) => {
    const { stdout } = await runPlanText(riskyPlan(HOSTILE), args, context);
    const lines = stdout.split('\n');
    const header = lines.findIndex((line) => line.startsWith('CALL '));
    const rows = lines.slice(header + 1, lines.indexOf('', header));
    assert.equal(rows.length, 7, stdout);
    const toolColumn = lines[header].indexOf('TOOL');
    const outcomeColumn = lines[header].indexOf('OUTCOME');
    for (const row of rows) {
      assert.match(row.slice(toolColumn), /^(web\\r\\u0007|llm|db|t) /, `TOOL column of: ${row}`);
      assert.match(row.slice(outcomeColumn), /^(ok|killed|stranded) /, `OUTCOME column of: ${row}`);
    }
  });

  it('escapes ids in read errors', async (context) => {
    const plan = JSON.stringify({ steps: [{ id: 'bad\nFAKE: error: no', tool: 't', timeout_ms: 'soon' }] });
    const result = await runPlanText(plan, [], context);
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stderr, RAW_CONTROL);
    assert.equal(result.stderr.split('\n').length, 2, result.stderr);
    assert.match(result.stderr, /^risky\.plan\.json:1:\d+: error: .*`bad\\nFAKE: error: no`/);
  });

  it('escapes command output lines', async (context) => {
    const plan = JSON.stringify({ steps: [{ id: 'out\nput', tool: 'sh', command: "printf 'x\\033[2Jy\\rz\\nnext\\n'" }] });
    const result = await runPlanText(plan, ['--allow-commands', '--clock', 'real'], context);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.doesNotMatch(result.stdout, RAW_CONTROL);
    assert.match(result.stdout, /^Output of "out\\nput":\n {2}x\\u001b\[2Jy\\rz\n {2}next\n/m);
  });
});

describe('run text output', () => {
  it('escapes control characters in ids', async (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-run-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    const plan = [
      { id: 'a\u001b[2Jx', tool: 't', duration_ms: 10 },
      { id: 'b\r\u0007', tool: 't', depends_on: ['a\u001b[2Jx'], duration_ms: 10 },
    ];
    fs.writeFileSync(path.join(folder, 'evil.plan.json'), JSON.stringify(plan));
    const result = await runIn(folder, ['evil.plan.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f]/);
    assert.match(result.stdout, /a\\u001b\[2Jx/);
    assert.match(result.stdout, /b\\r\\u0007/);
  });

  it('names read errors in plain words', async (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-run-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    fs.symlinkSync(path.join(folder, 'b.plan.json'), path.join(folder, 'a.plan.json'));
    fs.symlinkSync(path.join(folder, 'a.plan.json'), path.join(folder, 'b.plan.json'));
    const result = await runIn(folder, ['a.plan.json']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'agent-deadlock run: cannot read a.plan.json: too many levels of symbolic links.\n');
  });
});
