/**
 * The engine hands each call to an executor, which does the work and reports how it ended.
 * The simulated executor plays a call's declared duration and behaviour on the run's clock.
 */
import type { Clock, TimerHandle } from './clock';
import type { RunCall } from './types';

/** How the work of a call ended, as its executor reports it. */
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
    const clock = context.clock;
    const behavior = call.behavior ?? 'ok';
    let endTimer: TimerHandle | undefined;
    let progressTimer: TimerHandle | undefined;
    let over = false;

    const stopTimers = (): void => {
      if (endTimer !== undefined) clock.clearTimer(endTimer);
      if (progressTimer !== undefined) clock.clearTimer(progressTimer);
      endTimer = progressTimer = undefined;
    };
    const end = (): void => {
      over = true;
      stopTimers();
      if (behavior === 'error') context.finish({ status: 'error', message: `Simulated failure of tool "${call.tool}".` });
      else context.finish({ status: 'ok' });
    };
    const every = call.progressEveryMs;
    const tick = (): void => {
      if (over || every === undefined) return;
      context.progress();
      progressTimer = clock.setTimer(every, tick);
    };

    if (behavior === 'ok' || behavior === 'error') endTimer = clock.setTimer(call.durationMs ?? 0, end);
    if (every !== undefined && every > 0) progressTimer = clock.setTimer(every, tick);

    return {
      cancel: () => {
        if (over || behavior === 'lost') return;
        over = true;
        stopTimers();
        context.finish({ status: 'cancelled' });
      },
      kill: () => {
        over = true;
        stopTimers();
      },
    };
  }
}
