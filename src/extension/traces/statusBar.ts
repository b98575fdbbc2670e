/**
 * Status bar items: running calls of the active trace, and the OTLP receiver while it runs.
 * While a run writes the active trace, the calls item takes its ages from the run's state,
 * the same reading that the run's own item shows, so the two items show the same age.
 */
import * as vscode from 'vscode';
import { formatAge, inFlightAges } from '../../core/run/liveAges';
import { duration } from '../../core/trace/findingsUtil';
import type { RunStateSnapshot } from '../run/runController';
import type { TraceHub } from './hub';
import type { TraceUpdate } from './session';

export function registerTraceStatusBar(context: vscode.ExtensionContext, hub: TraceHub, runStates?: vscode.Event<RunStateSnapshot>): void {
  const calls = vscode.window.createStatusBarItem('agentDeadlock.traceCalls', vscode.StatusBarAlignment.Left, 50);
  calls.name = vscode.l10n.t('Agent Calls');
  calls.command = 'agentDeadlock.agentCalls.focus';
  const receiver = vscode.window.createStatusBarItem('agentDeadlock.otlpReceiver', vscode.StatusBarAlignment.Left, 49);
  receiver.name = vscode.l10n.t('OTLP Receiver');
  receiver.command = 'agentDeadlock.stopOtlpReceiver';
  context.subscriptions.push(calls, receiver);

  /** The latest state of the run in progress, or undefined once it ended. */
  let liveRun: RunStateSnapshot | undefined;
  const runWriting = (update: TraceUpdate): RunStateSnapshot | undefined =>
    liveRun !== undefined && update.uri !== undefined && update.uri.fsPath === liveRun.tracePath ? liveRun : undefined;

  const show = (update: TraceUpdate | undefined): void => {
    if (!update) {
      calls.hide();
      return;
    }
    let running = update.runningCalls;
    let oldest = update.oldestAgeMs !== undefined ? vscode.l10n.t(', oldest {0}', duration(update.oldestAgeMs)) : '';
    const run = runWriting(update);
    if (run !== undefined) {
      // The trace file lags the run, and its times are on the run's clock, which can run
      // faster than the wall clock or pause. The run's state has the ages to show.
      const ages = inFlightAges(run);
      running = ages.calls.length;
      oldest = ages.oldestMs !== undefined ? vscode.l10n.t(', oldest {0}', formatAge(ages.oldestMs)) : '';
    }
    let problem: string | undefined;
    if (update.deadlock) problem = vscode.l10n.t('deadlock');
    else if (update.hung) problem = vscode.l10n.t('hung call');
    const icon = problem ? '$(warning)' : '$(pulse)';
    calls.text = `${icon} ${vscode.l10n.t('{0} running', running)}${oldest}${problem ? ` · ${problem}` : ''}`;
    calls.tooltip = vscode.l10n.t('{0}: {1} running calls, {2} findings. Click to show the Agent Calls view.', update.title, running, update.findings.length);
    calls.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    calls.show();
  };

  if (runStates) {
    context.subscriptions.push(
      runStates((state) => {
        liveRun = state.done ? undefined : state;
        const update = hub.active?.last;
        if (update !== undefined && (liveRun === undefined || runWriting(update) !== undefined)) show(update);
      }),
    );
  }

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
