/**
 * Writes a run's events as a native trace: JSON Lines, one event per line, with absolute
 * times, so a run can be reopened, diffed and checked like a recorded trace.
 */
import type { RunEvent } from './types';

/** Version of the native trace lines this module writes. */
export const RUN_TRACE_VERSION = 1;

/** One line of the trace: the run event plus the run id and the absolute time. */
export type RunTraceLine = RunEvent & { v: number; run: string; ts: string };

/**
 * Turns run events into trace lines. `startedAt` is the epoch ms of the run's start on its
 * clock (virtual runs start at 0, that is 1970-01-01, which marks them as virtual).
 */
export class RunTraceEncoder {
  private startedAt = 0;

  constructor(private readonly runId: string) {}

  encode(event: RunEvent): string {
    if (event.type === 'run_start') this.startedAt = event.startedAt;
    const line: RunTraceLine = { v: RUN_TRACE_VERSION, run: this.runId, ts: new Date(this.startedAt + event.t).toISOString(), ...event };
    return `${JSON.stringify(line)}\n`;
  }
}

/** Reads the lines this module writes back into events, for tests and for reopening a run. */
export function decodeRunTrace(text: string): RunTraceLine[] {
  const lines: RunTraceLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    lines.push(JSON.parse(raw) as RunTraceLine);
  }
  return lines;
}
