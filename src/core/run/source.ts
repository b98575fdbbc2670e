/**
 * Turns a plan or a recorded trace into the calls the engine runs.
 */
import type { Plan } from '../plan/model';
import type { CallBehavior, RunCall, RunSource } from './types';

/** Builds a run source from a parsed plan. Steps with no id cannot be scheduled and are skipped. */
export function sourceFromPlan(plan: Plan, name?: string): RunSource {
  const calls: RunCall[] = [];
  for (const step of plan.steps) {
    if (step.id === '') continue;
    const call: RunCall = {
      id: step.id,
      tool: step.tool,
      dependsOn: step.dependsOn.map((dependency) => dependency.id),
      locks: step.locks.map((lock) => lock.name),
      range: step.range,
    };
    if (step.durationMs !== undefined) call.durationMs = step.durationMs;
    if (step.behavior !== undefined) call.behavior = step.behavior;
    if (step.timeoutMs !== undefined) call.timeoutMs = step.timeoutMs;
    if (step.command !== undefined) call.command = step.command;
    calls.push(call);
  }
  const source: RunSource = { kind: 'plan', calls };
  const label = name ?? plan.name;
  if (label !== undefined) source.name = label;
  if (plan.defaults.timeoutMs !== undefined) source.defaultTimeoutMs = plan.defaults.timeoutMs;
  return source;
}

/** Status of a recorded call. `pending` and `running` mean the trace ended before the call did. */
export type RecordedStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'pending' | 'running';

/**
 * A recorded call in the smallest shape the engine needs: times in ms on any common origin.
 * Trace readers reduce their models to this.
 */
export interface RecordedCall {
  id: string;
  tool: string;
  startMs: number;
  /** Unset when the call never ended in the recording. */
  endMs?: number;
  status: RecordedStatus;
  dependsOn?: string[];
  locks?: string[];
  timeoutMs?: number;
}

export interface RecordedCalls {
  name?: string;
  calls: RecordedCall[];
}

/**
 * Builds a run source from recorded calls. Calls are ordered by their recorded start, so calls
 * that become ready together start in the recorded order. A call that never ended replays as
 * `hang`, which the replay's timeout then ends; a call that failed replays as `error`.
 */
export function sourceFromRecording(recording: RecordedCalls): RunSource {
  const ordered = recording.calls
    .map((call, position) => ({ call, position }))
    .sort((a, b) => a.call.startMs - b.call.startMs || a.position - b.position);
  const calls = ordered.map(({ call }): RunCall => {
    const behavior: CallBehavior =
      call.endMs === undefined || call.status === 'pending' || call.status === 'running' || call.status === 'timeout'
        ? 'hang'
        : call.status === 'ok'
          ? 'ok'
          : 'error';
    const result: RunCall = {
      id: call.id,
      tool: call.tool,
      dependsOn: call.dependsOn ?? [],
      locks: call.locks ?? [],
      behavior,
      recordedStartMs: call.startMs,
    };
    if (call.endMs !== undefined) result.durationMs = Math.max(0, call.endMs - call.startMs);
    if (call.timeoutMs !== undefined) result.timeoutMs = call.timeoutMs;
    return result;
  });
  const source: RunSource = { kind: 'trace', calls };
  if (recording.name !== undefined) source.name = recording.name;
  return source;
}

/** A problem in a recorded-calls document, with the JSON path of the value. */
export interface RecordingProblem {
  path: string;
  message: string;
}

const RECORDED_STATUSES: readonly RecordedStatus[] = ['ok', 'error', 'timeout', 'cancelled', 'pending', 'running'];

/** Checks a parsed JSON value against the recorded-calls shape. */
export function readRecording(value: unknown): { recording?: RecordedCalls; problems: RecordingProblem[] } {
  const problems: RecordingProblem[] = [];
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { calls?: unknown }).calls)) {
    return { problems: [{ path: '$', message: 'Expected an object with a "calls" list.' }] };
  }
  const raw = (value as { calls: unknown[]; name?: unknown }).calls;
  const calls: RecordedCall[] = [];
  raw.forEach((entry, k) => {
    const at = `$.calls[${k}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push({ path: at, message: 'Expected an object.' });
      return;
    }
    const item = entry as Record<string, unknown>;
    const before = problems.length;
    const text = (key: string): string | undefined => {
      const field = item[key];
      if (typeof field !== 'string' || field === '') problems.push({ path: `${at}.${key}`, message: `Expected a non-empty string for "${key}".` });
      return typeof field === 'string' ? field : undefined;
    };
    const id = text('id');
    const tool = text('tool');
    const startMs = item.startMs;
    if (typeof startMs !== 'number' || !Number.isFinite(startMs)) problems.push({ path: `${at}.startMs`, message: 'Expected a number of ms for "startMs".' });
    const endMs = item.endMs;
    if (endMs !== undefined && endMs !== null && (typeof endMs !== 'number' || !Number.isFinite(endMs))) {
      problems.push({ path: `${at}.endMs`, message: 'Expected a number of ms or null for "endMs".' });
    }
    const status = item.status ?? (endMs === undefined || endMs === null ? 'pending' : 'ok');
    if (!RECORDED_STATUSES.includes(status as RecordedStatus)) {
      problems.push({ path: `${at}.status`, message: `Expected one of ${RECORDED_STATUSES.join(', ')} for "status".` });
    }
    const lists: Record<string, string[] | undefined> = {};
    for (const key of ['dependsOn', 'locks']) {
      const list = item[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((element) => typeof element === 'string')) {
        problems.push({ path: `${at}.${key}`, message: `Expected a list of strings for "${key}".` });
      } else lists[key] = list;
    }
    if (problems.length > before) return;
    const call: RecordedCall = { id: id as string, tool: tool as string, startMs: startMs as number, status: status as RecordedStatus };
    if (typeof endMs === 'number') call.endMs = endMs;
    if (lists.dependsOn !== undefined) call.dependsOn = lists.dependsOn;
    if (lists.locks !== undefined) call.locks = lists.locks;
    if (typeof item.timeoutMs === 'number') call.timeoutMs = item.timeoutMs;
    calls.push(call);
  });
  const name = (value as { name?: unknown }).name;
  const recording: RecordedCalls = { calls };
  if (typeof name === 'string') recording.name = name;
  return problems.length > 0 ? { problems } : { recording, problems };
}
