import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runVirtual } from '../../../src/core/run/run';
import { RunTraceEncoder, decodeRunTrace } from '../../../src/core/run/traceOut';
import type { RunCall, RunEvent } from '../../../src/core/run/types';
import { readTraceText } from '../../../src/core/trace/reader';

const SCHEMA = path.join(__dirname, '..', '..', '..', 'schemas', 'trace-event.schema.json');

interface SchemaRule {
  if: { properties: { type: { const?: string } } };
  then: { required?: string[]; properties?: Record<string, { enum?: unknown[]; type?: string }> };
}

function call(id: string, fields: Partial<RunCall> = {}): RunCall {
  return { id, tool: fields.tool ?? `tool_${id}`, dependsOn: [], locks: [], ...fields };
}

/** Runs a plan that produces every kind of event (progress, locks, a timeout, a watchdog kill, a strand) and returns its trace. */
function traceText(): string {
  const encoder = new RunTraceEncoder('run-test');
  let text = '';
  const events: RunEvent[] = [];
  runVirtual(
    {
      kind: 'plan',
      name: 'all events',
      calls: [
        call('fetch', { tool: 'web_fetch', durationMs: 300, progressEveryMs: 100, locks: ['net'] }),
        call('hang', { behavior: 'hang', timeoutMs: 500 }),
        call('lost', { behavior: 'lost', timeoutMs: 500 }),
        call('after', { dependsOn: ['hang'] }),
        call('fail', { behavior: 'error', durationMs: 50, locks: ['net'] }),
      ],
    },
    { watchdog: { intervalMs: 100, graceMs: 200 } },
    { startMs: Date.parse('2026-05-01T10:00:00Z'), onEvent: (event) => events.push(event) },
  );
  for (const event of events) text += encoder.encode(event);
  return text;
}

test('run trace lines follow the trace event schema', () => {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { properties: { ts: { oneOf: { pattern?: string }[] } }; allOf: SchemaRule[] };
  const isoPattern = new RegExp(schema.properties.ts.oneOf[2].pattern as string);
  const rules = new Map<string, SchemaRule['then']>();
  for (const rule of schema.allOf) {
    const type = rule.if.properties.type.const;
    if (type !== undefined) rules.set(type, rule.then);
  }

  const lines = decodeRunTrace(traceText());
  assert.equal(lines[0].type, 'trace.start');
  const seen = new Set<string>();
  for (const line of lines) {
    seen.add(line.type);
    assert.match(line.ts, isoPattern, `ts of ${JSON.stringify(line)}`);
    const rule = rules.get(line.type);
    if (rule === undefined) {
      assert.match(line.type, /^run\./, `${line.type} is neither a trace event type nor a run.* type`);
      continue;
    }
    for (const key of rule.required ?? []) assert.ok(key in line, `${line.type} line lacks "${key}": ${JSON.stringify(line)}`);
    for (const [key, property] of Object.entries(rule.properties ?? {})) {
      if (!(key in line)) continue;
      if (property.enum) assert.ok(property.enum.includes(line[key]), `${line.type}.${key} = ${JSON.stringify(line[key])}`);
      if (property.type === 'string') assert.equal(typeof line[key], 'string', `${line.type}.${key}`);
      if (property.type === 'number') assert.equal(typeof line[key], 'number', `${line.type}.${key}`);
    }
  }
  for (const type of ['call.start', 'call.end', 'heartbeat', 'lock.acquire', 'lock.request', 'lock.release', 'run.timeout', 'run.kill', 'run.stranded', 'run.end']) {
    assert.ok(seen.has(type), `no ${type} line`);
  }
});

test('trace reader reads run traces', () => {
  const builder = readTraceText(traceText());
  assert.equal(builder.format, 'native');
  assert.deepEqual(
    builder.findings.filter((finding) => finding.kind === 'invalid-trace').map((finding) => finding.message),
    [],
  );
  const status = (id: string) => builder.calls.get(id)?.status;
  assert.equal(status('fetch'), 'ok');
  assert.equal(status('hang'), 'timeout');
  assert.equal(status('lost'), 'cancelled');
  assert.equal(status('fail'), 'error');
  assert.equal(builder.calls.has('after'), false, 'a call that never started has no call.start');
  assert.equal(builder.calls.get('hang')?.timeoutMs, 500);
  assert.ok((builder.calls.get('fetch')?.heartbeats ?? 0) >= 2);
  assert.equal(builder.calls.get('fetch')?.startedAt, Date.parse('2026-05-01T10:00:00Z'));
});

test('trace reader keeps calls stranded before start', () => {
  const builder = readTraceText(traceText());
  const after = builder.unstartedCalls.get('after');
  assert.ok(after, 'the call stranded behind "hang" is listed');
  assert.equal(after.tool, 'tool_after');
  assert.equal(after.agent, 'run', 'it belongs to the agent of the calls that ran');
  assert.equal(after.reason, 'it waits for "hang", which timed out');
  assert.deepEqual(after.waitsFor, ['hang']);
  assert.equal(builder.unstartedCalls.size, 1, 'calls that started are not listed as unstarted');
});

test('trace reader keeps reason of started strand', () => {
  const text = [
    { type: 'call.start', ts: '2026-05-01T10:00:00.000Z', call: 'holder', tool: 'db', agent: 'run' },
    { type: 'run.stranded', ts: '2026-05-01T10:00:01.000Z', call: 'holder', tool: 'db', agent: 'run', reason: 'it waits for lock "a", held by "other"', waits_for: ['other', 'lock:a'] },
  ]
    .map((line) => `${JSON.stringify(line)}\n`)
    .join('');
  const builder = readTraceText(text);
  assert.equal(builder.calls.get('holder')?.strandedReason, 'it waits for lock "a", held by "other"');
  assert.equal(builder.unstartedCalls.size, 0);
});
