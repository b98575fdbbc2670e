/** The Agent Calls view: agents of the active trace, their calls with status, live age, timeout and findings. */
import * as vscode from 'vscode';
import type { Finding } from '../../core/findings';
import { duration } from '../../core/trace/findingsUtil';
import type { SourceRange, TraceAgent, TraceCall, UnstartedCall } from '../../core/trace/model';
import type { TraceHub } from './hub';
import type { TraceUpdate } from './session';

export const REVEAL_COMMAND = 'agentDeadlock.revealTraceEvent';

type Item =
  | { kind: 'agent'; agent: TraceAgent }
  | { kind: 'call'; call: TraceCall }
  /** A call that a run stranded before it started. */
  | { kind: 'unstarted'; call: UnstartedCall }
  | { kind: 'empty'; text: string };

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
    const unstarted = [...builder.unstartedCalls.values()];
    if (!element) {
      const agents = [...builder.agents.values()];
      // Stranded calls can belong to an agent that started no call, such as a run stopped at once.
      for (const call of unstarted) {
        if (!builder.agents.has(call.agent) && !agents.some((agent) => agent.id === call.agent)) {
          agents.push({ id: call.agent, status: 'cancelled', turn: 0, range: call.range });
        }
      }
      return agents.length > 0 ? agents.map((agent): Item => ({ kind: 'agent', agent })) : [{ kind: 'empty', text: vscode.l10n.t('No events yet.') }];
    }
    if (element.kind === 'agent') {
      const items = calls.filter((call) => call.agent === element.agent.id).map((call): Item => ({ kind: 'call', call }));
      for (const call of unstarted) if (call.agent === element.agent.id) items.push({ kind: 'unstarted', call });
      return items;
    }
    return [];
  }

  getTreeItem(element: Item): vscode.TreeItem {
    if (element.kind === 'empty') return new vscode.TreeItem(element.text);
    const session = this.hub.active;
    const now = this.update?.now ?? Date.now();
    if (element.kind === 'unstarted') return this.unstartedItem(element.call);
    if (element.kind === 'agent') {
      const item = new vscode.TreeItem(element.agent.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `agent:${element.agent.id}`;
      item.iconPath = new vscode.ThemeIcon('person');
      const ended = this.update?.ended === true && element.agent.status === 'running';
      let status: string = ended ? vscode.l10n.t('trace ended') : element.agent.status;
      if (session?.analyzer.builder.agents.has(element.agent.id) === false) status = vscode.l10n.t('no call started');
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
    if (call.strandedReason !== undefined) tooltip.appendText(`${vscode.l10n.t('Stranded: {0}.', call.strandedReason.replace(/\.$/, ''))}\n`);
    for (const finding of findings) tooltip.appendMarkdown(`\n- **${finding.kind}**: `).appendText(finding.message.split('\n')[0]);
    item.tooltip = tooltip;
    item.contextValue = call.status === 'running' && this.update?.ended !== true ? 'traceCallRunning' : 'traceCall';
    if (session?.uri) item.command = revealCommand(session.uri, call.startRange);
    return item;
  }

  /** Builds the row of a call that never started, with the cause in its description and tooltip. */
  private unstartedItem(call: UnstartedCall): vscode.TreeItem {
    const item = new vscode.TreeItem(call.tool !== undefined ? `${call.tool} ${call.id}` : call.id);
    item.id = `unstarted:${call.id}`;
    item.iconPath = new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.warningForeground'));
    const waitsFor = call.waitsFor.filter((id) => !id.startsWith('lock:'));
    const parts = [vscode.l10n.t('stranded, never started')];
    if (waitsFor.length > 0) parts.push(vscode.l10n.t('waits for {0}', waitsFor.join(', ')));
    item.description = parts.join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${call.tool !== undefined ? `${call.tool} ` : ''}${call.id}\n`);
    tooltip.appendText(
      call.reason !== undefined
        ? vscode.l10n.t('Never started: {0}.', call.reason.replace(/\.$/, ''))
        : vscode.l10n.t('Never started: the run stranded it, and the trace gives no reason.'),
    );
    item.tooltip = tooltip;
    item.contextValue = 'traceCallUnstarted';
    const session = this.hub.active;
    if (session?.uri) item.command = revealCommand(session.uri, call.range);
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

/** Returns the command that opens the trace file at an event's line. */
function revealCommand(uri: vscode.Uri, range: SourceRange): vscode.Command {
  return { command: REVEAL_COMMAND, title: vscode.l10n.t('Reveal Event'), arguments: [uri, range.line, range.start, range.end] };
}
