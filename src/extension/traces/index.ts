/**
 * Trace features of the extension: following trace files live, the OTLP receiver, the Agent
 * Calls view, the status bar and diagnostics on trace files. The returned hub is the event API
 * for the graph panel: `hub.onDidUpdate` delivers each new `TraceUpdate`.
 */
import * as vscode from 'vscode';
import { detectTraceFormat } from '../../core/trace/reader';
import { registerTraceDiagnostics } from './diagnostics';
import { TraceGraphSource } from './graphSource';
import { RECEIVER_SESSION, TraceHub } from './hub';
import type { RunStateSnapshot } from '../run/runController';
import { registerTraceStatusBar } from './statusBar';
import { AgentCallsProvider, REVEAL_COMMAND, revealTraceEvent } from './treeView';

export type { TraceUpdate } from './session';
export type { TraceHub } from './hub';
export { TraceGraphSource } from './graphSource';

let currentHub: TraceHub | undefined;

/** Returns the trace hub of the running extension, for the graph panel and tests. */
export function getTraceHub(): TraceHub | undefined {
  return currentHub;
}

/**
 * Opens a graph panel for a source. The graph panel's `showSource` fits; without one, the
 * Show Trace Graph command says that no graph panel is available.
 */
export type ShowGraphSource = (source: TraceGraphSource) => unknown;

/**
 * Registers the trace features. `runStates` is the run's live state, which the status bar
 * reads while a run writes the active trace.
 */
export function registerTraces(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  showGraph?: ShowGraphSource,
  runStates?: vscode.Event<RunStateSnapshot>,
): TraceHub {
  const hub = new TraceHub(log, context.globalStorageUri);
  currentHub = hub;
  context.subscriptions.push(hub, { dispose: () => (currentHub = undefined) });

  const provider = new AgentCallsProvider(hub);
  const view = vscode.window.createTreeView('agentDeadlock.agentCalls', { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(provider, view);
  registerTraceStatusBar(context, hub, runStates);
  registerTraceDiagnostics(context, log, hub);

  const showError = async (message: string): Promise<void> => {
    log.error(message);
    const openLog = vscode.l10n.t('Open Log');
    if ((await vscode.window.showErrorMessage(message, openLog)) === openLog) log.show();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('agentDeadlock.followTrace', async (uri?: vscode.Uri) => {
      const active = vscode.window.activeTextEditor?.document;
      const activeTrace = active && detectTraceFormat(active.getText(new vscode.Range(0, 0, 64, 0))) !== undefined ? active.uri : undefined;
      const target =
        uri ??
        activeTrace ??
        (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Follow Trace'), filters: { [vscode.l10n.t('Traces')]: ['jsonl', 'json', 'ndjson', 'log'] } }))?.[0];
      if (!target) return;
      if (target.scheme !== 'file') {
        await showError(vscode.l10n.t('Cannot follow {0}: only files on disk can be followed.', target.toString()));
        return;
      }
      try {
        await hub.follow(target);
        await vscode.commands.executeCommand('agentDeadlock.agentCalls.focus');
      } catch (error) {
        await showError(vscode.l10n.t('Following trace {0} failed: {1}', target.fsPath, error instanceof Error ? error.message : String(error)));
      }
    }),
    vscode.commands.registerCommand('agentDeadlock.stopFollowingTrace', () => {
      const session = hub.active;
      if (session) {
        if (session.id === RECEIVER_SESSION) void hub.stopReceiver();
        hub.stop(session.id);
      }
    }),
    vscode.commands.registerCommand('agentDeadlock.startOtlpReceiver', async () => {
      try {
        const port = await hub.startReceiver();
        vscode.window.showInformationMessage(vscode.l10n.t('The OTLP receiver listens on http://127.0.0.1:{0}/v1/traces (JSON only).', port));
      } catch (error) {
        await showError(
          vscode.l10n.t('Starting the OTLP receiver failed: {0}. Set another port in agentDeadlock.otlpReceiver.port or stop the other program on it.', error instanceof Error ? error.message : String(error)),
        );
      }
    }),
    vscode.commands.registerCommand('agentDeadlock.showTraceGraph', async () => {
      const session = hub.active;
      if (!session) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Follow a trace file or start the OTLP receiver first; the graph shows the active trace.'));
        return;
      }
      if (!showGraph) {
        await showError(vscode.l10n.t('Showing the wait-for graph of {0} failed: the graph panel is not available in this build.', session.title));
        return;
      }
      showGraph(new TraceGraphSource(hub, session));
    }),
    vscode.commands.registerCommand('agentDeadlock.stopOtlpReceiver', async () => {
      await hub.stopReceiver();
    }),
    // Returns a plain summary of the active trace, for tests and for other extensions.
    vscode.commands.registerCommand('agentDeadlock.traceState', () => {
      const update = hub.active?.last;
      return {
        title: update?.title,
        uri: update?.uri?.toString(),
        runningCalls: update?.runningCalls ?? 0,
        calls: [...(hub.active?.analyzer.builder.calls.values() ?? [])].map((call) => ({ id: call.id, tool: call.tool, status: call.status, line: call.startRange.line })),
        unstartedCalls: [...(hub.active?.analyzer.builder.unstartedCalls.values() ?? [])].map((call) => ({ id: call.id, tool: call.tool, reason: call.reason, waitsFor: call.waitsFor })),
        findings: (update?.findings ?? []).map((finding) => ({ kind: finding.kind, calls: finding.calls ?? [], spans: finding.spans ?? [] })),
        receiverPort: hub.receiverPort,
      };
    }),
    vscode.commands.registerCommand(REVEAL_COMMAND, async (uri: vscode.Uri, line: number) => {
      try {
        await revealTraceEvent(uri, line);
      } catch (error) {
        await showError(vscode.l10n.t('Opening {0} at line {1} failed: {2}', uri.fsPath, line + 1, error instanceof Error ? error.message : String(error)));
      }
    }),
  );

  const autoStart = (): void => {
    if (vscode.workspace.getConfiguration('agentDeadlock').get<boolean>('otlpReceiver.autoStart') === true && hub.receiverPort === undefined) {
      void vscode.commands.executeCommand('agentDeadlock.startOtlpReceiver');
    }
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('agentDeadlock.otlpReceiver.autoStart')) autoStart();
    }),
  );
  autoStart();
  return hub;
}
