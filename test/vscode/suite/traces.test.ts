import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TraceGraphSource } from '../../../src/extension/traces/graphSource';
import { TraceHub } from '../../../src/extension/traces/hub';

interface TraceState {
  title?: string;
  uri?: string;
  runningCalls: number;
  calls: { id: string; tool: string; status: string; line: number }[];
  findings: { kind: string; calls: string[]; spans: string[] }[];
  receiverPort?: number;
}

const extensionId = 'agent-deadlock.agent-deadlock-debugger';

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function workspaceFile(name: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the tests need an open workspace folder');
  const dir = path.join(folder, 'trace-tests');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

const state = async (): Promise<TraceState> => (await vscode.commands.executeCommand('agentDeadlock.traceState')) as TraceState;

function line(fields: Record<string, unknown>): string {
  return `${JSON.stringify(fields)}\n`;
}

describe('traces in the editor', () => {
  before(async () => {
    await vscode.extensions.getExtension(extensionId)?.activate();
  });

  it('shows diagnostics on a recorded trace', async () => {
    const file = workspaceFile('deadlock.trace.jsonl');
    fs.writeFileSync(
      file,
      [
        line({ ts: '2026-05-01T10:00:03Z', type: 'call.start', call: 'toolu_7', tool: 'fetch', agent: 'planner' }),
        line({ ts: '2026-05-01T10:00:04Z', type: 'wait.start', call: 'toolu_7', for: { agent: 'planner' } }),
      ].join(''),
    );
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'agent-deadlock');
      return found.length > 0 ? found : undefined;
    }, 10_000, 'trace diagnostics');
    const deadlock = diagnostics.find((d) => d.code === 'deadlock');
    assert.ok(deadlock, `no deadlock diagnostic among ${diagnostics.map((d) => d.code).join(', ')}`);
    assert.equal(deadlock.range.start.line, 1);
    assert.match(deadlock.message, /agent planner waits for call toolu_7/i);
  });

  it('follows a trace file as lines are appended', async () => {
    const file = workspaceFile('live.trace.jsonl');
    const now = Date.now();
    fs.writeFileSync(file, line({ ts: now, type: 'call.start', call: 'c1', tool: 'search', agent: 'a', timeout_ms: 60_000 }));
    await vscode.commands.executeCommand('agentDeadlock.followTrace', vscode.Uri.file(file));
    const first = await waitFor(async () => {
      const current = await state();
      return current.calls.some((call) => call.id === 'c1') ? current : undefined;
    }, 5_000, 'the followed trace to show c1');
    assert.equal(first.title, 'live.trace.jsonl');
    assert.equal(first.runningCalls, 1);

    fs.appendFileSync(file, line({ ts: now - 120_000, type: 'call.start', call: 'c2', tool: 'fetch', agent: 'a', timeout_ms: 1_000 }));
    const second = await waitFor(async () => {
      const current = await state();
      return current.findings.some((f) => f.kind === 'hung-call' && f.calls.includes('c2')) ? current : undefined;
    }, 5_000, 'a hung-call finding for the appended call');
    assert.equal(second.runningCalls, 2);
    assert.equal(second.calls.find((call) => call.id === 'c2')?.line, 1);

    await vscode.commands.executeCommand('agentDeadlock.revealTraceEvent', vscode.Uri.file(file), 1);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, file);
    assert.equal(editor?.selection.start.line, 1);
    await vscode.commands.executeCommand('agentDeadlock.stopFollowingTrace');
  });

  it('receives OTLP spans on loopback and stops', async () => {
    await vscode.workspace.getConfiguration('agentDeadlock').update('otlpReceiver.port', 0, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('agentDeadlock.startOtlpReceiver');
      const port = await waitFor(async () => (await state()).receiverPort, 5_000, 'the receiver port');
      const body = JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: '00f067aa0ba902b7', name: 'execute_tool lookup', startTimeUnixNano: '1777629600000000000', endTimeUnixNano: '1777629601000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } }, { key: 'gen_ai.tool.name', value: { stringValue: 'lookup' } }, { key: 'gen_ai.tool.call.id', value: { stringValue: 'call_9' } }], status: { code: 2, message: 'lookup failed' } }] }] }],
      });
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', reject);
        request.end(body);
      });
      assert.equal(status, 200);
      const received = await waitFor(async () => {
        const current = await state();
        return current.findings.some((f) => f.kind === 'failed-call' && f.calls.includes('call_9')) ? current : undefined;
      }, 5_000, 'the received span to be analysed');
      assert.equal(received.receiverPort, port);
    } finally {
      await vscode.commands.executeCommand('agentDeadlock.stopOtlpReceiver');
      await vscode.workspace.getConfiguration('agentDeadlock').update('otlpReceiver.port', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal((await state()).receiverPort, undefined);
  });
});

describe('trace graph ages', () => {
  it('measure on the session clock', async () => {
    const file = workspaceFile('clocked.trace.jsonl');
    const start = Date.parse('2026-05-01T10:00:00Z');
    fs.writeFileSync(
      file,
      [
        line({ ts: new Date(start).toISOString(), type: 'call.start', call: 'done_call', tool: 'fetch', agent: 'run' }),
        line({ ts: new Date(start + 1_000).toISOString(), type: 'call.start', call: 'open_call', tool: 'shell', agent: 'run' }),
        line({ ts: new Date(start + 2_000).toISOString(), type: 'call.end', call: 'done_call', status: 'ok' }),
      ].join(''),
    );
    const log = vscode.window.createOutputChannel('trace graph ages test', { log: true });
    const storage = vscode.Uri.file(workspaceFile('hub-storage'));
    const hub = new TraceHub(log, storage);
    try {
      // A run's clock, stopped 5 s after the trace started, as a paused run's is.
      const session = await hub.follow(vscode.Uri.file(file), () => start + 5_000);
      await waitFor(() => (session.last?.runningCalls === 1 ? true : undefined), 5_000, 'the trace to be read');
      const source = new TraceGraphSource(hub, session);
      const ages = source.ages();
      source.dispose();
      assert.ok(ages, 'a trace with a running call has ages');
      // Graph node ids of calls are `call:<id>`.
      const ageOf = (id: string): number => {
        const age = ages.find((entry) => entry.id === `call:${id}`);
        assert.ok(age, `no age for ${id}`);
        return Date.now() - age.startedAt;
      };
      // The panel measures to the wall clock, so each age is checked within a second of it.
      assert.ok(Math.abs(ageOf('open_call') - 4_000) < 1_000, `open_call is ${ageOf('open_call')} ms old on the run clock`);
      assert.ok(Math.abs(ageOf('done_call') - 2_000) < 1_000, `done_call shows ${ageOf('done_call')} ms, not its duration`);
    } finally {
      hub.dispose();
      log.dispose();
    }
  });
});
