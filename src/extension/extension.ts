import * as vscode from 'vscode';
import { registerGraph } from './graph';
import { registerPlans } from './plans';
import { registerTraces } from './traces/index';

/**
 * Activates the extension. Every feature registers itself through one `register*` function
 * that pushes its disposables onto `context.subscriptions`, so deactivation releases them all.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Agent Deadlock Debugger', { log: true });
  context.subscriptions.push(log);
  const graph = registerGraph(context, log);
  registerPlans(context, log);
  registerTraces(context, log, (source) => graph.showSource(source));
  log.info('Agent Deadlock Debugger activated.');
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
