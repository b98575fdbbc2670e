import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { IncrementalTraceAnalyzer } from '../../../src/core/trace/live';

const lines = [
  { type: 'call.start', ts: '2026-01-01T00:00:00.000Z', call: 'a', tool: 'slow', timeout_ms: 1000 },
  { type: 'run.end', ts: '2026-01-01T00:00:00.500Z', ok: false, ended_by: 'deadlock' },
];

describe('trace end marker', () => {
  it('stops ages at the end of a finished run', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    analyzer.append(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const later = Date.parse('2026-01-01T01:00:00.000Z');
    const snapshot = analyzer.snapshot('run', later);
    assert.equal(snapshot.ended, true);
    assert.equal(snapshot.now, Date.parse('2026-01-01T00:00:00.500Z'));
    assert.ok(!snapshot.analysis.findings.some((finding) => finding.kind === 'hung-call'));
  });

  it('keeps counting while the trace is live', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    analyzer.append(`${JSON.stringify(lines[0])}\n`);
    const later = Date.parse('2026-01-01T01:00:00.000Z');
    const snapshot = analyzer.snapshot('live', later);
    assert.equal(snapshot.ended, false);
    assert.ok(snapshot.analysis.findings.some((finding) => finding.kind === 'hung-call'));
  });
});

describe('call outcome', () => {
  it('keeps the writer outcome of a killed call', () => {
    const analyzer = new IncrementalTraceAnalyzer();
    const events = [
      { type: 'call.start', ts: '2026-01-01T00:00:00.000Z', call: 'k', tool: 'rpc' },
      { type: 'call.end', ts: '2026-01-01T00:00:03.000Z', call: 'k', status: 'cancelled', outcome: 'killed' },
    ];
    analyzer.append(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    const call = analyzer.builder.calls.get('k');
    assert.equal(call?.status, 'cancelled');
    assert.equal(call?.outcome, 'killed');
  });
});
