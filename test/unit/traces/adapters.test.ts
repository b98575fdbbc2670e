import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { nanosToMillis, normaliseId } from '../../../src/core/trace/adapters/otlp';
import { checkTrace } from '../../../src/core/trace/check';
import { parseTime } from '../../../src/core/trace/jsonLines';
import { detectTraceFormat, readTraceText } from '../../../src/core/trace/reader';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');
const read = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

describe('format detection', () => {
  it('detects each fixture from its content', () => {
    const expected: [string, string][] = [
      ['anthropic-orphaned.json', 'anthropic'],
      ['anthropic-lines.jsonl', 'anthropic'],
      ['claude-code-hung.jsonl', 'claude-code'],
      ['claude-code-subagent.jsonl', 'claude-code'],
      ['otlp-unfinished-parent.jsonl', 'otlp'],
      ['otlp-request-body.json', 'otlp'],
      ['native-deadlock.jsonl', 'native'],
      ['native-lock-deadlock.jsonl', 'native'],
    ];
    for (const [name, format] of expected) assert.equal(detectTraceFormat(read(name)), format, name);
  });

  it('ignores the file name', () => {
    const result = checkTrace(read('claude-code-hung.jsonl'), 'trace.otlp.json');
    assert.equal(result.format, 'claude-code');
  });

  it('returns undefined for a plan or plain text', () => {
    assert.equal(detectTraceFormat('[{"id":"a","tool":"x","depends_on":[]}]'), undefined);
    assert.equal(detectTraceFormat('hello\nworld\n'), undefined);
  });
});

describe('native adapter', () => {
  it('reads ISO and epoch-millisecond times', () => {
    assert.equal(parseTime('2026-05-01T10:00:00Z'), Date.parse('2026-05-01T10:00:00Z'));
    assert.equal(parseTime(1777629600000), 1777629600000);
    assert.equal(parseTime('1777629600000'), 1777629600000);
    assert.ok(Number.isNaN(parseTime('soon') as number));
  });

  it('gives every event its line range', () => {
    const text = read('native-deadlock.jsonl');
    const builder = readTraceText(text);
    const call = builder.calls.get('toolu_7');
    assert.ok(call);
    assert.equal(call.startRange.line, 3);
    assert.equal(text.slice(call.startRange.start, call.startRange.end), text.split('\n')[3]);
    assert.equal(call.agent, 'planner');
    assert.deepEqual(call.input, { url: 'https://example.test/spec' });
  });

  it('keeps ids such as __proto__ apart', () => {
    const text = [
      '{"ts":1,"type":"call.start","call":"__proto__","tool":"a b","agent":"constructor"}',
      '{"ts":2,"type":"call.start","call":"größe","tool":"x","agent":"constructor"}',
      '{"ts":3,"type":"call.end","call":"__proto__","status":"ok"}',
    ].join('\n');
    const builder = readTraceText(text);
    assert.equal(builder.calls.get('__proto__')?.status, 'ok');
    assert.equal(builder.calls.get('größe')?.status, 'running');
    assert.ok(builder.agents.has('constructor'));
  });

  it('reads CRLF line ends', () => {
    const text = '{"ts":1,"type":"call.start","call":"c","tool":"t"}\r\n{"ts":2,"type":"call.end","call":"c","status":"error","error":"boom"}\r\n';
    const result = checkTrace(text, 'crlf.jsonl');
    assert.deepEqual(result.findings.map((f) => f.kind), ['failed-call']);
    assert.equal(text.slice(result.findings[0].range.start, result.findings[0].range.end).endsWith('}'), true);
  });
});

describe('Anthropic adapter', () => {
  it('groups the calls of one assistant message as siblings', () => {
    const builder = readTraceText(read('anthropic-orphaned.json'));
    const groups = ['toolu_w1', 'toolu_w2', 'toolu_w3'].map((id) => builder.calls.get(id)?.group);
    assert.ok(groups[0] !== undefined);
    assert.deepEqual(new Set(groups).size, 1);
  });

  it('reads one message per line', () => {
    const builder = readTraceText(read('anthropic-lines.jsonl'));
    assert.equal(builder.calls.get('toolu_r1')?.status, 'ok');
    assert.equal(builder.calls.get('toolu_r2')?.status, 'ok');
    assert.equal(builder.calls.get('toolu_r1')?.startRange.line, 1);
  });
});

describe('Claude Code adapter', () => {
  it('links the Task call to its subagent through progress lines', () => {
    const builder = readTraceText(read('claude-code-subagent.jsonl'));
    const subagent = builder.agents.get('a7f3');
    assert.ok(subagent);
    assert.equal(subagent.parentCall, 'toolu_T1');
    assert.equal(subagent.status, 'ok');
    assert.equal(builder.calls.get('toolu_S1')?.agent, 'a7f3');
    assert.equal(builder.calls.get('toolu_S1')?.status, 'ok');
    assert.equal(builder.calls.get('toolu_S2')?.parent, 'toolu_T1');
  });

  it('pairs parallel results that come on separate lines', () => {
    const builder = readTraceText(read('claude-code-subagent.jsonl'));
    const task = builder.calls.get('toolu_T1');
    const bash = builder.calls.get('toolu_L1');
    assert.equal(task?.status, 'ok');
    assert.equal(bash?.status, 'ok');
    assert.equal(task?.group, bash?.group);
    assert.equal(bash?.endedAt, Date.parse('2026-04-10T08:00:09.000Z'));
  });

  it('counts progress lines as heartbeats of the call they report on', () => {
    const builder = readTraceText(read('claude-code-hung.jsonl'));
    const call = builder.calls.get('toolu_D2');
    assert.equal(call?.heartbeats, 2);
    assert.equal(call?.lastHeartbeatAt, Date.parse('2026-03-02T14:41:00.000Z'));
    assert.equal(builder.calls.get('toolu_T1'), undefined);
  });

  it('waits on the subagent while the Task call runs', () => {
    const lines = read('claude-code-subagent.jsonl').split('\n').slice(0, 5).join('\n');
    const result = checkTrace(lines, 'partial.jsonl', { live: true, now: Date.parse('2026-04-10T08:00:04.000Z') });
    const waits = result.analysis.graph.edges.filter((edge) => edge.from.id === 'toolu_T1');
    assert.deepEqual(waits.map((edge) => `${edge.to.kind} ${edge.to.id}`).sort(), ['agent a7f3', 'call toolu_S1']);
  });
});

describe('OTLP adapter', () => {
  it('reads hex and base64 ids', () => {
    assert.equal(normaliseId('B7AD6B7169203331', 8), 'b7ad6b7169203331');
    assert.equal(normaliseId('AAAAAAAAAAE=', 8), '0000000000000001');
    assert.equal(normaliseId('S/kvNXezTaajzpKdDg5HNg==', 16), '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(normaliseId('xyz', 8), undefined);
  });

  it('reads 64-bit times as strings and numbers', () => {
    assert.equal(nanosToMillis('1772460001200000000'), 1772460001200);
    assert.equal(nanosToMillis(1772460001200000000), 1772460001200);
    assert.equal(nanosToMillis('1500000'), 1.5);
    assert.equal(nanosToMillis('later'), undefined);
  });

  it('reads a pretty-printed request body with older attribute names and enum names', () => {
    const text = read('otlp-request-body.json');
    const result = checkTrace(text, 'body.json');
    const call = result.builder.calls.get('call_77');
    assert.ok(call);
    assert.equal(call.tool, 'lookup_order');
    assert.deepEqual(call.input, { order: 1234 });
    assert.equal(call.status, 'error');
    assert.equal(call.parentSpan, '0000000000000001');
    assert.ok(result.builder.agents.has('helpdesk'));
    assert.deepEqual(result.findings.map((f) => f.kind), ['failed-call']);
    const failed = result.findings[0];
    assert.ok(text.slice(failed.range.start, failed.range.end).includes('"tool_call.id"'));
  });

  it('does not infer a parent that arrives on a later line', () => {
    const lines = read('otlp-unfinished-parent.jsonl').trimEnd().split('\n');
    const parent = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'b7ad6b7169203330', name: 'invoke_agent triage', startTimeUnixNano: '1772459999000000000', endTimeUnixNano: '1772460048000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }], status: { code: 1 } }] }] }],
    });
    const result = checkTrace([...lines, parent].join('\n'), 'complete.jsonl');
    assert.equal(result.findings.filter((f) => f.kind === 'hung-call').length, 0);
    assert.equal(result.analysis.inferredCalls.length, 0);
  });
});

describe('wait-for graph model', () => {
  it('marks the deadlock cycle and carries live-age fields', () => {
    const result = checkTrace(read('native-deadlock.jsonl'), 'deadlock.jsonl');
    const model = result.graph;
    assert.equal(model.kind, 'wait-for');
    const call = model.nodes.find((node) => node.id === 'call:toolu_7');
    assert.ok(call);
    assert.equal(call.status, 'cycle');
    assert.equal(call.startedAt, Date.parse('2026-05-01T10:00:03.000Z'));
    assert.equal(call.timeoutMs, 30_000);
    assert.equal(model.components.length, 1);
    assert.deepEqual([...model.components[0].members].sort(), ['agent:planner', 'call:toolu_7']);
    const cycleEdges = model.edges.filter((edge) => edge.onCycle);
    assert.equal(cycleEdges.length, 2);
    const reviewer = model.edges.find((edge) => edge.source === 'agent:reviewer');
    assert.equal(reviewer?.onCycle, false);
  });

  it('has agents, calls and locks as nodes', () => {
    const model = checkTrace(read('native-lock-deadlock.jsonl'), 'locks.jsonl').graph;
    const kinds = new Set(model.nodes.map((node) => node.kind));
    assert.deepEqual([...kinds].sort(), ['agent', 'call', 'lock']);
    assert.ok(model.edges.some((edge) => edge.kind === 'holds' && edge.onCycle));
    assert.ok(model.edges.some((edge) => edge.kind === 'requests' && edge.onCycle));
  });
});

describe('result variants', () => {
  it('pairs server tool calls with their results in the same message', () => {
    const text = JSON.stringify([
      { role: 'user', content: 'Search for the release date.' },
      {
        role: 'assistant',
        content: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'release date' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' } },
          { type: 'server_tool_use', id: 'srvtoolu_2', name: 'web_search', input: { query: 'release notes' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_2', content: [] },
        ],
      },
    ]);
    const result = checkTrace(text, 'server-tools.json');
    assert.equal(result.builder.calls.get('srvtoolu_1')?.status, 'error');
    assert.equal(result.builder.calls.get('srvtoolu_1')?.error, 'max_uses_exceeded');
    assert.equal(result.builder.calls.get('srvtoolu_2')?.status, 'ok');
    assert.deepEqual(result.findings.map((f) => f.kind), ['failed-call']);
  });

  it('reads a Claude Code interruption as cancelled', () => {
    const lines = [
      { type: 'assistant', uuid: 'a1', sessionId: 's', timestamp: '2026-04-01T10:00:00Z', message: { id: 'm1', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_I', name: 'Bash', input: { command: 'sleep 999' } }] } },
      { type: 'user', uuid: 'a2', sessionId: 's', timestamp: '2026-04-01T10:00:09Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_I', content: '[Request interrupted by user for tool use]', is_error: true }] } },
    ];
    const result = checkTrace(lines.map((line) => JSON.stringify(line)).join('\n'), 'interrupted.jsonl');
    assert.equal(result.builder.calls.get('toolu_I')?.status, 'cancelled');
    assert.equal(result.findings.length, 0);
  });

  it('takes an OTLP error message from the exception event', () => {
    const line = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: '1111111111111111', name: 'execute_tool run_sql', startTimeUnixNano: '1000000000', endTimeUnixNano: '2000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } }, { key: 'gen_ai.tool.name', value: { stringValue: 'run_sql' } }], status: { code: 'STATUS_CODE_ERROR' }, events: [{ name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'OperationalError' } }, { key: 'exception.message', value: { stringValue: 'database is locked' } }] }] }] }] }],
    });
    const result = checkTrace(line, 'exception.jsonl');
    assert.equal(result.builder.calls.get('1111111111111111')?.error, 'OperationalError: database is locked');
    assert.match(result.findings[0].message, /database is locked/);
  });
});
