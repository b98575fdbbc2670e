/**
 * A trace session as a source for the graph panel: the wait-for graph of the session, its live
 * call ages, and reveal of a node's event in the trace file. Its shape follows the graph
 * panel's `GraphSource` interface (key, title, documentUri, onDidChange, model, ages, reveal).
 */
import * as vscode from 'vscode';
import type { GraphModel, NodeStatus } from '../../shared/graphModel';
import type { TraceHub } from './hub';
import type { TraceSession } from './session';
import { revealTraceEvent } from './treeView';

/** Live timing of one call, keyed by graph node id. */
export interface TraceCallAge {
  id: string;
  startedAt: number;
  timeoutMs?: number;
  status: NodeStatus;
}

export class TraceGraphSource implements vscode.Disposable {
  readonly key: string;
  readonly title: string;
  readonly documentUri: vscode.Uri;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private lastSignature: string | undefined;

  constructor(
    hub: TraceHub,
    private readonly session: TraceSession,
  ) {
    this.key = `trace:${session.id}`;
    this.title = vscode.l10n.t('Wait-for graph: {0}', session.title);
    this.documentUri = session.uri ?? vscode.Uri.parse(`untitled:${encodeURIComponent(session.title)}`);
    this.subscription = hub.onDidUpdate((update) => {
      if (update.sessionId !== session.id) return;
      // Ticks that only move the clock leave the model as it was, and ages() covers them.
      if (this.signature() !== this.lastSignature) this.changed.fire();
    });
  }

  /** Changes when events arrive or findings change, not when only the clock moves. */
  private signature(): string {
    const update = this.session.last;
    return `${this.session.analyzer.builder.eventCount} ${update?.findings.length ?? 0} ${update?.deadlock ?? false} ${update?.hung ?? false}`;
  }

  model(): GraphModel {
    const update = this.session.last;
    this.lastSignature = this.signature();
    return update?.graph ?? { kind: 'wait-for', title: this.session.title, nodes: [], edges: [], components: [] };
  }

  /**
   * Returns the start time and timeout of every call that has started, for the live age
   * display. The panel measures ages on the wall clock, so start times move from the session's
   * clock to the wall clock, and an ended call's start moves so that its age stays its duration.
   */
  ages(): TraceCallAge[] | undefined {
    const graph = this.session.last?.graph;
    if (!graph || (this.session.last?.runningCalls ?? 0) === 0) return undefined;
    const clockNow = this.session.clock();
    const wallNow = Date.now();
    const ages: TraceCallAge[] = [];
    for (const node of graph.nodes) {
      if (node.kind !== 'call' || node.startedAt === undefined) continue;
      const ageMs = (node.endedAt ?? clockNow) - node.startedAt;
      ages.push({ id: node.id, startedAt: wallNow - ageMs, timeoutMs: node.timeoutMs, status: node.status });
    }
    return ages;
  }

  async reveal(nodeId: string): Promise<void> {
    const node = this.session.last?.graph.nodes.find((candidate) => candidate.id === nodeId);
    if (!node?.range || !this.session.uri) return;
    const document = await vscode.workspace.openTextDocument(this.session.uri);
    await revealTraceEvent(this.session.uri, document.positionAt(node.range.start).line);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
