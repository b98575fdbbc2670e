import * as vscode from 'vscode';
import { registerGraph } from './graph';
import { registerPlans } from './plans';
import { registerRun, type RunApi } from './run/registerRun';
import { registerTraces } from './traces/index';

/** The API other extensions and tests read from `extension.exports`. */
export interface AgentDeadlockApi {
  run: RunApi;
}

/**
 * Activates the extension. Every feature registers itself through one `register*` function
 * that pushes its disposables onto `context.subscriptions`, so deactivation releases them all.
 */
export function activate(context: vscode.ExtensionContext): AgentDeadlockApi {
  const log = vscode.window.createOutputChannel('Agent Deadlock Debugger', { log: true });
  context.subscriptions.push(log);
  const run = registerRun(context, log);
  const graph = registerGraph(context, log, (uri) => run.callAgesFor(uri));
  registerPlans(context, log);
  registerTraces(context, log, (source) => graph.showSource(source), run.onDidChangeRunState);
  log.info('Agent Deadlock Debugger activated.');
  return { run };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
