import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RunDebugSession } from '../../../src/extension/run/debugSession';
import type { RunResult } from '../../../src/core/run/types';

/** Drives the adapter through its protocol message handler, as VS Code's inline adapter does. */
class Driver {
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private seq = 1;
  private waiters: { match: (message: DebugProtocol.ProtocolMessage) => boolean; resolve: (message: DebugProtocol.ProtocolMessage) => void }[] = [];

  constructor(readonly session: RunDebugSession) {
    session.onDidSendMessage((message) => {
      const protocolMessage = message as DebugProtocol.ProtocolMessage;
      this.messages.push(protocolMessage);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(protocolMessage)) return true;
        waiter.resolve(protocolMessage);
        return false;
      });
    });
  }

  request<T extends DebugProtocol.Response>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const reply = this.waitFor((message) => message.type === 'response' && (message as DebugProtocol.Response).request_seq === seq) as Promise<T>;
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return reply;
  }

  event<T extends DebugProtocol.Event>(name: string, where: (event: T) => boolean = () => true): Promise<T> {
    const seen = this.messages.find((message) => message.type === 'event' && (message as DebugProtocol.Event).event === name && where(message as T));
    if (seen !== undefined) return Promise.resolve(seen as T);
    return this.waitFor((message) => message.type === 'event' && (message as DebugProtocol.Event).event === name && where(message as T)) as Promise<T>;
  }

  output(): string {
    return this.messages
      .filter((message) => message.type === 'event' && (message as DebugProtocol.Event).event === 'output')
      .map((message) => (message as DebugProtocol.OutputEvent).body.output)
      .join('');
  }

  private waitFor(match: (message: DebugProtocol.ProtocolMessage) => boolean): Promise<DebugProtocol.ProtocolMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No matching debug adapter message within 10 s.')), 10_000);
      this.waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }
}

/** The initialize arguments VS Code sends. */
const INITIALIZE_ARGS: DebugProtocol.InitializeRequestArguments = { adapterID: 'agent-deadlock', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true };

function writePlan(steps: unknown[]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-debug-'));
  const file = path.join(folder, 'agent.plan.json');
  fs.writeFileSync(file, JSON.stringify({ steps }, null, 2));
  return file;
}

test('debug adapter shows calls as threads, pauses and ends', async () => {
  const program = writePlan([
    { id: 'search', tool: 'web_search', duration_ms: 100 },
    { id: 'fetch', tool: 'web_fetch', behavior: 'hang', timeout_ms: 3_000 },
    { id: 'answer', tool: 'llm', duration_ms: 100, depends_on: ['search'] },
  ]);
  const results: RunResult[] = [];
  const driver = new Driver(new RunDebugSession({ onResult: (result) => results.push(result) }));

  const initialize = await driver.request<DebugProtocol.InitializeResponse>('initialize', INITIALIZE_ARGS);
  assert.equal(initialize.success, true);
  assert.equal(initialize.body?.supportsConfigurationDoneRequest, true);
  await driver.event('initialized');
  const launch = await driver.request('launch', { program, clock: 'real', speed: 10 });
  assert.equal(launch.success, true, JSON.stringify(launch));
  await driver.request('configurationDone');

  await driver.event<DebugProtocol.ThreadEvent>('thread', (event) => event.body.reason === 'started');
  const threads = await driver.request<DebugProtocol.ThreadsResponse>('threads');
  const names = threads.body.threads.map((thread) => thread.name);
  assert.equal(names[0], 'run');
  assert.ok(names.some((name) => name.startsWith('fetch (web_fetch)')), names.join(', '));

  const fetchThread = threads.body.threads.find((thread) => thread.name.startsWith('fetch'));
  assert.ok(fetchThread);
  const stack = await driver.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: fetchThread.id });
  // The frame points at the step's opening brace, the line above its "id".
  const idLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((line) => line.includes('"id": "fetch"'));
  assert.equal(stack.body.stackFrames[0].line, idLine);
  assert.match(stack.body.stackFrames[0].name, /web_fetch fetch: running, \d+ ms of 3000 ms/);
  const scopes = await driver.request<DebugProtocol.ScopesResponse>('scopes', { frameId: stack.body.stackFrames[0].id });
  const variables = await driver.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: scopes.body.scopes[0].variablesReference });
  assert.deepEqual(
    variables.body.variables.filter((variable) => variable.name === 'tool').map((variable) => variable.value),
    ['web_fetch'],
  );

  await driver.request('pause', { threadId: 1 });
  const stopped = await driver.event<DebugProtocol.StoppedEvent>('stopped');
  assert.equal(stopped.body.reason, 'pause');
  const session = driver.session.runSession;
  assert.ok(session);
  const frozen = session.engine.state().now;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(session.engine.state().now, frozen, 'the run clock stands still while paused');
  assert.equal(session.engine.isDone, false);

  await driver.request('continue', { threadId: 1 });
  await driver.event('terminated');
  assert.equal(results.length, 1);
  const fetch = results[0].calls.find((call) => call.id === 'fetch');
  assert.equal(fetch?.outcome, 'timeout');
  assert.match(driver.output(), /Tool "web_fetch" timed out after 3000 ms/);
  assert.match(driver.output(), /3 calls: 2 completed, 0 failed, 1 timed out/);
  fs.rmSync(path.dirname(program), { recursive: true, force: true });
});

test('debug adapter stop cancels everything', async () => {
  const program = writePlan([
    { id: 'slow', tool: 'shell', duration_ms: 60_000 },
    { id: 'next', tool: 'shell', depends_on: ['slow'] },
  ]);
  const results: RunResult[] = [];
  const driver = new Driver(new RunDebugSession({ onResult: (result) => results.push(result) }));
  assert.equal((await driver.request('initialize', INITIALIZE_ARGS)).success, true);
  await driver.request('launch', { program, clock: 'real' });
  await driver.request('configurationDone');
  await driver.event<DebugProtocol.ThreadEvent>('thread', (event) => event.body.reason === 'started');
  await driver.request('disconnect', {});
  await driver.event('terminated');
  assert.equal(results[0].endedBy, 'stopped');
  assert.deepEqual(
    results[0].calls.map((call) => call.outcome),
    ['killed', 'stranded'],
  );
  fs.rmSync(path.dirname(program), { recursive: true, force: true });
});

test('debug adapter reports bad program with position', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'run-debug-'));
  const program = path.join(folder, 'bad.plan.json');
  fs.writeFileSync(program, '{\n  "steps": [\n    { "id": 1 }\n  ]\n}\n');
  const driver = new Driver(new RunDebugSession());
  assert.equal((await driver.request('initialize', INITIALIZE_ARGS)).success, true);
  const launch = await driver.request('launch', { program });
  assert.equal(launch.success, false);
  assert.match(launch.message ?? JSON.stringify(launch.body), /bad\.plan\.json:3:/);
  fs.rmSync(folder, { recursive: true, force: true });
});

test('debug adapter refuses commands without confirmation', async () => {
  const program = writePlan([{ id: 'danger', tool: 'shell', command: 'touch should-not-exist', duration_ms: 5 }]);
  const driver = new Driver(new RunDebugSession({ confirmCommands: async () => false }));
  assert.equal((await driver.request('initialize', INITIALIZE_ARGS)).success, true);
  await driver.request('launch', { program, clock: 'real', allowCommands: true });
  await driver.request('configurationDone');
  await driver.event('terminated');
  assert.equal(fs.existsSync(path.join(path.dirname(program), 'should-not-exist')), false);
  assert.match(driver.output(), /Commands were not allowed/);
  fs.rmSync(path.dirname(program), { recursive: true, force: true });
});

test('debug adapter stops on entry', async () => {
  const program = writePlan([{ id: 'first', tool: 'web_search', duration_ms: 50 }]);
  const results: RunResult[] = [];
  const driver = new Driver(new RunDebugSession({ onResult: (result) => results.push(result) }));
  assert.equal((await driver.request('initialize', INITIALIZE_ARGS)).success, true);
  await driver.request('launch', { program, clock: 'real', stopOnEntry: true });
  await driver.request('configurationDone');
  const stopped = await driver.event<DebugProtocol.StoppedEvent>('stopped');
  assert.equal(stopped.body.reason, 'entry');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(driver.session.runSession?.engine.inflightCalls(), [], 'a call started before continue');
  assert.equal(driver.session.runSession?.engine.state().calls[0].status, 'pending');

  await driver.request('continue', { threadId: 1 });
  await driver.event('terminated');
  assert.equal(results[0].ok, true);
  fs.rmSync(path.dirname(program), { recursive: true, force: true });
});

test('debug adapter escapes ids in live lines', async () => {
  const program = writePlan([
    { id: 'fails\nFAKE summary line', tool: 'shell\u001b[2J', behavior: 'error', duration_ms: 5 },
    { id: 'hangs\rFAKE kill line', tool: 'web_fetch', behavior: 'hang', timeout_ms: 20 },
  ]);
  const driver = new Driver(new RunDebugSession());
  assert.equal((await driver.request('initialize', INITIALIZE_ARGS)).success, true);
  await driver.request('launch', { program, clock: 'real' });
  await driver.request('configurationDone');
  await driver.event('terminated');
  const output = driver.output();
  const lines = output.split(/\r\n|\r|\n/);
  assert.deepEqual(
    lines.filter((line) => line.startsWith('FAKE')),
    [],
    output,
  );
  assert.ok(!output.includes('\u001b'), 'raw escape character in the output');
  assert.match(output, /fails\\nFAKE summary line/);
  assert.match(output, /hangs\\rFAKE kill line/);
  fs.rmSync(path.dirname(program), { recursive: true, force: true });
});
