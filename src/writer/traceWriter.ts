/**
 * Writes the native JSONL trace format (docs/traces.md) from a Node.js agent. `wrap` records
 * the start, end and error of a tool function, sync or async; the current call is tracked
 * with AsyncLocalStorage, so calls made inside a wrapped tool name it as their parent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';

export type TraceCallStatus = 'ok' | 'error' | 'timeout' | 'cancelled';
export type TraceWaitOutcome = 'delivered' | 'failed' | 'cancelled' | 'lost' | 'timeout';
export type TraceWaitTarget = { call: string } | { agent: string } | { message: string; from?: string } | { lock: string };
export type TraceSubject = { call: string } | { agent: string };

export interface TraceWriterOptions {
  /** Agent that makes the calls unless a call names another. Default "main". */
  agent?: string;
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Writes the header line `trace.start` first. Default true. */
  header?: boolean;
}

export interface CallOptions {
  call?: string;
  agent?: string;
  parent?: string;
  input?: unknown;
  timeoutMs?: number;
  group?: string;
}

/** Appends lines to a file synchronously, so the trace survives a crash or a hang of the agent. */
export function fileTraceSink(path: string): (line: string) => void {
  return (line) => fs.appendFileSync(path, line);
}

export class TraceWriter {
  private readonly agent: string;
  private readonly now: () => number;
  private readonly current = new AsyncLocalStorage<string>();
  private counter = 0;

  constructor(private readonly sink: (line: string) => void, options: TraceWriterOptions = {}) {
    this.agent = options.agent ?? 'main';
    this.now = options.now ?? Date.now;
    if (options.header !== false) this.emit({ type: 'trace.start', format: 'agent-trace', version: 1 });
  }

  /** The id of the wrapped call the caller runs inside, if any. */
  get currentCall(): string | undefined {
    return this.current.getStore();
  }

  private nextId(prefix: string): string {
    this.counter++;
    return `${prefix}-${process.pid}-${this.counter}`;
  }

  private emit(event: Record<string, unknown>): void {
    const line: Record<string, unknown> = { ts: new Date(this.now()).toISOString(), ...event };
    for (const key of Object.keys(line)) if (line[key] === undefined) delete line[key];
    this.sink(`${JSON.stringify(line)}\n`);
  }

  callStart(tool: string, options: CallOptions = {}): string {
    const call = options.call ?? this.nextId('call');
    this.emit({
      type: 'call.start',
      call,
      tool,
      agent: options.agent ?? this.agent,
      parent: options.parent ?? this.currentCall,
      input: options.input,
      timeout_ms: options.timeoutMs,
      group: options.group,
    });
    return call;
  }

  callEnd(call: string, status: TraceCallStatus = 'ok', details: { error?: string; output?: unknown } = {}): void {
    this.emit({ type: 'call.end', call, status, error: details.error, output: details.output });
  }

  waitStart(target: TraceWaitTarget, waiter?: TraceSubject, wait?: string): string {
    const id = wait ?? this.nextId('wait');
    this.emit({ type: 'wait.start', wait: id, ...(waiter ?? this.defaultSubject()), for: target });
    return id;
  }

  waitEnd(wait: string, outcome: TraceWaitOutcome = 'delivered'): void {
    this.emit({ type: 'wait.end', wait, outcome });
  }

  lockRequest(lock: string, holder?: TraceSubject): void {
    this.emit({ type: 'lock.request', lock, ...(holder ?? this.defaultSubject()) });
  }

  lockAcquire(lock: string, holder?: TraceSubject): void {
    this.emit({ type: 'lock.acquire', lock, ...(holder ?? this.defaultSubject()) });
  }

  lockRelease(lock: string, holder?: TraceSubject): void {
    this.emit({ type: 'lock.release', lock, ...(holder ?? this.defaultSubject()) });
  }

  heartbeat(subject?: TraceSubject, note?: string): void {
    this.emit({ type: 'heartbeat', ...(subject ?? this.defaultSubject()), note });
  }

  agentStart(agent: string, parentCall?: string): void {
    this.emit({ type: 'agent.start', agent, parent_call: parentCall ?? this.currentCall });
  }

  agentEnd(agent: string, status: TraceCallStatus = 'ok'): void {
    this.emit({ type: 'agent.end', agent, status });
  }

  message(message: string, from?: string, to?: string): void {
    this.emit({ type: 'message', message, from, to });
  }

  private defaultSubject(): TraceSubject {
    const call = this.currentCall;
    return call !== undefined ? { call } : { agent: this.agent };
  }

  /**
   * Returns a function that records each call of `fn` as a tool call: start, then end with ok,
   * or error with the message of what it threw or rejected with. Promises are awaited, so the
   * end of an async tool is recorded when it settles.
   */
  wrap<A extends unknown[], R>(tool: string, fn: (...args: A) => R, options: Omit<CallOptions, 'call' | 'input'> = {}): (...args: A) => R {
    return (...args: A): R => {
      const call = this.callStart(tool, { ...options, input: args.length === 1 ? args[0] : args });
      let result: R;
      try {
        result = this.current.run(call, () => fn(...args));
      } catch (error) {
        this.callEnd(call, statusOf(error), { error: messageOf(error) });
        throw error;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          (value) => {
            this.callEnd(call, 'ok');
            return value;
          },
          (error: unknown) => {
            this.callEnd(call, statusOf(error), { error: messageOf(error) });
            throw error;
          },
        ) as R;
      }
      this.callEnd(call, 'ok');
      return result;
    };
  }

  /** Records a wait for `target` while `promise` settles: delivered when it resolves, failed when it rejects. */
  async waitFor<T>(target: TraceWaitTarget, promise: Promise<T>, waiter?: TraceSubject): Promise<T> {
    const wait = this.waitStart(target, waiter);
    try {
      const value = await promise;
      this.waitEnd(wait, 'delivered');
      return value;
    } catch (error) {
      this.waitEnd(wait, statusOf(error) === 'timeout' ? 'timeout' : statusOf(error) === 'cancelled' ? 'cancelled' : 'failed');
      throw error;
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Maps common timeout and abort errors to the trace statuses. */
function statusOf(error: unknown): TraceCallStatus {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || (error as { code?: string })?.code === 'ETIMEDOUT') return 'timeout';
  if (name === 'AbortError') return 'cancelled';
  return 'error';
}
