/**
 * One live trace in the editor: a followed file, or the spans the OTLP receiver collects.
 * It owns an incremental analyser and publishes a snapshot (graph, findings, ages) after
 * every append and once a second while calls are running, so ages stay current.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/findings';
import { TraceFollower } from '../../core/trace/follow';
import { IncrementalTraceAnalyzer, type LiveSnapshot, type LiveTraceOptions } from '../../core/trace/live';
import type { TraceCall } from '../../core/trace/model';
import type { GraphModel } from '../../shared/graphModel';
import { nodeFollowFileSystem, systemClock } from '../../node/traceFiles';

/** Snapshot sent to subscribers of the trace event API after each change or tick. */
export interface TraceUpdate {
  sessionId: string;
  title: string;
  /** The file the events come from; reveal positions refer to it. */
  uri?: vscode.Uri;
  graph: GraphModel;
  findings: Finding[];
  /** Epoch milliseconds the ages were measured to, on the session's clock. */
  now: number;
  runningCalls: number;
  /** Age of the oldest running call in milliseconds. */
  oldestAgeMs?: number;
  deadlock: boolean;
  hung: boolean;
  /** True once the recorder ended the trace (a finished run): open calls are then stranded. */
  ended: boolean;
}

/** Delay that merges bursts of appended lines into one analysis. */
const APPEND_DEBOUNCE_MS = 40;

export class TraceSession implements vscode.Disposable {
  readonly analyzer: IncrementalTraceAnalyzer;
  private readonly follower: TraceFollower | undefined;
  private readonly changed = new vscode.EventEmitter<TraceUpdate>();
  readonly onDidUpdate = this.changed.event;
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  last: (TraceUpdate & { snapshot: LiveSnapshot }) | undefined;
  /**
   * The clock that ages are measured on, in epoch ms. The wall clock by default. A run's trace
   * uses the run's clock, because its times are on that clock, which can be sped up or paused.
   */
  clock: () => number = () => Date.now();

  constructor(
    readonly id: string,
    readonly title: string,
    readonly uri: vscode.Uri | undefined,
    options: LiveTraceOptions,
    log: vscode.LogOutputChannel,
  ) {
    if (uri) {
      this.follower = new TraceFollower(uri.fsPath, nodeFollowFileSystem, systemClock, { ...options, pollMs: 100 }, {
        onAppend: () => this.schedule(),
        onReset: (reason) => {
          log.info(`Trace ${uri.fsPath} was ${reason}; reading it again from the start.`);
          this.schedule();
        },
        onError: (error) => log.error(`Reading trace ${uri.fsPath} failed: ${error instanceof Error ? error.message : String(error)}`),
      });
      this.analyzer = this.follower.analyzer;
      // File events make appends visible sooner than the next poll.
      const folder = vscode.Uri.joinPath(uri, '..');
      const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
      this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, name));
      this.watcher.onDidChange(() => void this.follower?.poll());
      this.watcher.onDidCreate(() => void this.follower?.poll());
    } else {
      this.analyzer = new IncrementalTraceAnalyzer(options);
    }
    this.ticker = setInterval(() => {
      if ((this.last?.runningCalls ?? 0) > 0) this.publish();
    }, 1000);
  }

  async start(): Promise<void> {
    await this.follower?.start();
    this.publish();
  }

  /** Adds text to a session without a file, such as the spans the receiver got. */
  append(text: string): void {
    this.analyzer.append(text);
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.publish();
    }, APPEND_DEBOUNCE_MS);
  }

  /** Analyses the current state and notifies subscribers. */
  publish(): void {
    const snapshot = this.analyzer.snapshot(this.title, this.clock());
    // Once the trace ended, ages stop at its end and open calls no longer count as running.
    const now = snapshot.now;
    let running = 0;
    let oldest: number | undefined;
    const consider = (call: TraceCall): void => {
      if (call.status !== 'running' || snapshot.ended) return;
      running++;
      if (call.startedAt !== undefined) oldest = Math.max(oldest ?? 0, now - call.startedAt);
    };
    for (const call of this.analyzer.builder.calls.values()) consider(call);
    for (const call of snapshot.analysis.inferredCalls) consider(call);
    const findings = snapshot.analysis.findings;
    this.last = {
      sessionId: this.id,
      title: this.title,
      uri: this.uri,
      graph: snapshot.graph,
      findings,
      now,
      runningCalls: running,
      oldestAgeMs: oldest,
      deadlock: findings.some((f) => f.kind === 'deadlock'),
      hung: findings.some((f) => f.kind === 'hung-call'),
      ended: snapshot.ended,
      snapshot,
    };
    this.changed.fire(this.last);
  }

  dispose(): void {
    this.follower?.stop();
    this.watcher?.dispose();
    if (this.pending) clearTimeout(this.pending);
    if (this.ticker) clearInterval(this.ticker);
    this.changed.dispose();
  }
}
