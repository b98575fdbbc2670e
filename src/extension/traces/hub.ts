/**
 * The trace sessions of the window and the event API other parts subscribe to. The graph
 * panel listens to `onDidUpdate` for the wait-for graph with live ages; the tree view and the
 * status bar show the active session.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_TIMEOUT_MS } from '../../core/trace/analyze';
import type { LiveTraceOptions } from '../../core/trace/live';
import { DEFAULT_OTLP_PORT, OtlpReceiver } from '../../core/trace/receiver';
import { TraceSession, type TraceUpdate } from './session';

export const RECEIVER_SESSION = 'otlp-receiver';

/** Reads the trace settings: per-tool timeouts and the default timeout, in milliseconds. */
export function traceOptions(): LiveTraceOptions {
  const config = vscode.workspace.getConfiguration('agentDeadlock');
  const raw = config.get<Record<string, unknown>>('toolTimeouts') ?? {};
  const toolTimeouts = new Map<string, number>();
  for (const [tool, value] of Object.entries(raw)) {
    if (typeof value === 'number' && value > 0) toolTimeouts.set(tool, value);
  }
  const defaultTimeoutMs = config.get<number>('defaultTimeoutMs') ?? DEFAULT_TIMEOUT_MS;
  return { toolTimeouts, defaultTimeoutMs: defaultTimeoutMs > 0 ? defaultTimeoutMs : DEFAULT_TIMEOUT_MS };
}

export class TraceHub implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: TraceSession; subscription: vscode.Disposable }>();
  private readonly updated = new vscode.EventEmitter<TraceUpdate>();
  private readonly activeChanged = new vscode.EventEmitter<TraceSession | undefined>();
  private readonly receiverChanged = new vscode.EventEmitter<number | undefined>();
  /** Fires with every new snapshot of any session: graph, findings and ages. */
  readonly onDidUpdate = this.updated.event;
  readonly onDidChangeActive = this.activeChanged.event;
  /** Fires with the receiver's port when it starts, and undefined when it stops. */
  readonly onDidChangeReceiver = this.receiverChanged.event;
  private activeId: string | undefined;
  private receiver: OtlpReceiver | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly storage: vscode.Uri,
  ) {}

  get active(): TraceSession | undefined {
    return this.activeId !== undefined ? this.sessions.get(this.activeId)?.session : undefined;
  }

  get allSessions(): TraceSession[] {
    return [...this.sessions.values()].map((entry) => entry.session);
  }

  get receiverPort(): number | undefined {
    return this.receiver?.running ? this.receiver.port : undefined;
  }

  setActive(id: string | undefined): void {
    this.activeId = id;
    this.activeChanged.fire(this.active);
  }

  private add(session: TraceSession): TraceSession {
    const subscription = session.onDidUpdate((update) => this.updated.fire(update));
    this.sessions.set(session.id, { session, subscription });
    this.setActive(session.id);
    return session;
  }

  /**
   * Follows a trace file, or makes its session active when it is followed already. `clock`
   * replaces the wall clock that ages are measured on, for a trace that a run writes.
   */
  async follow(uri: vscode.Uri, clock?: () => number): Promise<TraceSession> {
    const id = uri.toString();
    const existing = this.sessions.get(id);
    if (existing) {
      if (clock !== undefined) existing.session.clock = clock;
      this.setActive(id);
      return existing.session;
    }
    const session = new TraceSession(id, path.basename(uri.fsPath), uri, traceOptions(), this.log);
    if (clock !== undefined) session.clock = clock;
    this.add(session);
    this.log.info(`Following trace ${uri.fsPath}.`);
    await session.start();
    return session;
  }

  stop(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    entry.subscription.dispose();
    entry.session.dispose();
    this.sessions.delete(id);
    this.log.info(`Stopped following ${entry.session.title}.`);
    if (this.activeId === id) this.setActive(this.sessions.keys().next().value);
  }

  /** Starts the OTLP receiver on 127.0.0.1 and records what it receives to a file in extension storage. */
  async startReceiver(): Promise<number> {
    if (this.receiver?.running) return this.receiver.port ?? 0;
    const port = vscode.workspace.getConfiguration('agentDeadlock').get<number>('otlpReceiver.port') ?? DEFAULT_OTLP_PORT;
    await fs.promises.mkdir(this.storage.fsPath, { recursive: true });
    await this.removeOldReceiverFiles();
    const file = vscode.Uri.joinPath(this.storage, `otlp-received-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
    await fs.promises.writeFile(file.fsPath, '');
    const session = this.add(new TraceSession(RECEIVER_SESSION, vscode.l10n.t('OTLP receiver'), file, traceOptions(), this.log));
    await session.start();
    const receiver = new OtlpReceiver({
      port,
      logger: { info: (message) => this.log.info(message), warn: (message) => this.log.warn(message) },
      // The session follows the file, so every received batch is a line that can be revealed.
      onTraces: (request) => fs.appendFileSync(file.fsPath, `${JSON.stringify(request)}\n`),
    });
    try {
      const actual = await receiver.start();
      this.receiver = receiver;
      this.receiverChanged.fire(actual);
      return actual;
    } catch (error) {
      this.stop(RECEIVER_SESSION);
      throw error;
    }
  }

  /** Deletes all but the newest few files of earlier receiver runs, so storage does not grow without end. */
  private async removeOldReceiverFiles(): Promise<void> {
    const keep = 5;
    try {
      const names = (await fs.promises.readdir(this.storage.fsPath)).filter((name) => /^otlp-received-.*\.jsonl$/.test(name)).sort();
      for (const name of names.slice(0, Math.max(0, names.length - keep))) {
        await fs.promises.rm(path.join(this.storage.fsPath, name), { force: true });
      }
    } catch (error) {
      this.log.warn(`Removing old OTLP receiver files from ${this.storage.fsPath} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async stopReceiver(): Promise<void> {
    const receiver = this.receiver;
    this.receiver = undefined;
    if (receiver) await receiver.stop();
    this.receiverChanged.fire(undefined);
  }

  dispose(): void {
    void this.stopReceiver();
    for (const id of [...this.sessions.keys()]) this.stop(id);
    this.updated.dispose();
    this.activeChanged.dispose();
    this.receiverChanged.dispose();
  }
}
