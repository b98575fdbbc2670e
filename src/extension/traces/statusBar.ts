/** Status bar items: running calls of the active trace, and the OTLP receiver while it runs. */
import * as vscode from 'vscode';
import { duration } from '../../core/trace/findingsUtil';
import type { TraceHub } from './hub';
import type { TraceUpdate } from './session';

export function registerTraceStatusBar(context: vscode.ExtensionContext, hub: TraceHub): void {
  const calls = vscode.window.createStatusBarItem('agentDeadlock.traceCalls', vscode.StatusBarAlignment.Left, 50);
  calls.name = vscode.l10n.t('Agent Calls');
  calls.command = 'agentDeadlock.agentCalls.focus';
  const receiver = vscode.window.createStatusBarItem('agentDeadlock.otlpReceiver', vscode.StatusBarAlignment.Left, 49);
  receiver.name = vscode.l10n.t('OTLP Receiver');
  receiver.command = 'agentDeadlock.stopOtlpReceiver';
  context.subscriptions.push(calls, receiver);

  const show = (update: TraceUpdate | undefined): void => {
    if (!update) {
      calls.hide();
      return;
    }
    const oldest = update.oldestAgeMs !== undefined ? vscode.l10n.t(', oldest {0}', duration(update.oldestAgeMs)) : '';
    let problem: string | undefined;
    if (update.deadlock) problem = vscode.l10n.t('deadlock');
    else if (update.hung) problem = vscode.l10n.t('hung call');
    const icon = problem ? '$(warning)' : '$(pulse)';
    calls.text = `${icon} ${vscode.l10n.t('{0} running', update.runningCalls)}${oldest}${problem ? ` · ${problem}` : ''}`;
    calls.tooltip = vscode.l10n.t('{0}: {1} running calls, {2} findings. Click to show the Agent Calls view.', update.title, update.runningCalls, update.findings.length);
    calls.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    calls.show();
  };

  context.subscriptions.push(
    hub.onDidUpdate((update) => {
      if (update.sessionId === hub.active?.id) show(update);
    }),
    hub.onDidChangeActive((session) => show(session?.last)),
    hub.onDidChangeReceiver((port) => {
      if (port === undefined) {
        receiver.hide();
        return;
      }
      receiver.text = `$(radio-tower) OTLP 127.0.0.1:${port}`;
      receiver.tooltip = vscode.l10n.t('The OTLP receiver accepts POST /v1/traces on 127.0.0.1:{0}. Click to stop it.', port);
      receiver.show();
    }),
  );
}
