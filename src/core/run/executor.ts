/**
 * The engine hands each call to an executor, which does the work and reports how it ended.
 * The simulated executor plays a call's declared duration and behaviour on the run's clock.
 */
import type { Clock, TimerHandle } from './clock';
import type { CallBehavior, RunCall } from './types';

/** End of a call's work, as its executor reports it. */
export interface ExecutionEnd {
  /** `cancelled` acknowledges a `cancel()` from the engine. */
  status: 'ok' | 'error' | 'cancelled';
  /** Error text for `error`. */
  message?: string;
  output?: string;
  exitCode?: number | null;
  signal?: string | null;
}

export interface ExecutionContext {
  readonly clock: Clock;
  /** Reports progress, which resets the call's idle timeout. */
  progress(note?: string): void;
  /** Reports captured output. */
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** Ends the call. Calls after the first are ignored. */
  finish(end: ExecutionEnd): void;
}

/** A call in progress, as the engine controls it. */
export interface Execution {
  /** Asks the call to stop because it timed out. A well-behaved call then finishes with `cancelled`. */
  cancel(): void;
  /** Ends the call by force. The engine does not wait for `finish` after this. */
  kill(): void;
  pause?(): void;
  resume?(): void;
}

export interface CallExecutor {
  start(call: RunCall, context: ExecutionContext): Execution;
}

/**
 * Plays each call's `durationMs` and `behavior` on the clock: `ok` and `error` end after the
 * duration, `hang` never ends but honours cancellation, `lost` never ends and ignores it.
 */
export class SimulatedExecutor implements CallExecutor {
  start(call: RunCall, context: ExecutionContext): Execution {
    return new SimulatedExecution(call, context);
  }
}

/** One simulated call. A class rather than closures, because replays create one per call. */
class SimulatedExecution implements Execution {
  private endTimer: TimerHandle | undefined;
  private progressTimer: TimerHandle | undefined;
  private over = false;
  private readonly behavior: CallBehavior;

  constructor(
    private readonly call: RunCall,
    private readonly context: ExecutionContext,
  ) {
    this.behavior = call.behavior ?? 'ok';
    const clock = context.clock;
    if (this.behavior === 'ok' || this.behavior === 'error') this.endTimer = clock.setTimer(call.durationMs ?? 0, () => this.end());
    const every = call.progressEveryMs;
    if (every !== undefined && every > 0) this.progressTimer = clock.setTimer(every, () => this.tick(every));
  }

  cancel(): void {
    if (this.over || this.behavior === 'lost') return;
    this.over = true;
    this.stopTimers();
    this.context.finish({ status: 'cancelled' });
  }

  kill(): void {
    this.over = true;
    this.stopTimers();
  }

  private end(): void {
    this.endTimer = undefined;
    this.over = true;
    this.stopTimers();
    if (this.behavior === 'error') this.context.finish({ status: 'error', message: `Simulated failure of tool "${this.call.tool}".` });
    else this.context.finish({ status: 'ok' });
  }

  private tick(every: number): void {
    this.progressTimer = undefined;
    if (this.over) return;
    this.context.progress();
    this.progressTimer = this.context.clock.setTimer(every, () => this.tick(every));
  }

  private stopTimers(): void {
    const clock = this.context.clock;
    if (this.endTimer !== undefined) clock.clearTimer(this.endTimer);
    if (this.progressTimer !== undefined) clock.clearTimer(this.progressTimer);
    this.endTimer = this.progressTimer = undefined;
  }
}
