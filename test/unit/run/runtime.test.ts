import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAgent } from '../../../examples/sdk-agent/agent';
import { replayTranscript, ToolTimeoutError, ToolWatchdog } from '../../../src/runtime/index';
import { decodeRunTrace } from '../../../src/core/run/traceOut';

/** Recorded Messages API replies, served in order. The first requests a fast tool and one that hangs. */
const REPLIES = [
  {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'text', text: 'I will check both.' },
      { type: 'tool_use', id: 'toolu_weather', name: 'get_weather', input: { city: 'Lisbon' } },
      { type: 'tool_use', id: 'toolu_lookup', name: 'slow_lookup', input: { query: 'Lisbon records' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 30 },
  },
  {
    id: 'msg_02',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'It is sunny; the records lookup timed out.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 60, output_tokens: 12 },
  },
];

interface Received {
  path: string;
  body: { messages: { role: string; content: unknown }[] };
}

async function startStandIn(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const reply = REPLIES[received.length];
      received.push({ path: request.url ?? '', body: JSON.parse(body) as Received['body'] });
      if (reply === undefined) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'No more recorded replies.' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${received.length}` });
      response.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('sdk agent: hung tool becomes a timeout result', async () => {
  const standIn = await startStandIn();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-agent-'));
  const tracePath = path.join(folder, 'agent.jsonl');
  try {
    const { final, watchdog } = await runAgent('Weather in Lisbon?', { baseURL: standIn.url, apiKey: 'test-key', tracePath, lookupTimeoutMs: 300 });

    assert.equal(final.id, 'msg_02');
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(standIn.received.length, 2);
    assert.match(standIn.received[0].path, /^\/v1\/messages/);

    const second = standIn.received[1].body.messages;
    const results = second.at(-1)?.content as { type: string; tool_use_id: string; is_error?: boolean; content: unknown }[];
    const lookup = results.find((block) => block.tool_use_id === 'toolu_lookup');
    const weather = results.find((block) => block.tool_use_id === 'toolu_weather');
    assert.ok(lookup, 'a result for the hung call was sent');
    assert.equal(lookup.is_error, true);
    assert.match(JSON.stringify(lookup.content), /TIMEOUT: tool \\"slow_lookup\\" did not finish within 300 ms/);
    assert.ok(weather);
    assert.notEqual(weather.is_error, true);
    assert.match(JSON.stringify(weather.content), /sunny in Lisbon/);

    assert.deepEqual(watchdog.counts, { ok: 1, error: 0, timeout: 1, killed: 0 });
    const events = decodeRunTrace(fs.readFileSync(tracePath, 'utf8'));
    assert.equal(events[0].type, 'trace.start');
    assert.equal(events.at(-1)?.type, 'run.end');
    const timeout = events.find((event) => event.type === 'run.timeout');
    assert.ok(timeout);
    assert.equal(timeout.call, 'toolu_lookup');
    assert.equal(timeout.limit_ms, 300);
    const ended = events.find((event) => event.type === 'call.end' && event.call === 'toolu_lookup');
    assert.equal(ended?.status, 'timeout');
  } finally {
    await standIn.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('watchdog records a kill of abandoned work', async () => {
  const killed: string[] = [];
  const watchdog = new ToolWatchdog({ toolTimeouts: { stuck: 50 }, watchdogIntervalMs: 20, watchdogGraceMs: 50 });
  const stuck = watchdog.wrap('stuck', () => new Promise<string>(() => undefined), { onKill: (id) => killed.push(id) });
  await assert.rejects(stuck({}, 'call-1'), (error: unknown) => error instanceof ToolTimeoutError && error.limitMs === 50 && error.tool === 'stuck');
  assert.deepEqual(watchdog.inflightCalls(), ['call-1']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  watchdog.close();
  assert.deepEqual(killed, ['call-1']);
  assert.equal(watchdog.kills.length, 1);
  assert.ok(watchdog.kills[0].ageMs >= 100);
  assert.deepEqual(watchdog.inflightCalls(), []);
});

test('wrapped tool passes results and errors through', async () => {
  const watchdog = new ToolWatchdog({ defaultTimeoutMs: 1_000 });
  const double = watchdog.wrap('double', async (input: number) => input * 2);
  const fail = watchdog.wrap('fail', async () => {
    throw new Error('disk full');
  });
  assert.equal(await double(21), 42);
  await assert.rejects(fail(undefined), /disk full/);
  watchdog.close();
  assert.deepEqual(watchdog.counts, { ok: 1, error: 1, timeout: 0, killed: 0 });
});

test('replayTranscript runs tool calls through the engine', () => {
  const result = replayTranscript(
    [
      { role: 'user', content: 'Plan a trip.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'search', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'book', input: {} }, { type: 'tool_use', id: 'toolu_3', name: 'pay', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'done' }] },
    ],
    { defaultDurationMs: 100, toolTimeouts: new Map([['pay', 2_000]]) },
  );
  assert.deepEqual(
    result.calls.map((call) => [call.id, call.outcome, call.startMs, call.endMs]),
    [
      ['toolu_1', 'ok', 0, 100],
      ['toolu_2', 'ok', 100, 200],
      ['toolu_3', 'timeout', 100, 2_100],
    ],
  );
});
