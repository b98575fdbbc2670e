/**
 * The run engine: staged execution of a dependency graph of calls on an injected clock, with
 * per-call timeouts, idle timeouts, a whole-run deadline, a watchdog, locks and runtime
 * deadlock detection. It never touches real time or processes itself: the clock and the
 * executor do.
 */
import { buildCsr, reverseCsr, type CsrGraph } from '../graph/csr';
import type { Clock, PausableClock, TimerHandle } from './clock';
import type { CallExecutor, Execution, ExecutionContext, ExecutionEnd } from './executor';
import { findCycles, prepareSource, type PreparedSource } from './prepare';
import { summarizeRun } from './summary';
import {
  DEFAULT_LOCK_STEP_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WATCHDOG,
  type CallError,
  type CallOutcome,
  type CallResult,
  type CallStatus,
  type RunEvent,
  type RunOptions,
  type RunResult,
  type RunSource,
  type RunState,
  type RuntimeDeadlock,
  type WatchdogKill,
  type WatchdogOptions,
} from './types';

/** Thrown by `RunEngine.start` when the source has a cycle or an unknown dependency and the caller did not allow a partial run. */
export class RunRejectedError extends Error {
  constructor(readonly result: RunResult) {
    super(result.problems.map((problem) => problem.message).join(' '));
    this.name = 'RunRejectedError';
  }
}

/** Shared lock list of calls without locks, so replays of many calls allocate none. */
const NO_LOCKS: string[] = [];

/** Output kept per call; the rest is dropped with a note. */
const MAX_OUTPUT_CHARS = 1_000_000;

/** Returns the timeout of a call: its own, then the tool's, then the source default, then the option default. */
export function resolveTimeout(call: { tool: string; timeoutMs?: number }, source: RunSource, options: RunOptions): number {
  return call.timeoutMs ?? options.toolTimeouts?.get(call.tool) ?? source.defaultTimeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
}

function isFinal(status: CallStatus): status is CallOutcome {
  return status === 'ok' || status === 'error' || status === 'timeout' || status === 'killed' || status === 'stranded';
}

const OUTCOME_WORDS: Record<CallOutcome, string> = {
  ok: 'completed',
  error: 'failed',
  timeout: 'timed out',
  killed: 'was killed',
  stranded: 'was stranded',
};

/** Work the scheduler queues instead of running it inside a callback. */
type DeferredWork = { kind: 'end'; call: number; end: ExecutionEnd } | { kind: 'grant'; call: number; lock: string };

/** The context an executor gets for one call: it forwards reports to the engine without a closure per call. */
class CallContext implements ExecutionContext {
  private ended = false;

  constructor(
    private readonly engine: RunEngine,
    private readonly call: number,
  ) {}

  get clock(): Clock {
    return this.engine.clock;
  }

  progress(note?: string): void {
    if (!this.ended) this.engine.reportProgress(this.call, note);
  }

  output(stream: 'stdout' | 'stderr', text: string): void {
    this.engine.reportOutput(this.call, stream, text);
  }

  finish(end: ExecutionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.engine.reportEnd(this.call, end);
  }
}

export interface RunEngineDeps {
  clock: Clock;
  executor: CallExecutor;
  /** Receives every event, in order. */
  onEvent?: (event: RunEvent) => void;
}

export class RunEngine {
  readonly done: Promise<RunResult>;
  private resolveDone!: (result: RunResult) => void;

  readonly clock: Clock;
  private readonly executor: CallExecutor;
  private readonly onEvent: (event: RunEvent) => void;
  /** False without an event listener, so replays skip building event objects on hot paths. */
  private readonly listening: boolean;
  private readonly prepared: PreparedSource;
  private readonly n: number;
  private readonly dependents: CsrGraph;
  private readonly watchdog: WatchdogOptions;
  private readonly concurrency: number;
  private readonly lockStepMs: number;

  private readonly status: CallStatus[];
  private readonly remaining: Int32Array;
  private readonly timeouts: Float64Array;
  private readonly startAt: Float64Array;
  private readonly endAt: Float64Array;
  private readonly errors: (CallError | undefined)[];
  private readonly reasons: (string | undefined)[];
  private readonly waitsFor: (string[] | undefined)[];
  private readonly outputs: (string | undefined)[];
  private readonly exitCodes: (number | null | undefined)[];
  private readonly signals: (string | null | undefined)[];
  private readonly executions: (Execution | undefined)[];
  private readonly timeoutTimers: (TimerHandle | undefined)[];
  private readonly idleTimers: (TimerHandle | undefined)[];
  private readonly stepTimers: (TimerHandle | undefined)[];
  /** The error a call will end with once it acknowledges cancellation. */
  private readonly pendingErrors: (CallError | undefined)[];

  private readonly lockSequences: string[][];
  private readonly lockPositions: Int32Array;
  private readonly lockHolders = new Map<string, number>();
  private readonly lockWaiters = new Map<string, number[]>();
  private readonly waitingLock: (string | undefined)[];

  /** Dense set of in-flight calls: ids and watchdog deadlines by position, so a tick reads two flat arrays. */
  private readonly inflightIds: Int32Array;
  private readonly inflightDeadlines: Float64Array;
  private readonly inflightPositions: Int32Array;
  private inflightCount = 0;
  /** In-flight calls that are doing work, that is not waiting for a lock. */
  private activeCount = 0;

  private readonly readyQueue: Int32Array;
  private readyHead = 0;
  private readyTail = 0;
  private unfinished: number;

  private readonly kills: WatchdogKill[] = [];
  private deadlock: RuntimeDeadlock | undefined;
  private endedBy: RunResult['endedBy'];
  private startedAtClock = 0;
  /** Earliest recorded start among the calls when recorded starts are followed, else Infinity. */
  private recordedBase = Infinity;
  /** Calls waiting for their recorded start time. */
  private delayedStarts = 0;
  private started = false;
  private ended = false;
  private ending = false;
  private pausedFlag = false;
  private pumping = false;
  private pumpAgain = false;
  /** Work queued while the scheduler runs, handled in order by `pump`. */
  private readonly deferred: DeferredWork[] = [];
  private watchdogTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private result: RunResult | undefined;

  constructor(
    private readonly source: RunSource,
    private readonly options: RunOptions,
    deps: RunEngineDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.clock = deps.clock;
    this.executor = deps.executor;
    this.onEvent = deps.onEvent ?? (() => undefined);
    this.listening = deps.onEvent !== undefined;
    this.prepared = prepareSource(source.calls);
    const n = (this.n = source.calls.length);
    this.dependents = reverseCsr(this.prepared.waitFor).graph;
    this.watchdog = { ...DEFAULT_WATCHDOG, ...options.watchdog };
    if (!(this.watchdog.intervalMs > 0)) throw new RangeError(`The watchdog interval must be a positive number of ms, got ${this.watchdog.intervalMs}.`);
    this.concurrency = options.concurrency !== undefined && options.concurrency > 0 ? options.concurrency : Infinity;
    this.lockStepMs = options.lockStepMs ?? DEFAULT_LOCK_STEP_MS;

    this.status = new Array<CallStatus>(n).fill('pending');
    this.remaining = new Int32Array(n);
    for (let i = 0; i < n; i++) this.remaining[i] = this.prepared.waitFor.offsets[i + 1] - this.prepared.waitFor.offsets[i];
    this.timeouts = new Float64Array(n);
    for (let i = 0; i < n; i++) this.timeouts[i] = resolveTimeout(source.calls[i], source, options);
    this.startAt = new Float64Array(n).fill(NaN);
    this.endAt = new Float64Array(n).fill(NaN);
    this.errors = new Array(n);
    this.reasons = new Array(n);
    this.waitsFor = new Array(n);
    this.outputs = new Array(n);
    this.exitCodes = new Array(n);
    this.signals = new Array(n);
    this.executions = new Array(n);
    this.timeoutTimers = new Array(n);
    this.idleTimers = new Array(n);
    this.stepTimers = new Array(n);
    this.pendingErrors = new Array(n);
    this.waitingLock = new Array(n);
    this.lockPositions = new Int32Array(n);
    this.lockSequences = source.calls.map((call) => this.orderLocks(call.locks));
    this.inflightIds = new Int32Array(n);
    this.inflightDeadlines = new Float64Array(n);
    this.inflightPositions = new Int32Array(n).fill(-1);
    this.readyQueue = new Int32Array(n);
    this.unfinished = n;
  }

  /** Problems found before the start: cycles, unknown dependencies, duplicate ids. */
  get problems(): PreparedSource['problems'] {
    return this.prepared.problems;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get isDone(): boolean {
    return this.ended;
  }

  /**
   * Starts the run, or with `paused` prepares it and waits for `resume()` before any call
   * starts. Throws `RunRejectedError` when the source has problems and `runAcyclicPart` is
   * off; the calls behind the problems are stranded when it is on.
   */
  start(paused = false): void {
    if (this.started) throw new Error('This run has already started.');
    this.started = true;
    this.startedAtClock = this.clock.now();
    const { calls } = this.source;

    if (this.prepared.problems.length > 0 && !this.options.runAcyclicPart) {
      for (let i = 0; i < this.n; i++) {
        this.status[i] = 'stranded';
        this.reasons[i] = this.prepared.blocked.get(i) ?? 'the run was rejected before it started';
      }
      this.unfinished = 0;
      this.endedBy = 'rejected';
      this.ended = true;
      this.result = this.buildResult();
      this.resolveDone(this.result);
      throw new RunRejectedError(this.result);
    }

    this.emit({
      type: 'run_start',
      t: 0,
      source: this.source.kind,
      ...(this.source.name !== undefined ? { name: this.source.name } : {}),
      clock: this.clock.kind,
      calls: this.n,
      startedAt: this.startedAtClock,
    });

    for (const [i, reason] of this.prepared.blocked) {
      if (!isFinal(this.status[i])) this.strand(i, reason, []);
    }
    for (const i of this.prepared.blocked.keys()) this.strandDependents(i, `it waits for "${calls[i].id}", which cannot run`);
    this.recordedBase = Infinity;
    if (this.options.followRecordedStarts ?? this.source.kind === 'trace') {
      for (const call of calls) if (call.recordedStartMs !== undefined && call.recordedStartMs < this.recordedBase) this.recordedBase = call.recordedStartMs;
    }
    for (let i = 0; i < this.n; i++) {
      if (this.status[i] === 'pending' && this.remaining[i] === 0) this.makeReady(i);
    }
    if (this.options.deadlineMs !== undefined) {
      this.deadlineTimer = this.clock.setTimer(this.options.deadlineMs, () => this.onDeadline());
    }
    if (!this.watchdog.disabled && calls.length > 0) this.armWatchdog();
    if (paused) this.pause();
    this.pump();
  }

  /** Freezes the run: the clock stops, no call starts and executions that support it pause. */
  pause(): void {
    if (this.pausedFlag || this.ended) return;
    this.pausedFlag = true;
    (this.clock as Partial<PausableClock>).pause?.();
    for (let k = 0; k < this.inflightCount; k++) this.executions[this.inflightIds[k]]?.pause?.();
    this.emit({ type: 'run_pause', t: this.relativeNow() });
  }

  resume(): void {
    if (!this.pausedFlag || this.ended) return;
    this.pausedFlag = false;
    for (let k = 0; k < this.inflightCount; k++) this.executions[this.inflightIds[k]]?.resume?.();
    (this.clock as Partial<PausableClock>).resume?.();
    this.emit({ type: 'run_resume', t: this.relativeNow() });
    this.pump();
  }

  /** Cancels everything at once: in-flight calls are killed and the rest stranded. */
  stop(reason = 'the run was stopped'): void {
    if (this.ended || !this.started) return;
    if (this.pausedFlag) {
      this.pausedFlag = false;
      (this.clock as Partial<PausableClock>).resume?.();
    }
    this.ending = true;
    this.endedBy = 'stopped';
    this.strandPending(`${reason} before it started`);
    while (this.inflightCount > 0) {
      const i = this.inflightIds[this.inflightCount - 1];
      this.executions[i]?.kill();
      this.finishCall(i, 'killed', { code: 'STOPPED', message: `Tool "${this.source.calls[i].tool}" was stopped: ${reason}.` });
    }
    this.finishRun();
  }

  /**
   * Ends a run whose clock has no timers left while calls are still in flight, which happens
   * only when a call ignores cancellation and the watchdog is off.
   */
  abandonHungCalls(): void {
    if (this.ended || !this.started) return;
    this.ending = true;
    this.endedBy = 'hung';
    this.strandPending('a call it waits for never finished');
    while (this.inflightCount > 0) {
      const i = this.inflightIds[this.inflightCount - 1];
      this.executions[i]?.kill();
      this.clearCallTimers(i);
      this.removeInflight(i);
      this.strand(i, 'it never finished, ignored cancellation, and the watchdog is off', []);
    }
    this.finishRun();
  }

  /** Returns the live state of every call. */
  state(): RunState {
    const calls = this.source.calls.map((call, i) => ({
      id: call.id,
      tool: call.tool,
      status: this.pausedFlag && (this.status[i] === 'running' || this.status[i] === 'cancelling') ? ('paused' as const) : this.status[i],
      ...(Number.isNaN(this.startAt[i]) ? {} : { startedAt: this.startAt[i] }),
      ...(Number.isNaN(this.endAt[i]) ? {} : { endedAt: this.endAt[i] }),
      timeoutMs: this.timeouts[i],
    }));
    return { now: this.clock.now(), paused: this.pausedFlag, done: this.ended, calls };
  }

  /** Returns the result, once the run has ended. */
  getResult(): RunResult | undefined {
    return this.result;
  }

  /** Ids of the calls in flight now, in start order. */
  inflightCalls(): string[] {
    const ids: number[] = [];
    for (let k = 0; k < this.inflightCount; k++) ids.push(this.inflightIds[k]);
    ids.sort((a, b) => this.startAt[a] - this.startAt[b] || a - b);
    return ids.map((i) => this.source.calls[i].id);
  }

  // ---- scheduling ----

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.runDeferred();
        while (!this.ending && !this.pausedFlag && this.readyHead < this.readyTail && this.inflightCount < this.concurrency) {
          const i = this.readyQueue[this.readyHead++];
          if (this.status[i] === 'pending') this.startCall(i);
          this.runDeferred();
        }
      } while (this.pumpAgain || this.deferred.length > 0);
    } finally {
      this.pumping = false;
    }
    if (this.ended) return;
    if (this.unfinished === 0) {
      this.finishRun();
      return;
    }
    if (this.ending || this.pausedFlag) return;
    const canStart = this.readyHead < this.readyTail && this.inflightCount < this.concurrency;
    if (this.activeCount === 0 && !canStart && this.delayedStarts === 0) this.onDeadlock();
  }

  /** Queues a call whose dependencies are done, or sets a timer for its recorded start when that is later. */
  private makeReady(i: number): void {
    const recorded = this.source.calls[i].recordedStartMs;
    const wait = recorded !== undefined && this.recordedBase !== Infinity ? recorded - this.recordedBase - this.relativeNow() : 0;
    if (wait <= 0) {
      this.readyQueue[this.readyTail++] = i;
      return;
    }
    this.delayedStarts++;
    this.stepTimers[i] = this.clock.setTimer(wait, () => {
      this.stepTimers[i] = undefined;
      this.delayedStarts--;
      if (this.status[i] !== 'pending') return;
      this.readyQueue[this.readyTail++] = i;
      this.pump();
    });
  }

  private runDeferred(): void {
    const queue = this.deferred;
    for (let k = 0; k < queue.length; k++) {
      const work = queue[k];
      if (work.kind === 'end') this.onExecutionEnd(work.call, work.end);
      else if (this.status[work.call] === 'running' && !this.ending) this.takeLock(work.call, work.lock);
    }
    queue.length = 0;
  }

  private startCall(i: number): void {
    const call = this.source.calls[i];
    const now = this.clock.now();
    this.status[i] = 'running';
    this.startAt[i] = now;
    this.addInflight(i, now);
    this.activeCount++;
    if (this.listening) this.emit({ type: 'call_start', t: now - this.startedAtClock, id: call.id, tool: call.tool, dependsOn: call.dependsOn, timeoutMs: this.timeouts[i] });

    const timeout = this.timeouts[i];
    this.timeoutTimers[i] = this.clock.setTimer(timeout, () => this.onTimeout(i, 'TIMEOUT', timeout));
    this.armIdle(i);
    this.lockPositions[i] = 0;
    this.acquireNextLock(i);
  }

  private armIdle(i: number): void {
    const idle = this.source.calls[i].idleTimeoutMs ?? this.options.idleTimeoutMs;
    if (idle === undefined) return;
    const previous = this.idleTimers[i];
    if (previous !== undefined) this.clock.clearTimer(previous);
    this.idleTimers[i] = this.clock.setTimer(idle, () => this.onTimeout(i, 'IDLE_TIMEOUT', idle));
  }

  private beginWork(i: number): void {
    this.executions[i] = this.executor.start(this.source.calls[i], new CallContext(this, i));
  }

  /** Handles a progress report of call `i`; `CallContext` calls it. */
  reportProgress(i: number, note: string | undefined): void {
    if (isFinal(this.status[i])) return;
    this.emit({ type: 'call_progress', t: this.relativeNow(), id: this.source.calls[i].id, ...(note !== undefined ? { note } : {}) });
    this.armIdle(i);
  }

  /** Keeps output of call `i`, up to `MAX_OUTPUT_CHARS`; `CallContext` calls it. */
  reportOutput(i: number, stream: 'stdout' | 'stderr', text: string): void {
    if (isFinal(this.status[i])) return;
    const kept = this.outputs[i] ?? '';
    if (kept.length < MAX_OUTPUT_CHARS) {
      const room = MAX_OUTPUT_CHARS - kept.length;
      this.outputs[i] = kept + (text.length > room ? `${text.slice(0, room)}\n[output truncated]\n` : text);
    }
    this.emit({ type: 'call_output', t: this.relativeNow(), id: this.source.calls[i].id, stream, text });
  }

  /** Queues the end of call `i` and runs the scheduler; `CallContext` calls it once. */
  reportEnd(i: number, end: ExecutionEnd): void {
    this.deferred.push({ kind: 'end', call: i, end });
    this.pump();
  }

  private onExecutionEnd(i: number, end: ExecutionEnd): void {
    if (isFinal(this.status[i])) return;
    const tool = this.source.calls[i].tool;
    if (end.output !== undefined) this.outputs[i] = (this.outputs[i] ?? '') + end.output;
    if (end.exitCode !== undefined) this.exitCodes[i] = end.exitCode;
    if (end.signal !== undefined) this.signals[i] = end.signal;
    if (end.status === 'ok') {
      this.finishCall(i, 'ok');
    } else if (end.status === 'error') {
      this.finishCall(i, 'error', { code: 'TOOL_ERROR', message: end.message ?? `Tool "${tool}" failed.` });
    } else {
      const pending = this.pendingErrors[i];
      if (pending !== undefined) this.finishCall(i, 'timeout', pending);
      else this.finishCall(i, 'killed', { code: 'KILLED', message: `Tool "${tool}" ended after a cancellation.` });
    }
  }

  // ---- locks ----

  private orderLocks(locks: string[]): string[] {
    if (locks.length === 0) return NO_LOCKS;
    const unique = [...new Set(locks)];
    if (!this.options.lockOrdering) return unique;
    const rank = new Map<string, number>();
    (this.options.lockOrder ?? []).forEach((name, position) => {
      if (!rank.has(name)) rank.set(name, position);
    });
    return unique.sort((a, b) => {
      const rankA = rank.get(a) ?? Infinity;
      const rankB = rank.get(b) ?? Infinity;
      if (rankA !== rankB) return rankA < rankB ? -1 : 1;
      if (a === b) return 0;
      return a < b ? -1 : 1;
    });
  }

  private acquireNextLock(i: number): void {
    const sequence = this.lockSequences[i];
    if (this.lockPositions[i] >= sequence.length) {
      this.beginWork(i);
      return;
    }
    const lock = sequence[this.lockPositions[i]];
    const holder = this.lockHolders.get(lock);
    if (holder !== undefined) {
      this.status[i] = 'waiting-lock';
      this.activeCount--;
      this.waitingLock[i] = lock;
      let waiters = this.lockWaiters.get(lock);
      if (waiters === undefined) this.lockWaiters.set(lock, (waiters = []));
      waiters.push(i);
      this.emit({ type: 'lock_wait', t: this.relativeNow(), id: this.source.calls[i].id, lock, holder: this.source.calls[holder].id });
      return;
    }
    this.takeLock(i, lock);
  }

  private takeLock(i: number, lock: string): void {
    this.lockHolders.set(lock, i);
    if (this.listening) this.emit({ type: 'lock_acquire', t: this.relativeNow(), id: this.source.calls[i].id, lock });
    this.lockPositions[i]++;
    if (this.lockPositions[i] < this.lockSequences[i].length) {
      this.stepTimers[i] = this.clock.setTimer(this.lockStepMs, () => {
        this.stepTimers[i] = undefined;
        this.acquireNextLock(i);
        this.pump();
      });
    } else {
      this.beginWork(i);
    }
  }

  private releaseLocks(i: number): void {
    const waitedLock = this.waitingLock[i];
    if (waitedLock !== undefined) {
      const waiters = this.lockWaiters.get(waitedLock);
      if (waiters !== undefined) {
        const at = waiters.indexOf(i);
        if (at >= 0) waiters.splice(at, 1);
      }
      this.waitingLock[i] = undefined;
    }
    const sequence = this.lockSequences[i];
    for (let k = 0; k < this.lockPositions[i] && k < sequence.length; k++) {
      const lock = sequence[k];
      if (this.lockHolders.get(lock) !== i) continue;
      this.lockHolders.delete(lock);
      if (this.listening) this.emit({ type: 'lock_release', t: this.relativeNow(), id: this.source.calls[i].id, lock });
      const waiters = this.lockWaiters.get(lock);
      const next = waiters?.shift();
      if (next === undefined) continue;
      this.waitingLock[next] = undefined;
      this.status[next] = 'running';
      this.activeCount++;
      this.deferred.push({ kind: 'grant', call: next, lock });
    }
  }

  // ---- timeouts and the watchdog ----

  private onTimeout(i: number, code: 'TIMEOUT' | 'IDLE_TIMEOUT', limitMs: number): void {
    if (isFinal(this.status[i]) || this.status[i] === 'cancelling') return;
    const call = this.source.calls[i];
    const error: CallError =
      code === 'TIMEOUT'
        ? { code, limitMs, message: `Tool "${call.tool}" timed out after ${limitMs} ms.` }
        : { code, limitMs, message: `Tool "${call.tool}" timed out after ${limitMs} ms without progress.` };
    this.emit({ type: 'call_timeout', t: this.relativeNow(), id: call.id, tool: call.tool, limitMs, code });
    const execution = this.executions[i];
    if (execution === undefined) {
      // Still taking locks, so no work has started that could ignore the cancellation.
      this.finishCall(i, 'timeout', error);
      this.pump();
      return;
    }
    this.status[i] = 'cancelling';
    this.pendingErrors[i] = error;
    execution.cancel();
    this.pump();
  }

  private armWatchdog(): void {
    this.watchdogTimer = this.clock.setTimer(this.watchdog.intervalMs, () => {
      this.watchdogTimer = undefined;
      if (this.ended) return;
      this.watchdogTick(this.clock.now());
      if (!this.ended) this.armWatchdog();
    });
  }

  /**
   * Kills every in-flight call past its maximum duration. The scan reads two flat arrays and
   * walks backwards, so removing a call (which moves the last entry into its place) never
   * skips one. Returns the number of kills.
   */
  watchdogTick(now: number): number {
    let killed = 0;
    const ids = this.inflightIds;
    const deadlines = this.inflightDeadlines;
    for (let k = this.inflightCount - 1; k >= 0; k--) {
      if (now < deadlines[k]) continue;
      const i = ids[k];
      const call = this.source.calls[i];
      const ageMs = now - this.startAt[i];
      const maxDurationMs = deadlines[k] - this.startAt[i];
      this.kills.push({ id: call.id, tool: call.tool, atMs: now - this.startedAtClock, ageMs, maxDurationMs });
      this.emit({ type: 'watchdog_kill', t: now - this.startedAtClock, id: call.id, tool: call.tool, ageMs, maxDurationMs });
      this.executions[i]?.kill();
      this.finishCall(i, 'killed', {
        code: 'KILLED',
        limitMs: maxDurationMs,
        message: `The watchdog killed tool "${call.tool}" at age ${Math.round(ageMs)} ms, past its maximum of ${maxDurationMs} ms.`,
      });
      killed++;
    }
    if (killed > 0) this.pump();
    return killed;
  }

  private onDeadline(): void {
    this.deadlineTimer = undefined;
    if (this.ended) return;
    const limitMs = this.options.deadlineMs as number;
    this.ending = true;
    this.endedBy = 'deadline';
    this.strandPending(`the run deadline of ${limitMs} ms passed before it started`);
    while (this.inflightCount > 0) {
      const i = this.inflightIds[this.inflightCount - 1];
      const tool = this.source.calls[i].tool;
      this.emit({ type: 'call_timeout', t: this.relativeNow(), id: this.source.calls[i].id, tool, limitMs, code: 'DEADLINE' });
      this.executions[i]?.kill();
      this.finishCall(i, 'timeout', { code: 'DEADLINE', limitMs, message: `Tool "${tool}" was cut off by the run deadline of ${limitMs} ms.` });
    }
    this.finishRun();
  }

  // ---- endings ----

  private finishCall(i: number, outcome: CallOutcome, error?: CallError): void {
    if (isFinal(this.status[i])) return;
    const call = this.source.calls[i];
    const now = this.clock.now();
    const wasActive = this.status[i] !== 'waiting-lock';
    this.clearCallTimers(i);
    if (this.inflightPositions[i] >= 0) {
      this.removeInflight(i);
      if (wasActive) this.activeCount--;
    }
    this.releaseLocks(i);
    this.status[i] = outcome;
    this.endAt[i] = now;
    if (error !== undefined) this.errors[i] = error;
    this.executions[i] = undefined;
    this.unfinished--;
    if (this.listening) this.emit({
      type: 'call_end',
      t: now - this.startedAtClock,
      id: call.id,
      tool: call.tool,
      outcome,
      ageMs: now - this.startAt[i],
      ...(error !== undefined ? { error } : {}),
      ...(this.exitCodes[i] !== undefined ? { exitCode: this.exitCodes[i] } : {}),
    });

    const { offsets, targets } = this.dependents;
    if (outcome === 'ok') {
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        const d = targets[e];
        if (--this.remaining[d] === 0 && this.status[d] === 'pending') this.makeReady(d);
      }
      return;
    }
    this.strandDependents(i, `it waits for "${call.id}", which ${OUTCOME_WORDS[outcome]}`);
  }

  /** Strands every call that depends on `root`, directly or not, with one reason naming `root`. */
  private strandDependents(root: number, reason: string): void {
    const { offsets, targets } = this.dependents;
    const stack = [root];
    while (stack.length > 0) {
      const v = stack.pop() as number;
      for (let e = offsets[v]; e < offsets[v + 1]; e++) {
        const d = targets[e];
        if (this.status[d] !== 'pending') continue;
        this.strand(d, v === root ? reason : `it waits for "${this.source.calls[v].id}", which was stranded`, [this.source.calls[v].id]);
        stack.push(d);
      }
    }
  }

  private strand(i: number, reason: string, waitsFor: string[]): void {
    const call = this.source.calls[i];
    const delayed = this.stepTimers[i];
    if (this.status[i] === 'pending' && delayed !== undefined) {
      this.clock.clearTimer(delayed);
      this.stepTimers[i] = undefined;
      this.delayedStarts--;
    }
    this.status[i] = 'stranded';
    this.reasons[i] = reason;
    this.waitsFor[i] = waitsFor;
    this.unfinished--;
    this.emit({ type: 'call_stranded', t: this.relativeNow(), id: call.id, tool: call.tool, reason, waitsFor });
  }

  /** Strands every call not started yet, each with the dependencies it still waited for. */
  private strandPending(reason: string): void {
    const { offsets, targets } = this.prepared.waitFor;
    for (let i = 0; i < this.n; i++) {
      if (this.status[i] !== 'pending') continue;
      const waits: string[] = [];
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        const id = this.source.calls[targets[e]].id;
        if (this.status[targets[e]] !== 'ok' && !waits.includes(id)) waits.push(id);
      }
      this.strand(i, reason, waits);
    }
  }

  /**
   * Handles a runtime deadlock, when nothing runs and nothing can start. It builds the wait-for
   * graph of the unfinished calls, in which a pending call waits for its unfinished
   * dependencies and a call blocked on a lock waits for the lock's holder. It reports the
   * graph's cycles and every stranded call, and ends the run.
   */
  private onDeadlock(): void {
    const calls = this.source.calls;
    const open: number[] = [];
    const local = new Map<number, number>();
    for (let i = 0; i < this.n; i++) {
      if (isFinal(this.status[i])) continue;
      local.set(i, open.length);
      open.push(i);
    }
    const sources: number[] = [];
    const destinations: number[] = [];
    const edgeLock: string[] = [];
    const stranded: RuntimeDeadlock['stranded'] = [];
    const { offsets, targets } = this.prepared.waitFor;
    for (const i of open) {
      const lock = this.waitingLock[i];
      if (lock !== undefined) {
        const holder = this.lockHolders.get(lock) as number;
        sources.push(local.get(i) as number);
        destinations.push(local.get(holder) as number);
        edgeLock.push(lock);
        stranded.push({ id: calls[i].id, reason: `it waits for lock "${lock}", held by "${calls[holder].id}"`, waitsFor: [calls[holder].id, `lock:${lock}`] });
        continue;
      }
      const waits: string[] = [];
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        const j = targets[e];
        if (isFinal(this.status[j])) continue;
        sources.push(local.get(i) as number);
        destinations.push(local.get(j) as number);
        edgeLock.push('');
        waits.push(calls[j].id);
      }
      const reason =
        this.status[i] === 'pending' && waits.length === 0
          ? 'it is ready but no slot is free, because every in-flight call is blocked'
          : `it waits for ${waits.map((id) => `"${id}"`).join(', ')}, which cannot finish`;
      stranded.push({ id: calls[i].id, reason, waitsFor: waits });
    }

    const { graph, edgeIndex } = buildCsr(open.length, sources, destinations);
    const lockOfSlot: string[] = new Array(edgeLock.length);
    for (let k = 0; k < edgeLock.length; k++) lockOfSlot[edgeIndex[k]] = edgeLock[k];
    const cycles: string[][] = [];
    const cycleLocks: string[][] = [];
    for (const cycle of findCycles(graph).cycles) {
      cycles.push(cycle.map((v) => calls[open[v]].id));
      const locks: string[] = [];
      for (let k = 0; k + 1 < cycle.length; k++) {
        for (let e = graph.offsets[cycle[k]]; e < graph.offsets[cycle[k] + 1]; e++) {
          if (graph.targets[e] === cycle[k + 1]) {
            if (lockOfSlot[e] !== '') locks.push(lockOfSlot[e]);
            break;
          }
        }
      }
      cycleLocks.push(locks);
    }

    const atMs = this.relativeNow();
    this.deadlock = { atMs, cycles, cycleLocks, stranded };
    this.emit({ type: 'deadlock', t: atMs, cycles, cycleLocks });
    this.ending = true;
    this.endedBy = 'deadlock';
    for (const entry of stranded) {
      const i = this.prepared.index.get(entry.id) as number;
      if (this.inflightPositions[i] >= 0) {
        // The locks stay held: the run ends here, and the trace keeps the state that deadlocked.
        this.clearCallTimers(i);
        this.removeInflight(i);
        this.endAt[i] = this.clock.now();
      }
      this.strand(i, entry.reason, entry.waitsFor);
    }
    this.deferred.length = 0;
    this.finishRun();
  }

  private finishRun(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.watchdogTimer !== undefined) this.clock.clearTimer(this.watchdogTimer);
    if (this.deadlineTimer !== undefined) this.clock.clearTimer(this.deadlineTimer);
    this.watchdogTimer = this.deadlineTimer = undefined;
    const result = this.buildResult();
    this.result = result;
    this.emit({ type: 'run_end', t: this.relativeNow(), ok: result.ok, ...(result.endedBy !== undefined ? { endedBy: result.endedBy } : {}) });
    this.resolveDone(result);
  }

  private buildResult(): RunResult {
    const t0 = this.startedAtClock;
    const calls: CallResult[] = this.source.calls.map((call, i) => {
      const status = this.status[i];
      const outcome: CallOutcome = isFinal(status) ? status : 'stranded';
      const started = !Number.isNaN(this.startAt[i]);
      const ended = !Number.isNaN(this.endAt[i]);
      const result: CallResult = { id: call.id, tool: call.tool, outcome, timeoutMs: this.timeouts[i] };
      if (started) result.startMs = this.startAt[i] - t0;
      if (started && ended) {
        result.endMs = this.endAt[i] - t0;
        result.ageMs = this.endAt[i] - this.startAt[i];
      }
      if (this.errors[i] !== undefined) result.error = this.errors[i];
      if (this.reasons[i] !== undefined) result.reason = this.reasons[i];
      if (this.waitsFor[i] !== undefined) result.waitsFor = this.waitsFor[i];
      if (this.outputs[i] !== undefined) result.output = this.outputs[i];
      if (this.exitCodes[i] !== undefined) result.exitCode = this.exitCodes[i];
      if (this.signals[i] !== undefined) result.signal = this.signals[i];
      if (call.range !== undefined) result.range = call.range;
      return result;
    });
    const summary = summarizeRun(calls, this.prepared.waitFor, this.relativeNow());
    return {
      source: { kind: this.source.kind, ...(this.source.name !== undefined ? { name: this.source.name } : {}) },
      clock: this.clock.kind,
      ok: summary.completed === summary.total,
      ...(this.endedBy !== undefined ? { endedBy: this.endedBy } : {}),
      calls,
      summary,
      kills: this.kills,
      ...(this.deadlock !== undefined ? { deadlock: this.deadlock } : {}),
      problems: this.prepared.problems,
    };
  }

  // ---- helpers ----

  private clearCallTimers(i: number): void {
    for (const timers of [this.timeoutTimers, this.idleTimers, this.stepTimers]) {
      const timer = timers[i];
      if (timer !== undefined) {
        this.clock.clearTimer(timer);
        timers[i] = undefined;
      }
    }
  }

  private addInflight(i: number, now: number): void {
    const k = this.inflightCount++;
    this.inflightIds[k] = i;
    this.inflightPositions[i] = k;
    this.inflightDeadlines[k] = now + (this.watchdog.maxDurationMs ?? this.timeouts[i] + this.watchdog.graceMs);
  }

  private removeInflight(i: number): void {
    const k = this.inflightPositions[i];
    if (k < 0) return;
    const last = --this.inflightCount;
    if (k !== last) {
      const moved = this.inflightIds[last];
      this.inflightIds[k] = moved;
      this.inflightDeadlines[k] = this.inflightDeadlines[last];
      this.inflightPositions[moved] = k;
    }
    this.inflightPositions[i] = -1;
  }

  private relativeNow(): number {
    return this.clock.now() - this.startedAtClock;
  }

  private emit(event: RunEvent): void {
    this.onEvent(event);
  }
}
