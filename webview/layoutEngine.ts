/**
 * Runs worker layouts. The worker script is fetched and started from a `blob:` URL, because
 * VS Code serves webview resources from another origin than the webview document and
 * browsers only start workers from same-origin or blob URLs. When the worker cannot start or
 * fails, the same code runs on the main thread, so the graph still appears.
 */
import { runLayout } from './layout/run';
import type { LayoutFailure, LayoutRequest, LayoutResult } from './layout/types';

export class LayoutEngine {
  private worker: Worker | undefined;
  private workerFailed = false;
  private starting: Promise<Worker | undefined> | undefined;
  private readonly pending = new Map<number, { resolve(result: LayoutResult): void; reject(error: Error): void }>();

  constructor(
    private readonly workerUri: string | undefined,
    private readonly onWorkerError: (message: string) => void,
  ) {}

  async run(request: LayoutRequest): Promise<LayoutResult> {
    const worker = await this.startWorker();
    if (!worker) return runLayout(request, () => performance.now());
    try {
      return await new Promise<LayoutResult>((resolve, reject) => {
        this.pending.set(request.requestId, { resolve, reject });
        worker.postMessage(request);
      });
    } catch (error) {
      this.onWorkerError(`Layout worker failed, laying out on the main thread instead: ${String(error)}`);
      return runLayout(request, () => performance.now());
    }
  }

  /** Starts fetching and starting the worker before the first layout is needed. */
  warmUp(): void {
    void this.startWorker();
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private startWorker(): Promise<Worker | undefined> {
    if (this.workerFailed || !this.workerUri) return Promise.resolve(undefined);
    this.starting ??= this.createWorker(this.workerUri).catch((error: unknown) => {
      this.workerFailed = true;
      this.onWorkerError(`Could not start the layout worker from ${this.workerUri}; laying out on the main thread: ${String(error)}`);
      return undefined;
    });
    return this.starting;
  }

  private async createWorker(uri: string): Promise<Worker> {
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const source = await response.text();
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.onmessage = (event: MessageEvent<LayoutResult | LayoutFailure>) => {
      const data = event.data;
      const entry = this.pending.get(data.requestId);
      if (!entry) return;
      this.pending.delete(data.requestId);
      if ('error' in data) entry.reject(new Error(data.error));
      else entry.resolve(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.workerFailed = true;
      this.worker = undefined;
      worker.terminate();
      for (const entry of this.pending.values()) entry.reject(new Error(event.message || 'worker error'));
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}
