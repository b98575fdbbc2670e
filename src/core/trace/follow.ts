/**
 * Follows a trace file as it grows, like `tail -F`: reads what was appended since the last
 * poll, keeps a partial last line until its line break arrives, and starts over when the file
 * shrinks (truncation) or is replaced by another file (rotation). File access and the clock
 * are injected so tests can drive both.
 */
import { IncrementalTraceAnalyzer, type LiveTraceOptions } from './live';

export interface FileStat {
  size: number;
  /** Identity of the file (inode on POSIX); a change means the path now names another file. */
  identity?: string;
}

export interface FollowFileSystem {
  /** Returns undefined when the file does not exist (for example between rotation and re-creation). */
  stat(path: string): Promise<FileStat | undefined>;
  /** Reads up to `length` bytes from `position`. */
  read(path: string, position: number, length: number): Promise<Uint8Array>;
}

export interface Disposable {
  dispose(): void;
}

export interface FollowClock {
  now(): number;
  setInterval(callback: () => void, ms: number): Disposable;
}

export type FollowResetReason = 'truncated' | 'rotated';

export interface FollowerEvents {
  /** New lines were read; `bytes` counts the bytes read in this poll. */
  onAppend?(bytes: number): void;
  onReset?(reason: FollowResetReason): void;
  onError?(error: unknown): void;
}

export interface FollowOptions extends LiveTraceOptions {
  /** Poll interval in milliseconds; default 200. */
  pollMs?: number;
  /** Bytes read per call to `read`; default 1 MiB. */
  chunkBytes?: number;
}

export class TraceFollower {
  readonly analyzer: IncrementalTraceAnalyzer;
  /** Bytes of the current file read so far. */
  position = 0;
  private identity: string | undefined;
  private timer: Disposable | undefined;
  private polling: Promise<void> | undefined;
  private again = false;

  constructor(
    readonly path: string,
    private readonly fs: FollowFileSystem,
    private readonly clock: FollowClock,
    private readonly options: FollowOptions = {},
    private readonly events: FollowerEvents = {},
  ) {
    this.analyzer = new IncrementalTraceAnalyzer(options);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Reads the file as it is now and then polls for appended data. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => void this.poll(), this.options.pollMs ?? 200);
    await this.poll();
  }

  stop(): void {
    this.timer?.dispose();
    this.timer = undefined;
  }

  /** Reads whatever was appended. Concurrent calls are merged into one extra poll. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          await this.pollOnce();
        } while (this.again);
      } catch (error) {
        this.events.onError?.(error);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const stat = await this.fs.stat(this.path);
    if (!stat) return;
    if (this.identity !== undefined && stat.identity !== undefined && stat.identity !== this.identity) {
      this.restart('rotated');
    } else if (stat.size < this.position) {
      this.restart('truncated');
    }
    this.identity = stat.identity;

    const chunk = this.options.chunkBytes ?? 1 << 20;
    let read = 0;
    while (this.position < stat.size) {
      const bytes = await this.fs.read(this.path, this.position, Math.min(chunk, stat.size - this.position));
      if (bytes.length === 0) break;
      this.analyzer.append(bytes);
      this.position += bytes.length;
      read += bytes.length;
    }
    if (read > 0) this.events.onAppend?.(read);
  }

  private restart(reason: FollowResetReason): void {
    this.position = 0;
    this.analyzer.reset();
    this.events.onReset?.(reason);
  }
}
