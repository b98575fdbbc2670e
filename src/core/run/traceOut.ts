/**
 * Writes a run's events in the native trace format (JSON Lines: a `trace.start` header, then
 * `call.start`, `call.end`, `lock.*` and `heartbeat` events with a `ts` time), so a run can be
 * reopened, diffed and checked like any recorded trace. Run-only facts (timeouts, watchdog
 * kills, stranded calls, deadlocks) use `run.*` event types, which the trace rules skip. The
 * Agent Calls view and the trace's wait-for graph read `run.stranded` to show calls that never
 * started.
 * Every line also carries `t`, the ms since the run started.
 */
import type { RunEvent } from './types';

/** One written line, parsed. */
export interface RunTraceLine {
  type: string;
  ts: string;
  t: number;
  [key: string]: unknown;
}

/** Agent id that run traces give every call. */
export const RUN_AGENT = 'run';

/**
 * Turns run events into trace lines. `startedAt` of `run_start` is the epoch ms of the run's
 * start on its clock; virtual runs that start at 0 get times in 1970.
 */
export class RunTraceEncoder {
  private startedAt = 0;

  constructor(private readonly runId: string) {}

  /** Returns the lines for one event, each ending in a newline, or '' for none. */
  encode(event: RunEvent): string {
    if (event.type === 'run_start') this.startedAt = event.startedAt;
    const base = (type: string): RunTraceLine => ({ ts: new Date(this.startedAt + event.t).toISOString(), type, t: event.t });
    const lines: Record<string, unknown>[] = [];
    switch (event.type) {
      case 'run_start':
        lines.push({ ...base('trace.start'), format: 'agent-trace', version: 1, run: this.runId, source: event.source, name: event.name, clock: event.clock, calls: event.calls });
        break;
      case 'call_start':
        lines.push({ ...base('call.start'), call: event.id, tool: event.tool, agent: RUN_AGENT, timeout_ms: event.timeoutMs, depends_on: event.dependsOn });
        break;
      case 'call_progress':
        lines.push({ ...base('heartbeat'), call: event.id, note: event.note });
        break;
      case 'call_output':
        lines.push({ ...base('run.output'), call: event.id, stream: event.stream, text: event.text });
        break;
      case 'lock_wait':
        lines.push({ ...base('lock.request'), lock: event.lock, call: event.id, held_by: event.holder });
        break;
      case 'lock_acquire':
        lines.push({ ...base('lock.acquire'), lock: event.lock, call: event.id });
        break;
      case 'lock_release':
        lines.push({ ...base('lock.release'), lock: event.lock, call: event.id });
        break;
      case 'call_timeout':
        lines.push({ ...base('run.timeout'), call: event.id, tool: event.tool, limit_ms: event.limitMs, code: event.code });
        break;
      case 'watchdog_kill':
        lines.push({ ...base('run.kill'), call: event.id, tool: event.tool, age_ms: event.ageMs, max_duration_ms: event.maxDurationMs });
        break;
      case 'call_end': {
        // Trace statuses have no `killed` or `stranded`: both are `cancelled`, and `outcome` keeps the detail.
        const status = event.outcome === 'killed' || event.outcome === 'stranded' ? 'cancelled' : event.outcome;
        lines.push({
          ...base('call.end'),
          call: event.id,
          status,
          outcome: event.outcome,
          error: event.error?.message,
          code: event.error?.code,
          age_ms: event.ageMs,
          exit_code: event.exitCode,
        });
        break;
      }
      case 'call_stranded':
        // A call stranded in flight (by a deadlock) gets no `call.end`: it never ended, and
        // trace checkers then see the open lock requests that form the deadlock.
        lines.push({ ...base('run.stranded'), call: event.id, tool: event.tool, agent: RUN_AGENT, reason: event.reason, waits_for: event.waitsFor });
        break;
      case 'deadlock':
        lines.push({ ...base('run.deadlock'), cycles: event.cycles, cycle_locks: event.cycleLocks });
        break;
      case 'run_pause':
        lines.push(base('run.pause'));
        break;
      case 'run_resume':
        lines.push(base('run.resume'));
        break;
      case 'run_end':
        lines.push({ ...base('run.end'), ok: event.ok, ended_by: event.endedBy });
        break;
    }
    return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  }
}

/** Parses the lines this module writes, for tests and tools. */
export function decodeRunTrace(text: string): RunTraceLine[] {
  const lines: RunTraceLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    lines.push(JSON.parse(raw) as RunTraceLine);
  }
  return lines;
}
