import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../../src/cli/run';
import { decodeRunTrace } from '../../../src/core/run/traceOut';
import { checkTrace } from '../../../src/core/trace/check';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'run');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: fixtures });
  return { code, stdout, stderr };
}

test('run parallel plan exits 0', async () => {
  const { code, stdout } = await run('parallel.plan.json');
  assert.equal(code, 0);
  assert.match(stdout, /4 calls: 4 completed/);
  assert.match(stdout, /Total time 400 ms against 700 ms/);
  assert.match(stdout, /Critical path \(400 ms\): read -> answer/);
});

test('run json output lists outcomes', async () => {
  const { code, stdout } = await run('hang.plan.yaml', '--format', 'json', '--timeout', 'web_fetch=700');
  assert.equal(code, 1);
  const json = JSON.parse(stdout) as { calls: { id: string; outcome: string; startMs: number | null; endMs: number | null; ageMs: number | null; error?: { code: string }; position?: { line: number } }[]; totals: { timedOut: number; stranded: number; completed: number } };
  const fetch = json.calls.find((call) => call.id === 'fetch');
  assert.equal(fetch?.outcome, 'timeout');
  assert.equal(fetch?.error?.code, 'TIMEOUT');
  assert.equal(fetch?.ageMs, 700);
  assert.equal(fetch?.position?.line, 5);
  assert.equal(json.calls.find((call) => call.id === 'summarise')?.outcome, 'stranded');
  assert.equal(json.calls.find((call) => call.id === 'summarise')?.startMs, null);
  assert.deepEqual(json.totals.completed, 1);
  assert.deepEqual(json.totals.timedOut, 1);
  assert.deepEqual(json.totals.stranded, 1);
});

test('run plan default timeout applies', async () => {
  const { stdout } = await run('hang.plan.yaml', '--format', 'json');
  const json = JSON.parse(stdout) as { calls: { id: string; ageMs: number | null }[] };
  assert.equal(json.calls.find((call) => call.id === 'fetch')?.ageMs, 5_000);
});

test('run cyclic plan is rejected with path', async () => {
  const { code, stdout } = await run('cycle.plan.json');
  assert.equal(code, 1);
  assert.match(stdout, /"plan" -> "review" -> "code" -> "plan"/);
  assert.match(stdout, /cycle\.plan\.json:3:5/);
  assert.match(stdout, /rejected/);
});

test('run cyclic plan acyclic part', async () => {
  const { code, stdout } = await run('cycle.plan.json', '--run-acyclic', '--format', 'json');
  assert.equal(code, 1);
  const json = JSON.parse(stdout) as { calls: { id: string; outcome: string }[] };
  assert.equal(json.calls.find((call) => call.id === 'lint')?.outcome, 'ok');
  assert.equal(json.calls.find((call) => call.id === 'plan')?.outcome, 'stranded');
});

test('run lock inversion and ordering', async () => {
  const inverted = await run('locks.plan.json');
  assert.equal(inverted.code, 1);
  assert.match(inverted.stdout, /Wait-for cycle: writer -> reader -> writer \(locks cache, db\)/);
  const ordered = await run('locks.plan.json', '--lock-order');
  assert.equal(ordered.code, 0);
});

test('run bad input exits 2 with position', async () => {
  const { code, stderr } = await run('broken.plan.json');
  assert.equal(code, 2);
  assert.match(stderr, /^broken\.plan\.json:4:\d+: error: /);
});

test('run bad options exit 2', async () => {
  for (const args of [['parallel.plan.json', '--clock', 'sundial'], ['parallel.plan.json', '--timeout', 'web_fetch'], ['parallel.plan.json', '--speed', '-1'], ['parallel.plan.json', '--bogus'], []]) {
    const { code, stderr } = await run(...args);
    assert.equal(code, 2, args.join(' '));
    assert.match(stderr, /agent-deadlock run: /);
  }
});

test('run missing file exits 2', async () => {
  const { code, stderr } = await run('nope.plan.json');
  assert.equal(code, 2);
  assert.match(stderr, /cannot read nope\.plan\.json/);
});

test('run recording and trace round trip', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-cli-'));
  const out = path.join(folder, 'first.jsonl');
  const first = await run('recorded.json', '--timeout', 'web_fetch=700', '--out', out, '--format', 'json');
  assert.equal(first.code, 1);
  const lines = decodeRunTrace(fs.readFileSync(out, 'utf8'));
  assert.equal(lines[0].type, 'trace.start');
  assert.equal(lines[0].format, 'agent-trace');
  assert.ok(lines.every((line) => typeof line.ts === 'string' && typeof line.t === 'number'));
  assert.equal(lines.filter((line) => line.type === 'call.end').length, 3);
  const timedOut = lines.find((line) => line.type === 'call.end' && line.call === 'toolu_02');
  assert.equal(timedOut?.status, 'timeout');

  const replay = await run(out, '--format', 'json', '--timeout', 'web_fetch=700');
  const again = JSON.parse(replay.stdout) as { source: { kind: string }; calls: { id: string; outcome: string; ageMs: number }[] };
  assert.equal(again.source.kind, 'trace');
  assert.deepEqual(
    again.calls.map((call) => [call.id, call.outcome, call.ageMs]),
    [
      ['toolu_01', 'ok', 120],
      ['toolu_02', 'timeout', 700],
      ['toolu_03', 'ok', 50],
    ],
  );
  fs.rmSync(folder, { recursive: true, force: true });
});

test('run transcript replays tool calls', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-transcript-'));
  const file = path.join(folder, 'conversation.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      messages: [
        { role: 'user', content: 'Find the weather.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }, { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'sunny' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_c', name: 'summarise', input: {} }] },
      ],
    }),
  );
  const { code, stdout } = await run(file, '--format', 'json', '--default-timeout', '1000');
  assert.equal(code, 1);
  const json = JSON.parse(stdout) as { calls: { id: string; outcome: string }[] };
  assert.deepEqual(
    json.calls.map((call) => [call.id, call.outcome]),
    [
      ['toolu_a', 'ok'],
      ['toolu_b', 'timeout'],
      ['toolu_c', 'stranded'],
    ],
  );
  fs.rmSync(folder, { recursive: true, force: true });
});

test('run trace of a deadlock checks and replays', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-deadlock-trace-'));
  const out = path.join(folder, 'locks.jsonl');
  const first = await run('locks.plan.json', '--out', out);
  assert.equal(first.code, 1);

  const text = fs.readFileSync(out, 'utf8');
  const checked = checkTrace(text, out);
  assert.equal(checked.format, 'native');
  const deadlock = checked.findings.find((finding) => finding.kind === 'deadlock');
  assert.ok(deadlock, `the trace checker found no deadlock: ${checked.findings.map((finding) => finding.kind).join(', ')}`);
  assert.deepEqual([...deadlock.locks ?? []].sort(), ['cache', 'db']);

  const replay = await run(out, '--format', 'json');
  const json = JSON.parse(replay.stdout) as { endedBy: string; deadlock: { cycles: string[][] } | null };
  assert.equal(json.endedBy, 'deadlock');
  assert.deepEqual(json.deadlock?.cycles, [['writer', 'reader', 'writer']]);
  fs.rmSync(folder, { recursive: true, force: true });
});

test('agent-deadlock main dispatches run', () => {
  const main = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
  const invoke = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'run', ...args], { cwd: fixtures, encoding: 'utf8' });

  const clean = invoke('parallel.plan.json');
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /4 calls: 4 completed/);

  const hung = invoke('hang.plan.yaml', '--timeout', 'web_fetch=700');
  assert.equal(hung.status, 1, hung.stderr);

  const broken = invoke('broken.plan.json');
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /broken\.plan\.json:4:\d+: error:/);
});

test('run lock order list', async () => {
  for (const order of ['--lock-order=cache,db', '--lock-order=db']) {
    const { code, stdout } = await run('locks.plan.json', order, '--format', 'json');
    assert.equal(code, 0, order);
    const json = JSON.parse(stdout) as { calls: { id: string; startMs: number; endMs: number }[] };
    // Both calls take the first lock of the order first, so one waits for the other to finish.
    const [first, second] = [...json.calls].sort((a, b) => a.endMs - b.endMs);
    assert.ok(second.endMs >= first.endMs + 50, `${order}: ${JSON.stringify(json.calls)}`);
  }
});
