/**
 * Ages of the calls in flight, measured from one run state. Every live display of a run
 * (the run's status bar item, and the trace item while it shows the run's trace) reads its
 * ages from here, so they show the same clock reading.
 */
import type { RunState, RunStateCall } from './types';

/** A call in flight and its age at the state's `now`, in ms of run-clock time. */
export interface InFlightAge {
  call: RunStateCall;
  ageMs: number;
}

export interface InFlightAges {
  /** The calls in flight, the one that has used the largest share of its timeout first. */
  calls: InFlightAge[];
  /** The age of the call in flight longest, or undefined when none is in flight. */
  oldestMs?: number;
}

/** Measures every call in flight against `state.now`. */
export function inFlightAges(state: RunState): InFlightAges {
  const calls: InFlightAge[] = [];
  let oldestMs: number | undefined;
  for (const call of state.calls) {
    if (call.startedAt === undefined || call.endedAt !== undefined) continue;
    const ageMs = state.now - call.startedAt;
    calls.push({ call, ageMs });
    if (oldestMs === undefined || ageMs > oldestMs) oldestMs = ageMs;
  }
  calls.sort((a, b) => b.ageMs / b.call.timeoutMs - a.ageMs / a.call.timeoutMs);
  return oldestMs === undefined ? { calls } : { calls, oldestMs };
}

/** Formats an age as seconds with one decimal below 10 s, and whole seconds above, such as `3.2s` and `12s`. */
export function formatAge(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)}s` : `${(ms / 1000).toFixed(1)}s`;
}
