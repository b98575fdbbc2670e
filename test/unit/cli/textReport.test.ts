/* eslint-disable no-control-regex -- these tests look for terminal control characters in the output. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatDuration } from '../../../src/core/report/text';
import { EXAMPLES, runCli } from './runCli';

describe('text report control characters', () => {
  const hostile = JSON.stringify([
    { id: 'a\u001b[2J\u001b[32mOK\u0007', tool: 't', depends_on: ['zz\r\u001b[Kclean'] },
    { id: 'zz\r\u001b[Kclean', tool: 't', depends_on: ['a\u001b[2J\u001b[32mOK\u0007'] },
  ]);

  it('escapes control characters in findings', () => {
    const result = runCli(['check', 'evil.plan.json'], { 'evil.plan.json': hostile });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/);
    assert.match(result.stdout, /`a\\u001b\[2J\\u001b\[32mOK\\u0007`/);
    assert.match(result.stdout, /`zz\\r\\u001b\[Kclean`/);
  });

  it('keeps its own colours', () => {
    const result = runCli(['check', 'evil.plan.json'], { 'evil.plan.json': hostile }, { isTty: true });
    assert.match(result.stdout, /\x1b\[31merror\x1b\[0m/);
    assert.doesNotMatch(result.stdout, /\x1b\[2J|\x1b\[K|\x07|\r/);
  });

  it('escapes newlines in stage lists', () => {
    const plan = JSON.stringify([{ id: 'one\ntwo', tool: 't', duration_ms: 5 }, { id: 'b\u2028c', tool: 't', depends_on: ['one\ntwo'], duration_ms: 5 }]);
    const result = runCli(['check', 'lines.plan.json'], { 'lines.plan.json': plan });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /1\. `one\\ntwo`\n/);
    assert.match(result.stdout, /2\. `b\\u2028c`\n/);
    assert.match(result.stdout, /critical path: `one\\ntwo` → `b\\u2028c`/);
  });

  it('escapes control characters in paths', () => {
    const result = runCli(['check', 'x\u001b[31m.plan.json'], { 'x\u001b[31m.plan.json': '[]' });
    assert.doesNotMatch(result.stdout, /\u001b/);
    assert.match(result.stdout, /x\\u001b\[31m\.plan\.json/);
  });

  it('keeps JSON output exact', () => {
    const result = runCli(['check', '--format', 'json', 'evil.plan.json'], { 'evil.plan.json': hostile });
    const report = JSON.parse(result.stdout);
    assert.ok(report.files[0].findings.some((finding: { steps: string[] }) => finding.steps.includes('a\u001b[2J\u001b[32mOK\u0007')));
  });
});

/** Ids with control characters, each paired with the text the report must show for it. */
const HOSTILE = { a: 'fetch\nFAKE', b: 'parse\r\u0007', c: 'c\u2028yc', missing: 'gone\u001b[2J', lock1: 'lock\nA', lock2: 'lock\u0085B', agent: 'plan\nner', call: 'toolu\n7' };
const SHOWN: typeof HOSTILE = { a: 'fetch\\nFAKE', b: 'parse\\r\\u0007', c: 'c\\u2028yc', missing: 'gone\\u001b[2J', lock1: 'lock\\nA', lock2: 'lock\\u0085B', agent: 'plan\\nner', call: 'toolu\\n7' };

/**
 * Builds a plan with a cycle, a blocked step, an unknown id, a duplicate id and a lock-order
 * inversion. One value per line keeps every position the same whatever the ids.
 */
function riskyPlan(ids: typeof HOSTILE): string {
  const steps = [
    { id: ids.a, tool: 't', depends_on: [ids.c] },
    { id: ids.b, tool: 't', depends_on: [ids.a] },
    { id: ids.c, tool: 't', depends_on: [ids.b] },
    { id: 'report', tool: 't', depends_on: [ids.c, ids.missing] },
    { id: 'report', tool: 't' },
    { id: 'w1', tool: 't', locks: [ids.lock1, ids.lock2] },
    { id: 'w2', tool: 't', locks: [ids.lock2, ids.lock1] },
  ];
  return JSON.stringify(steps, null, 2);
}

/** Builds a native trace in which an agent and the call it waits for wait on each other. */
function riskyTrace(ids: typeof HOSTILE): string {
  const events = [
    { ts: '2026-05-01T10:00:00.000Z', type: 'trace.start', format: 'agent-trace', version: 1 },
    { ts: '2026-05-01T10:00:01.000Z', type: 'agent.start', agent: ids.agent },
    { ts: '2026-05-01T10:00:03.000Z', type: 'call.start', call: ids.call, tool: ids.b, agent: ids.agent },
    { ts: '2026-05-01T10:00:04.000Z', type: 'wait.start', wait: 'w1', call: ids.call, for: { agent: ids.agent } },
  ];
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

describe('text report of ids with line breaks', () => {
  it('prints a plan like ids written escaped', () => {
    const hostile = runCli(['check', 'risky.plan.json'], { 'risky.plan.json': riskyPlan(HOSTILE) });
    const twin = runCli(['check', 'risky.plan.json'], { 'risky.plan.json': riskyPlan(SHOWN) });
    assert.equal(hostile.code, 1);
    for (const kind of ['cycle', 'blocked', 'unknown-dependency', 'duplicate-id', 'lock-order-inversion']) assert.match(hostile.stdout, new RegExp(` ${kind} `));
    assert.doesNotMatch(hostile.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.equal(hostile.stdout, twin.stdout);
  });

  it('prints a trace like ids written escaped', () => {
    const hostile = runCli(['check', 'risky.trace.jsonl'], { 'risky.trace.jsonl': riskyTrace(HOSTILE) });
    const twin = runCli(['check', 'risky.trace.jsonl'], { 'risky.trace.jsonl': riskyTrace(SHOWN) });
    assert.equal(hostile.code, 1);
    assert.match(hostile.stdout, / deadlock /);
    assert.doesNotMatch(hostile.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.equal(hostile.stdout, twin.stdout);
  });
});

describe('text report layout', () => {
  it('header has no nested parentheses', () => {
    const result = runCli(['check', path.join(EXAMPLES, 'cyclic.plan.json')]);
    const header = result.stdout.split('\n')[0];
    assert.doesNotMatch(header, /\(.*\(/);
    assert.match(header, /cyclic\.plan\.json.*JSON/);
  });

  it('clean line has no nested parentheses', () => {
    const result = runCli(['check', path.join(EXAMPLES, 'clean.plan.json')]);
    assert.doesNotMatch(result.stdout.split('\n')[0], /\(.*\(/);
  });

  it('empty plan says it has no steps', () => {
    const result = runCli(['check', 'empty.plan.json'], { 'empty.plan.json': '[]' });
    assert.doesNotMatch(result.stdout, /0 stages/);
    assert.match(result.stdout, /The plan has no steps\./);
  });

  it('quotes ids in stages and blocked lists', () => {
    const stages = runCli(['check', path.join(EXAMPLES, 'clean.plan.json')]).stdout;
    assert.match(stages, /1\. `fetch_orders`, `fetch_refunds`\n/);
    assert.match(stages, /critical path: `fetch_orders` → `join_totals` → `write_summary` → `send_report` \(4 steps, 4\.20 s\)/);
    const cycle = runCli(['check', path.join(EXAMPLES, 'cyclic.plan.json')]).stdout;
    assert.match(cycle, /Blocks: `write_summary`\n/);
  });

  it('prints the rule line once per file', () => {
    const result = runCli(['check', path.join(EXAMPLES, 'cyclic.plan.json')]);
    const cycles = result.stdout.match(/ error {2}cycle /g) ?? [];
    assert.equal(cycles.length, 2);
    assert.equal((result.stdout.match(/Rule: /g) ?? []).length, 1);
  });

  it('says why the critical path is missing', () => {
    const plan = JSON.stringify([
      { id: 'a', tool: 't', duration_ms: 100 },
      { id: 'b', tool: 't', depends_on: ['a'] },
      { id: 'c', tool: 't', depends_on: ['a'] },
    ]);
    const result = runCli(['check', 'partial.plan.json'], { 'partial.plan.json': plan });
    assert.match(result.stdout, /critical path: not computed, 2 steps have no duration_ms/);
  });

  it('stays quiet on the critical path without durations', () => {
    const result = runCli(['check', 'none.plan.json'], { 'none.plan.json': '[{"id": "a", "tool": "t"}]' });
    assert.doesNotMatch(result.stdout, /critical path/);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0 ms'],
    [999, '999 ms'],
    [999.6, '1.00 s'],
    [1_800, '1.80 s'],
    [9_999, '10.0 s'],
    [59_999, '1 min 0 s'],
    [61_000, '1 min 1 s'],
    [3_599_600, '1 h 0 min'],
    [3_600_000, '1 h 0 min'],
    [5_400_000, '1 h 30 min'],
    [1e20, '27777777777778 h'],
    [1e17, '27777777778 h'],
  ];
  for (const [milliseconds, expected] of cases) {
    it(`formats ${milliseconds} ms`, () => assert.equal(formatDuration(milliseconds), expected));
  }
});

describe('text report of large plans', () => {
  it('summarises many stages and a long critical path', () => {
    const steps = Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, tool: 't', duration_ms: 10, depends_on: i === 0 ? [] : [`s${i - 1}`] }));
    const output = runCli(['check', 'long.plan.json'], { 'long.plan.json': JSON.stringify(steps) }).stdout;
    assert.match(output, /40 stages for 40 steps, at most 1 in parallel:/);
    assert.match(output, /… 29 more stages \(--format json lists them all\)/);
    assert.match(output, /40\. `s39`/);
    assert.match(output, /critical path: `s0` → `s1` → `s2` → `s3` → … 34 more … → `s38` → `s39` \(40 steps, 400 ms\)/);
    assert.ok(output.split('\n').length < 25);
  });
});

describe('text report of steps behind a cycle', () => {
  /** Returns the text after `Blocks:` under each cycle, keyed by the cycle's first step. */
  function blocksLines(output: string): Map<string, string> {
    const lines = new Map<string, string>();
    let cycle: string | undefined;
    for (const line of output.split('\n')) {
      const header = /cycle {2}Cycle: `([^`]+)`/.exec(line);
      if (header) cycle = header[1];
      const blocks = /^\s+Blocks: (.*)$/.exec(line);
      if (blocks && cycle !== undefined) lines.set(cycle, blocks[1]);
    }
    return lines;
  }

  // `a` and `b` wait for each other. `c` and `d` wait on them in a chain, and `e` also names
  // an unknown id, which the analysis gives as its nearest cause. `g` and `h` form a second
  // cycle that waits on `a`, and `i` waits on that second cycle.
  const plan = JSON.stringify([
    { id: 'a', tool: 't', depends_on: ['b'] },
    { id: 'b', tool: 't', depends_on: ['a'] },
    { id: 'c', tool: 't', depends_on: ['b'] },
    { id: 'd', tool: 't', depends_on: ['c'] },
    { id: 'e', tool: 't', depends_on: ['d', 'nowhere'] },
    { id: 'f', tool: 't', depends_on: ['e'] },
    { id: 'g', tool: 't', depends_on: ['a', 'h'] },
    { id: 'h', tool: 't', depends_on: ['g'] },
    { id: 'i', tool: 't', depends_on: ['h'] },
    { id: 'free', tool: 't' },
  ]);

  it('lists transitive steps nearest first', () => {
    const lines = blocksLines(runCli(['check', 'behind.plan.json'], { 'behind.plan.json': plan }).stdout);
    assert.equal(lines.get('a'), '`c`, `g`, `d`, `h`, `e`, `i`, `f`');
  });

  it('lists only the steps behind the later cycle', () => {
    const lines = blocksLines(runCli(['check', 'behind.plan.json'], { 'behind.plan.json': plan }).stdout);
    assert.equal(lines.get('g'), '`i`');
  });

  it('caps a long list with a count', () => {
    const chain = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, tool: 't', depends_on: [i === 0 ? 'x' : `s${i - 1}`] }));
    const cyclic = [{ id: 'x', tool: 't', depends_on: ['y'] }, { id: 'y', tool: 't', depends_on: ['x'] }, ...chain];
    const lines = blocksLines(runCli(['check', 'chain.plan.json'], { 'chain.plan.json': JSON.stringify(cyclic) }).stdout);
    const expected = Array.from({ length: 12 }, (_, i) => `\`s${i}\``).join(', ');
    assert.equal(lines.get('x'), `${expected} and 18 more`);
  });
});
