/**
 * The native JSONL trace format: one event object per line. docs/traces.md describes it and
 * schemas/trace-event.schema.json is its JSON Schema.
 */
import type { TraceBuilder } from '../builder';
import { isRecord, optionalString, parseTime } from '../jsonLines';
import type { CallStatus, Ref, RefKind, WaitOutcome } from '../model';
import { WHOLE_VALUE, type Locate, type TraceAdapter } from './types';

export const NATIVE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'trace.start',
  'call.start',
  'call.end',
  'wait.start',
  'wait.end',
  'lock.request',
  'lock.acquire',
  'lock.release',
  'heartbeat',
  'agent.start',
  'agent.end',
  'message',
]);

const END_STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout', 'cancelled']);
const OUTCOMES: ReadonlySet<string> = new Set(['delivered', 'failed', 'cancelled', 'lost', 'timeout']);

/** True when a parsed line looks like a native trace event. */
export function isNativeEvent(value: unknown): boolean {
  return isRecord(value) && typeof value.type === 'string' && NATIVE_EVENT_TYPES.has(value.type) && ('ts' in value || value.format === 'agent-trace');
}

export class NativeAdapter implements TraceAdapter {
  readonly format = 'native' as const;

  value(value: unknown, locate: Locate, builder: TraceBuilder): string | undefined {
    if (!isRecord(value)) return 'a trace event must be a JSON object.';
    const type = value.type;
    if (typeof type !== 'string') return 'the event has no "type" string.';
    if (type === 'trace.start') return undefined;
    const at = parseTime(value.ts);
    if (at !== undefined && Number.isNaN(at)) return `"ts" ${JSON.stringify(value.ts)} is neither epoch milliseconds nor an ISO 8601 time.`;
    const range = locate(WHOLE_VALUE);

    switch (type) {
      case 'call.start': {
        const call = optionalString(value.call);
        const tool = optionalString(value.tool);
        if (call === undefined) return 'call.start needs a "call" id.';
        if (tool === undefined) return `call.start of call ${call} needs a "tool" name.`;
        const timeout = value.timeout_ms;
        if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) return `"timeout_ms" of call ${call} must be a positive number of milliseconds.`;
        builder.add({
          type: 'call.start',
          at,
          range,
          call,
          tool,
          agent: optionalString(value.agent),
          parent: optionalString(value.parent),
          input: value.input,
          timeoutMs: timeout as number | undefined,
          group: optionalString(value.group),
        });
        return undefined;
      }
      case 'call.end': {
        const call = optionalString(value.call);
        if (call === undefined) return 'call.end needs a "call" id.';
        const status = value.status ?? 'ok';
        if (typeof status !== 'string' || !END_STATUSES.has(status)) return `"status" of call ${call} must be ok, error, timeout or cancelled.`;
        builder.add({
          type: 'call.end',
          at,
          range,
          call,
          status: status as Exclude<CallStatus, 'running'>,
          outcome: optionalString(value.outcome),
          error: optionalString(value.error),
          output: value.output,
        });
        return undefined;
      }
      case 'wait.start': {
        const waiter = subject(value);
        if (!waiter) return 'wait.start needs the waiting "agent" or "call".';
        const target = waitTarget(value.for);
        if (!target) return 'wait.start needs "for": {"call"|"agent"|"message"|"lock": id}.';
        builder.add({ type: 'wait.start', at, range, wait: optionalString(value.wait), waiter, target, from: isRecord(value.for) ? optionalString(value.for.from) : undefined });
        return undefined;
      }
      case 'wait.end': {
        const outcome = value.outcome ?? 'delivered';
        if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) return '"outcome" must be delivered, failed, cancelled, lost or timeout.';
        const wait = optionalString(value.wait);
        const waiter = subject(value);
        const target = waitTarget(value.for);
        if (wait === undefined && (!waiter || !target)) return 'wait.end needs the "wait" id, or the waiter and "for".';
        builder.add({ type: 'wait.end', at, range, wait, waiter, target, outcome: outcome as WaitOutcome });
        return undefined;
      }
      case 'lock.request':
      case 'lock.acquire':
      case 'lock.release': {
        const lock = optionalString(value.lock);
        if (lock === undefined) return `${type} needs a "lock" name.`;
        const holder = subject(value);
        if (!holder) return `${type} of lock ${lock} needs the "agent" or "call" that takes it.`;
        builder.add({ type, at, range, lock, holder });
        return undefined;
      }
      case 'heartbeat':
        builder.add({ type: 'heartbeat', at, range, call: optionalString(value.call), agent: optionalString(value.agent) });
        return undefined;
      case 'agent.start': {
        const agent = optionalString(value.agent);
        if (agent === undefined) return 'agent.start needs an "agent" id.';
        builder.add({ type: 'agent.start', at, range, agent, parentCall: optionalString(value.parent_call) });
        return undefined;
      }
      case 'agent.end': {
        const agent = optionalString(value.agent);
        if (agent === undefined) return 'agent.end needs an "agent" id.';
        const status = value.status ?? 'ok';
        if (typeof status !== 'string' || !END_STATUSES.has(status)) return `"status" of agent ${agent} must be ok, error, timeout or cancelled.`;
        builder.add({ type: 'agent.end', at, range, agent, status: status as Exclude<CallStatus, 'running'> });
        return undefined;
      }
      case 'message': {
        const message = optionalString(value.message);
        if (message === undefined) return 'message needs a "message" id.';
        builder.add({ type: 'message', at, range, message, from: optionalString(value.from), to: optionalString(value.to) });
        return undefined;
      }
      case 'run.stranded': {
        // The rules skip stranded calls, except to explain a wait on one. The Agent Calls view
        // and the wait-for graph show them.
        const call = optionalString(value.call);
        if (call === undefined) return 'run.stranded needs a "call" id.';
        const waitsFor = Array.isArray(value.waits_for) ? value.waits_for.filter((id): id is string => typeof id === 'string') : [];
        builder.add({ type: 'call.stranded', at, range, call, tool: optionalString(value.tool), agent: optionalString(value.agent), reason: optionalString(value.reason), waitsFor });
        return undefined;
      }
      case 'run.end':
      case 'trace.end':
        builder.add({ type: 'trace.end', at, range });
        return undefined;
      default:
        // Unknown types are skipped so that newer writers stay readable.
        return undefined;
    }
  }
}

/** Returns the call or agent an event is about, preferring the call when both are given. */
function subject(value: Record<string, unknown>): Ref | undefined {
  const call = optionalString(value.call);
  if (call !== undefined) return { kind: 'call', id: call };
  const agent = optionalString(value.agent);
  if (agent !== undefined) return { kind: 'agent', id: agent };
  return undefined;
}

const TARGET_KINDS: RefKind[] = ['call', 'agent', 'message', 'lock'];

function waitTarget(value: unknown): Ref | undefined {
  if (!isRecord(value)) return undefined;
  for (const kind of TARGET_KINDS) {
    const id = optionalString(value[kind]);
    if (id !== undefined) return { kind, id };
  }
  return undefined;
}

