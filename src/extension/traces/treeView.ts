/** The Agent Calls view: agents of the active trace, their calls with status, live age, timeout and findings. */
import * as vscode from 'vscode';
import type { Finding } from '../../core/findings';
import { duration } from '../../core/trace/findingsUtil';
import type { TraceAgent, TraceCall } from '../../core/trace/model';
import type { TraceHub } from './hub';
import type { TraceUpdate } from './session';

export const REVEAL_COMMAND = 'agentDeadlock.revealTraceEvent';

type Item = { kind: 'agent'; agent: TraceAgent } | { kind: 'call'; call: TraceCall } | { kind: 'empty'; text: string };

const STATUS_ICON: Record<TraceCall['status'], [string, string]> = {
  running: ['sync~spin', 'charts.blue'],
  ok: ['pass', 'charts.green'],
  error: ['error', 'charts.red'],
  timeout: ['watch', 'charts.red'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export class AgentCallsProvider implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Item | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private update: TraceUpdate | undefined;
  private findingsByCall = new Map<string, Finding[]>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly hub: TraceHub) {
    this.subscriptions.push(
      hub.onDidUpdate((update) => {
        if (update.sessionId !== hub.active?.id) return;
        this.setUpdate(update);
      }),
      hub.onDidChangeActive((session) => this.setUpdate(session?.last)),
    );
  }

  private setUpdate(update: TraceUpdate | undefined): void {
    this.update = update;
    this.findingsByCall = new Map();
    for (const finding of update?.findings ?? []) {
      for (const id of [...(finding.calls ?? []), ...(finding.spans ?? [])]) {
        let list = this.findingsByCall.get(id);
        if (!list) this.findingsByCall.set(id, (list = []));
        list.push(finding);
      }
    }
    this.changed.fire(undefined);
  }

  getChildren(element?: Item): Item[] {
    const session = this.hub.active;
    if (!session || !this.update) return element ? [] : [{ kind: 'empty', text: vscode.l10n.t('Open a trace to see its agents and calls.') }];
    const builder = session.analyzer.builder;
    const calls = [...builder.calls.values(), ...(session.last?.snapshot.analysis.inferredCalls ?? [])];
    if (!element) {
      const agents = [...builder.agents.values()].map((agent): Item => ({ kind: 'agent', agent }));
      return agents.length > 0 ? agents : [{ kind: 'empty', text: vscode.l10n.t('No events yet.') }];
    }
    if (element.kind === 'agent') {
      return calls.filter((call) => call.agent === element.agent.id).map((call): Item => ({ kind: 'call', call }));
    }
    return [];
  }

  getTreeItem(element: Item): vscode.TreeItem {
    if (element.kind === 'empty') return new vscode.TreeItem(element.text);
    const session = this.hub.active;
    const now = this.update?.now ?? Date.now();
    if (element.kind === 'agent') {
      const item = new vscode.TreeItem(element.agent.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `agent:${element.agent.id}`;
      item.iconPath = new vscode.ThemeIcon('person');
      const ended = this.update?.ended === true && element.agent.status === 'running';
      const status = ended ? vscode.l10n.t('trace ended') : element.agent.status;
      item.description = element.agent.parentCall ? vscode.l10n.t('subagent of {0}', element.agent.parentCall) : status;
      item.contextValue = 'traceAgent';
      return item;
    }

    const call = element.call;
    const findings = this.findingsByCall.get(call.id) ?? [];
    const timeout = session?.last?.snapshot.analysis.timeoutOf(call);
    const item = new vscode.TreeItem(call.inferred ? vscode.l10n.t('span {0}', call.id) : `${call.tool} ${call.id}`);
    item.id = `call:${call.id}`;
    const [icon, color] = findings.some((f) => f.kind === 'hung-call' || f.kind === 'deadlock') ? ['warning', 'charts.orange'] : STATUS_ICON[call.status];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    const parts: string[] = [];
    if (call.status === 'running' && this.update?.ended === true) {
      // The recorder ended the trace with this call still open: it will never finish.
      parts.push(vscode.l10n.t('stranded'));
      if (call.startedAt !== undefined) parts.push(duration(now - call.startedAt));
    } else if (call.status === 'running' && call.startedAt !== undefined) {
      parts.push(vscode.l10n.t('running {0}', duration(now - call.startedAt)));
      if (timeout !== undefined) parts.push(vscode.l10n.t('timeout {0}', duration(timeout)));
    } else {
      // A run's trace records a watchdog kill as outcome `killed` and status `cancelled`.
      parts.push(call.outcome ?? call.status);
      if (call.startedAt !== undefined && call.endedAt !== undefined) parts.push(duration(call.endedAt - call.startedAt));
    }
    if (findings.length > 0) parts.push(findings.map((f) => f.kind).join(', '));
    item.description = parts.join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${call.tool} ${call.id}\n`);
    if (call.error) tooltip.appendText(`${call.error}\n`);
    for (const finding of findings) tooltip.appendMarkdown(`\n- **${finding.kind}**: `).appendText(finding.message.split('\n')[0]);
    item.tooltip = tooltip;
    item.contextValue = call.status === 'running' && this.update?.ended !== true ? 'traceCallRunning' : 'traceCall';
    if (session?.uri) {
      item.command = {
        command: REVEAL_COMMAND,
        title: vscode.l10n.t('Reveal Event'),
        arguments: [session.uri, call.startRange.line, call.startRange.start, call.startRange.end],
      };
    }
    return item;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

/** Opens the trace file and selects the event line. */
export async function revealTraceEvent(uri: vscode.Uri, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const target = Math.min(line, document.lineCount - 1);
  const range = document.lineAt(target).range;
  await vscode.window.showTextDocument(document, { selection: range, preview: true });
}
