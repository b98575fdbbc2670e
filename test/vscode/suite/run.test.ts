import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentDeadlockApi } from '../../../src/extension/extension';
import type { RunResult } from '../../../src/core/run/types';
import type { RunStateSnapshot } from '../../../src/extension/run/runController';

const extensionId = 'agent-deadlock.agent-deadlock-debugger';

async function api(): Promise<AgentDeadlockApi> {
  const extension = vscode.extensions.getExtension<AgentDeadlockApi>(extensionId);
  assert.ok(extension, `${extensionId} is not loaded`);
  return extension.activate();
}

function writePlan(name: string, plan: unknown): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the tests need a workspace folder');
  const file = path.join(folder, name);
  fs.writeFileSync(file, JSON.stringify(plan, null, 2));
  return vscode.Uri.file(file);
}

describe('run with watchdog', () => {
  it('contributes its commands and debug type', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['agentDeadlock.runWithWatchdog', 'agentDeadlock.stopRun', 'agentDeadlock.showRunSummary']) {
      assert.ok(commands.includes(command), `missing command ${command}`);
    }
    const packageJson = vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes: { debuggers: { type: string }[] } };
    assert.ok(packageJson.contributes.debuggers.some((debuggerEntry) => debuggerEntry.type === 'agent-deadlock'));
  });

  it('runs a plan and publishes states and the result', async () => {
    const { run } = await api();
    const program = writePlan('api-run.plan.json', {
      steps: [
        { id: 'quick', tool: 'read_file', duration_ms: 300 },
        { id: 'stuck', tool: 'web_fetch', behavior: 'hang', timeout_ms: 1_200 },
        { id: 'after', tool: 'llm', duration_ms: 100, depends_on: ['stuck'] },
      ],
    });
    const states: RunStateSnapshot[] = [];
    const stateListener = run.onDidChangeRunState((state) => states.push(state));
    const finished = new Promise<RunResult>((resolve) => {
      const listener = run.onDidFinishRun(({ result }) => {
        listener.dispose();
        resolve(result);
      });
    });
    assert.equal(await run.runWithWatchdog(program, { clock: 'real' }), true);
    const result = await finished;
    stateListener.dispose();

    assert.deepEqual(
      result.calls.map((call) => [call.id, call.outcome]),
      [
        ['quick', 'ok'],
        ['stuck', 'timeout'],
        ['after', 'stranded'],
      ],
    );
    const running = states.filter((state) => state.calls.some((call) => call.id === 'stuck' && call.status === 'running'));
    assert.ok(running.length >= 2, `expected several live states of the hung call, got ${running.length}`);
    const first = running[0];
    const last = running[running.length - 1];
    assert.ok(last.now > first.now, 'the run clock advanced between states');
    assert.equal(first.program.fsPath, program.fsPath);
    assert.equal(first.calls.find((call) => call.id === 'stuck')?.timeoutMs, 1_200);

    const ages = run.callAgesFor(program);
    assert.ok(ages, 'no call ages for the plan that ran');
    assert.deepEqual(
      ages.map((age) => [age.id, age.status]),
      [
        ['quick', 'done'],
        ['stuck', 'timeout'],
      ],
    );
    const stuckAge = Date.now() - (ages.find((age) => age.id === 'stuck')?.startedAt ?? 0);
    assert.ok(stuckAge >= 1_200, `age of the timed-out call: ${stuckAge} ms`);
    assert.ok(stuckAge < 2_000, `age of the timed-out call: ${stuckAge} ms`);
    assert.equal(run.callAgesFor(vscode.Uri.file('/nowhere/other.plan.json')), undefined);
  });

  it('stops a run on request', async () => {
    const { run } = await api();
    const program = writePlan('api-stop.plan.json', { steps: [{ id: 'long', tool: 'shell', duration_ms: 60_000 }] });
    const finished = new Promise<RunResult>((resolve) => {
      const listener = run.onDidFinishRun(({ result }) => {
        listener.dispose();
        resolve(result);
      });
    });
    assert.equal(await run.runWithWatchdog(program, { clock: 'real' }), true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await run.stopRun();
    const result = await finished;
    assert.equal(result.endedBy, 'stopped');
    assert.equal(result.calls[0].outcome, 'killed');
  });

  it('rejects a cyclic plan unless asked for the acyclic part', async () => {
    const { run } = await api();
    const program = writePlan('api-cycle.plan.json', {
      steps: [
        { id: 'plan', tool: 'llm', depends_on: ['review'] },
        { id: 'review', tool: 'llm', depends_on: ['plan'] },
        { id: 'lint', tool: 'shell', duration_ms: 50 },
      ],
    });
    const nextResult = () =>
      new Promise<RunResult>((resolve) => {
        const listener = run.onDidFinishRun(({ result }) => {
          listener.dispose();
          resolve(result);
        });
      });

    const rejected = nextResult();
    assert.equal(await run.runWithWatchdog(program, { clock: 'virtual' }), true);
    const first = await rejected;
    assert.equal(first.endedBy, 'rejected');
    assert.deepEqual(first.problems[0].path, ['plan', 'review', 'plan']);

    const partial = nextResult();
    assert.equal(await run.runWithWatchdog(program, { clock: 'virtual', runAcyclicPart: true }), true);
    const second = await partial;
    assert.deepEqual(
      second.calls.map((call) => [call.id, call.outcome]),
      [
        ['plan', 'stranded'],
        ['review', 'stranded'],
        ['lint', 'ok'],
      ],
    );
  });

  it('pauses and continues under the debugger', async () => {
    const { run } = await api();
    const program = writePlan('api-debug.plan.json', {
      steps: [
        { id: 'slow', tool: 'web_fetch', duration_ms: 1_500 },
        { id: 'next', tool: 'llm', duration_ms: 100, depends_on: ['slow'] },
      ],
    });
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const listener = vscode.debug.onDidStartDebugSession((session) => {
        if (session.type !== 'agent-deadlock') return;
        listener.dispose();
        resolve(session);
      });
    });
    const finished = new Promise<RunResult>((resolve) => {
      const listener = run.onDidFinishRun(({ result }) => {
        listener.dispose();
        resolve(result);
      });
    });
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(await vscode.debug.startDebugging(folder, { type: 'agent-deadlock', request: 'launch', name: 'debug test', program: program.fsPath, clock: 'real' }));
    const session = await started;
    await waitUntil(() => run.currentState?.calls.some((call) => call.id === 'slow' && call.status === 'running') === true, 5_000, 'the slow call to start');

    const threads = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
    assert.ok(threads.threads.some((thread) => thread.name.startsWith('slow (web_fetch)')), JSON.stringify(threads));

    await session.customRequest('pause', { threadId: 1 });
    await waitUntil(() => run.currentState?.paused === true, 5_000, 'the run to pause');
    const frozen = run.currentState?.now;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(run.currentState?.now, frozen, 'the run clock moved while paused');

    await session.customRequest('continue', { threadId: 1 });
    const result = await finished;
    assert.equal(result.ok, true);
    assert.ok(result.summary.totalMs >= 1_600, `total ${result.summary.totalMs} ms`);
  });
});

describe('run summary placement', () => {
  /** Returns the tab of the summary of `planName`'s run, which is named after the plan file. */
  function summaryTab(planName: string): vscode.Tab | undefined {
    const pattern = new RegExp(`${planName.replace(/\./g, '\\.')}-run-\\d+\\.md`);
    return vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => pattern.test(tab.label));
  }

  /** Runs the plan and returns the summary tab once it opened. */
  async function runAndWaitForSummary(program: vscode.Uri): Promise<vscode.Tab> {
    const { run } = await api();
    const finished = new Promise<void>((resolve) => {
      const listener = run.onDidFinishRun(() => {
        listener.dispose();
        resolve();
      });
    });
    assert.equal(await run.runWithWatchdog(program, { clock: 'virtual' }), true);
    await finished;
    const name = path.basename(program.fsPath);
    await waitUntil(() => summaryTab(name) !== undefined, 10_000, `the summary of ${name} to open`);
    return summaryTab(name) as vscode.Tab;
  }

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Following the run's trace moves the focus to the Agent Calls view. Here it stays in the plan.
    await vscode.workspace.getConfiguration('agentDeadlock.run').update('followInAgentCalls', false, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('agentDeadlock.run').update('followInAgentCalls', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens beside the plan in the second group', async () => {
    const program = writePlan('summary-beside.plan.json', { steps: [{ id: 'only', tool: 'llm', duration_ms: 10 }] });
    const planEditor = await vscode.window.showTextDocument(program, { viewColumn: vscode.ViewColumn.One });
    const other = writePlan('summary-other.plan.json', { steps: [{ id: 'other', tool: 'llm' }] });
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.Two });
    await vscode.window.showTextDocument(planEditor.document, { viewColumn: vscode.ViewColumn.One });
    assert.equal(vscode.window.tabGroups.all.length, 2);

    const tab = await runAndWaitForSummary(program);
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the summary opened a new editor group');
    assert.equal(tab.group.viewColumn, vscode.ViewColumn.Two, 'the summary is not in the group beside the plan');
    assert.equal(tab.isPreview, true, 'the summary is not a preview tab');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, program.fsPath, 'the plan lost the focus');
  });

  it('opens in the only group', async () => {
    const program = writePlan('summary-single.plan.json', { steps: [{ id: 'only', tool: 'llm', duration_ms: 10 }] });
    await vscode.window.showTextDocument(program, { viewColumn: vscode.ViewColumn.One });

    const tab = await runAndWaitForSummary(program);
    assert.equal(vscode.window.tabGroups.all.length, 1, 'the summary opened a new editor group');
    assert.equal(tab.group.viewColumn, vscode.ViewColumn.One);
  });

  it('stays out of a third group', async () => {
    const program = writePlan('summary-right.plan.json', { steps: [{ id: 'only', tool: 'llm', duration_ms: 10 }] });
    const other = writePlan('summary-left.plan.json', { steps: [{ id: 'other', tool: 'llm' }] });
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.One });
    await vscode.window.showTextDocument(program, { viewColumn: vscode.ViewColumn.Two });
    assert.equal(vscode.window.tabGroups.all.length, 2);

    const tab = await runAndWaitForSummary(program);
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the summary opened a new editor group');
    assert.equal(tab.group.viewColumn, vscode.ViewColumn.One, 'the summary is not beside the plan in the last group');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
