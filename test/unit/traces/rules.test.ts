import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '../../../src/core/findings';
import { checkTrace, type CheckTraceOptions } from '../../../src/core/trace/check';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');

function check(name: string, options: CheckTraceOptions = {}) {
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  return { text, ...checkTrace(text, name, options) };
}

function ofKind(findings: Finding[], kind: string): Finding[] {
  return findings.filter((finding) => finding.kind === kind);
}

/** The 1-based line of a finding's range start in `text`. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

describe('orphaned-call', () => {
  it('reports the tool_use that never got a result', () => {
    const { findings, format } = check('anthropic-orphaned.json');
    assert.equal(format, 'anthropic');
    const orphans = ofKind(findings, 'orphaned-call');
    assert.equal(orphans.length, 1);
    assert.deepEqual(orphans[0].calls, ['toolu_w3']);
    assert.equal(orphans[0].tool, 'weather_lookup');
  });

  it('treats an is_error result as a result, not an orphan', () => {
    const { findings } = check('anthropic-orphaned.json');
    assert.ok(!ofKind(findings, 'orphaned-call').some((f) => f.calls?.includes('toolu_w2')));
    const failed = ofKind(findings, 'failed-call');
    assert.deepEqual(failed.map((f) => f.calls), [['toolu_w2']]);
    assert.match(failed[0].message, /upstream returned 502/);
  });

  it('points at the tool_use block inside the array', () => {
    const { findings, text } = check('anthropic-orphaned.json');
    const orphan = ofKind(findings, 'orphaned-call')[0];
    assert.ok(text.slice(orphan.range.start, orphan.range.end).includes('"toolu_w3"'));
    assert.equal(lineOf(text, orphan.range.start), 7);
  });
});

describe('hung-call', () => {
  it('reports the Bash call that never returned, measured to the last event', () => {
    const { findings, format } = check('claude-code-hung.jsonl');
    assert.equal(format, 'claude-code');
    const hung = ofKind(findings, 'hung-call');
    assert.equal(hung.length, 1);
    assert.deepEqual(hung[0].calls, ['toolu_D2']);
    assert.equal(hung[0].tool, 'Bash');
    assert.equal(hung[0].data?.ageSeconds, 2400);
    assert.equal(hung[0].data?.lastHeartbeat, '2026-03-02T14:41:00.000Z');
  });

  it('does not report calls that ended, however long they took', () => {
    const { findings } = check('claude-code-hung.jsonl');
    assert.ok(!findings.some((f) => f.calls?.includes('toolu_D1')));
    assert.equal(ofKind(findings, 'orphaned-call').length, 0);
  });

  it('measures to an injected now when live', () => {
    const started = Date.parse('2026-03-02T14:01:00.000Z');
    const { findings } = check('claude-code-hung.jsonl', { now: started + 3 * 3600_000, live: true });
    assert.equal(ofKind(findings, 'hung-call')[0].data?.ageSeconds, 3 * 3600);
  });

  it('uses per-tool timeouts over the default', () => {
    const quiet = check('claude-code-hung.jsonl', { toolTimeouts: { Bash: 3 * 3600_000 } });
    assert.equal(ofKind(quiet.findings, 'hung-call').length, 0);
    const strict = check('claude-code-hung.jsonl', { defaultTimeoutMs: 10 * 3600_000, toolTimeouts: new Map([['Bash', 60_000]]) });
    assert.equal(ofKind(strict.findings, 'hung-call')[0].data?.timeoutSeconds, 60);
  });

  it('infers an OTLP parent span that never arrived', () => {
    const { findings, format } = check('otlp-unfinished-parent.jsonl');
    assert.equal(format, 'otlp');
    const hung = ofKind(findings, 'hung-call');
    assert.equal(hung.length, 1);
    assert.deepEqual(hung[0].spans, ['b7ad6b7169203330']);
    assert.equal(hung[0].data?.inferred, true);
    assert.equal(hung[0].related.length, 2);
  });
});

describe('failed-call', () => {
  it('reports the OTLP tool span that timed out, with its message', () => {
    const { findings } = check('otlp-unfinished-parent.jsonl');
    const failed = ofKind(findings, 'failed-call');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0].calls, ['call_b']);
    assert.equal(failed[0].tool, 'load_ticket');
    assert.equal(failed[0].data?.status, 'timeout');
    assert.match(failed[0].message, /timed out after 45 s/);
  });
});

describe('deadlock', () => {
  it('reports an agent and its call waiting for each other, one line per edge', () => {
    const { findings } = check('native-deadlock.jsonl');
    const deadlocks = ofKind(findings, 'deadlock');
    assert.equal(deadlocks.length, 1);
    const lines = deadlocks[0].message.split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /closed at 10:00:04/);
    assert.match(lines[0], /Blocked behind it: agent reviewer/);
    assert.ok(lines.includes('- Agent planner waits for call toolu_7 (fetch) since 10:00:03 (line 4)'));
    assert.ok(lines.includes('- Call toolu_7 (fetch) waits for agent planner since 10:00:04 (line 5)'));
    assert.deepEqual(deadlocks[0].calls, ['toolu_7']);
    assert.equal(deadlocks[0].data?.closedAt, '2026-05-01T10:00:04.000Z');
  });

  it('places the finding on the event that closed the cycle', () => {
    const { findings, text } = check('native-deadlock.jsonl');
    assert.equal(lineOf(text, ofKind(findings, 'deadlock')[0].range.start), 5);
  });

  it('finds a deadlock through two locks', () => {
    const { findings } = check('native-lock-deadlock.jsonl');
    const deadlock = ofKind(findings, 'deadlock');
    assert.equal(deadlock.length, 1);
    assert.deepEqual([...(deadlock[0].calls ?? [])].sort(), ['c1', 'c2']);
    assert.deepEqual([...(deadlock[0].locks ?? [])].sort(), ['orders', 'users']);
    assert.equal(deadlock[0].message.split('\n').length, 5);
  });
});

describe('lock-order-inversion', () => {
  it('reports locks taken in opposite orders even when no deadlock happened', () => {
    const { findings } = check('native-lock-inversion.jsonl');
    assert.equal(ofKind(findings, 'deadlock').length, 0);
    const inversions = ofKind(findings, 'lock-order-inversion');
    assert.equal(inversions.length, 1);
    assert.deepEqual([...(inversions[0].locks ?? [])].sort(), ['account:1', 'account:2']);
    assert.deepEqual(inversions[0].calls, ['t1', 't2']);
  });
});

describe('stranded', () => {
  it('reports each way a wait can be left without delivery', () => {
    const { findings } = check('native-stranded.jsonl');
    const stranded = ofKind(findings, 'stranded');
    const reasons = stranded.map((f) => f.data?.targetStatus ?? f.data?.outcome).sort();
    assert.deepEqual(reasons, ['cancelled', 'error', 'lost', 'lost']);
    assert.ok(stranded.some((f) => f.calls?.includes('build')));
    assert.ok(stranded.some((f) => f.locks?.includes('cache')));
    assert.ok(stranded.some((f) => f.calls?.includes('never-started')));
  });

  it('explains a wait on an unstarted call', () => {
    const { findings, text } = check('native-wait-on-stranded.jsonl');
    const stranded = ofKind(findings, 'stranded');
    const onSummary = stranded.find((f) => f.calls?.includes('summarise'));
    assert.ok(onSummary, 'no finding for the wait on summarise');
    assert.equal(onSummary.data?.targetStatus, 'stranded');
    assert.match(onSummary.message, /stranded call summarise before it started \(it waits for "fetch", which failed\)/);
    assert.doesNotMatch(onSummary.message, /never appears/);
    assert.equal(lineOf(text, onSummary.related![0].range.start), 3);
    // A wait on an id with no line at all is still lost.
    const onGhost = stranded.find((f) => f.calls?.includes('ghost'));
    assert.equal(onGhost?.data?.targetStatus, 'lost');
  });

  it('does not report waits on unseen ids while the trace is live', () => {
    const { findings } = check('native-stranded.jsonl', { live: true, now: Date.parse('2026-05-01T12:00:10Z') });
    assert.ok(!ofKind(findings, 'stranded').some((f) => f.calls?.includes('never-started')));
  });
});

describe('repeated-call', () => {
  it('reports the same tool and input with no new result', () => {
    const { findings } = check('native-repeated.jsonl');
    const repeated = ofKind(findings, 'repeated-call');
    assert.equal(repeated.length, 1);
    assert.deepEqual(repeated[0].calls, ['r1', 'r2', 'r3']);
    assert.equal(repeated[0].data?.count, 3);
  });

  it('does not report repetitions that return new results', () => {
    assert.equal(ofKind(check('native-progress.jsonl').findings, 'repeated-call').length, 0);
  });
});

describe('serialized-calls', () => {
  it('reports siblings that never overlapped and not those that did', () => {
    const { findings } = check('native-serialized.jsonl');
    const serialized = ofKind(findings, 'serialized-calls');
    assert.equal(serialized.length, 1);
    assert.deepEqual(serialized[0].calls, ['s1', 's2', 's3']);
    assert.equal(ofKind(findings, 'repeated-call').length, 0);
  });
});

describe('unmatched-result and invalid-trace', () => {
  it('reports results whose call does not exist', () => {
    assert.deepEqual(ofKind(check('anthropic-lines.jsonl').findings, 'unmatched-result').map((f) => f.calls), [['toolu_r9']]);
    assert.deepEqual(ofKind(check('claude-code-subagent.jsonl').findings, 'unmatched-result').map((f) => f.calls), [['toolu_Z9']]);
    assert.deepEqual(ofKind(check('native-invalid.jsonl').findings, 'unmatched-result').map((f) => f.calls), [['ghost']]);
  });

  it('reports unreadable lines with line, column and a fix', () => {
    const { findings, text } = check('native-invalid.jsonl');
    const invalid = ofKind(findings, 'invalid-trace');
    assert.deepEqual(invalid.map((f) => f.data?.line), [2, 3, 4, 6, 7]);
    assert.equal(invalid[0].data?.column, 73);
    assert.equal(invalid[0].fixes.length, 1);
    const edit = invalid[0].fixes[0].edits[0];
    assert.equal(text.slice(edit.range.start, edit.range.end), text.split('\n')[1]);
    assert.match(invalid[4].message, /last line/);
    assert.match(invalid[1].message, /needs a "call" id/);
  });

  it('reports a file of no known format as one invalid-trace finding', () => {
    const result = checkTrace('{"hello":1}\n{"world":2}\n', 'x.jsonl');
    assert.equal(result.format, undefined);
    assert.deepEqual(result.findings.map((f) => f.kind), ['invalid-trace']);
  });
});

describe('deadlock broken later', () => {
  it('reports a cycle that a timeout broke, with when and how', () => {
    const { findings, text } = check('native-deadlock-broken.jsonl');
    const deadlocks = ofKind(findings, 'deadlock');
    assert.equal(deadlocks.length, 1);
    assert.deepEqual(deadlocks[0].calls, ['toolu_9']);
    assert.equal(deadlocks[0].data?.closedAt, '2026-05-02T10:00:01.000Z');
    assert.equal(deadlocks[0].data?.brokenAt, '2026-05-02T10:01:00.000Z');
    assert.match(deadlocks[0].message, /broken at 10:01:00, when call toolu_9 \(fetch\) ended with timeout/);
    assert.equal(lineOf(text, deadlocks[0].range.start), 2);
    assert.deepEqual(ofKind(findings, 'failed-call').map((f) => f.calls), [['toolu_9']]);
  });

  it('reports a lock cycle broken by a cancelled holder', () => {
    const { findings } = check('native-lock-deadlock-broken.jsonl');
    const deadlocks = ofKind(findings, 'deadlock');
    assert.equal(deadlocks.length, 1);
    assert.deepEqual([...(deadlocks[0].locks ?? [])].sort(), ['orders', 'users']);
    assert.match(deadlocks[0].message, /call c2 \(backup\) ended with cancelled/);
    assert.equal(ofKind(findings, 'lock-order-inversion').length, 1);
  });

  it('reports a standing cycle once', () => {
    assert.equal(ofKind(check('native-deadlock.jsonl').findings, 'deadlock').length, 1);
    assert.equal(ofKind(check('native-lock-deadlock.jsonl').findings, 'deadlock').length, 1);
  });
});
