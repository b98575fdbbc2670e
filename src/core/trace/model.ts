/**
 * The normalised trace model. Every adapter (native JSONL, Anthropic Messages, Claude Code,
 * OpenTelemetry) turns its input into `TraceEvent`s, and `TraceBuilder` folds them into the
 * state that the rules and the wait-for graph read. Times are epoch milliseconds.
 */
import type { OffsetRange } from '../findings';

export type TraceFormat = 'native' | 'anthropic' | 'claude-code' | 'otlp';

export type CallStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'running';

/** Source position of an event: UTF-16 offsets into the text and the zero-based lines it spans. */
export interface SourceRange extends OffsetRange {
  line: number;
  endLine: number;
}

export type RefKind = 'agent' | 'call' | 'lock' | 'message';

/** A reference to something a wait can be on, or something that can hold a lock. */
export interface Ref {
  kind: RefKind;
  id: string;
}

export type WaitOutcome = 'delivered' | 'failed' | 'cancelled' | 'lost' | 'timeout';

interface EventBase {
  /** Epoch milliseconds, absent when the source has no times (Anthropic transcripts). */
  at?: number;
  range: SourceRange;
}

export interface CallStartEvent extends EventBase {
  type: 'call.start';
  call: string;
  tool: string;
  agent?: string;
  /** The call that issued this one, such as a subagent's `Task` call or an enclosing span. */
  parent?: string;
  input?: unknown;
  /** Timeout the caller set for this call, in milliseconds. */
  timeoutMs?: number;
  /** Calls with the same group were issued together as parallel siblings. */
  group?: string;
  /** Conversation turn of the agent that issued the call, for conversational formats. */
  turn?: number;
  /** OpenTelemetry span id (lowercase hex). */
  span?: string;
  /** OpenTelemetry parent span id, resolved to a call when that span arrives. */
  parentSpan?: string;
}

export interface CallEndEvent extends EventBase {
  type: 'call.end';
  call: string;
  status: Exclude<CallStatus, 'running'>;
  /** A finer outcome than `status` when the writer records one, such as `killed` by a watchdog. */
  outcome?: string;
  error?: string;
  /** The result, compared to tell repeated calls with no new result. */
  output?: unknown;
}

export interface WaitStartEvent extends EventBase {
  type: 'wait.start';
  /** Id of the wait; waits without one are keyed by waiter and target. */
  wait?: string;
  waiter: Ref;
  target: Ref;
  /** Sender of the awaited message, which turns a message wait into a wait for that agent. */
  from?: string;
}

export interface WaitEndEvent extends EventBase {
  type: 'wait.end';
  wait?: string;
  waiter?: Ref;
  target?: Ref;
  outcome: WaitOutcome;
}

export interface LockEvent extends EventBase {
  type: 'lock.request' | 'lock.acquire' | 'lock.release';
  lock: string;
  holder: Ref;
}

export interface HeartbeatEvent extends EventBase {
  type: 'heartbeat';
  call?: string;
  agent?: string;
  /** Claude Code: the line whose calls this progress line reports on. */
  parentLine?: string;
}

export interface AgentStartEvent extends EventBase {
  type: 'agent.start';
  agent: string;
  parentCall?: string;
}

export interface AgentEndEvent extends EventBase {
  type: 'agent.end';
  agent: string;
  status: Exclude<CallStatus, 'running'>;
}

/** The conversation of an agent moved on to a new turn (a new message). */
export interface TurnEvent extends EventBase {
  type: 'turn';
  agent: string;
  turn: number;
}

/** A message was delivered, which ends the waits for it. */
export interface MessageEvent extends EventBase {
  type: 'message';
  message: string;
  from?: string;
  to?: string;
}

/**
 * The recorder stopped: a run under the watchdog ended. Calls still open at this point will
 * never end, so live views stop their ages here instead of counting on to the present.
 */
export interface TraceEndEvent extends EventBase {
  type: 'trace.end';
}

/**
 * A run stranded a call: the call can never start, or never finish, because something it
 * waits for hung, failed or was lost. Run traces write it as a `run.stranded` line.
 */
export interface CallStrandedEvent extends EventBase {
  type: 'call.stranded';
  call: string;
  tool?: string;
  agent?: string;
  /** The writer's explanation, such as `it waits for "search", which failed`. */
  reason?: string;
  /** Ids of the calls it waits for, and locks as `lock:NAME`. */
  waitsFor: string[];
}

/** A result that names a call; the builder reports it when no such call exists. */
export interface ResultEvent extends EventBase {
  type: 'result';
  call: string;
  status: Exclude<CallStatus, 'running'>;
  error?: string;
  output?: unknown;
}

export type TraceEvent =
  | CallStartEvent
  | CallEndEvent
  | WaitStartEvent
  | WaitEndEvent
  | LockEvent
  | HeartbeatEvent
  | AgentStartEvent
  | AgentEndEvent
  | TurnEvent
  | MessageEvent
  | ResultEvent
  | TraceEndEvent
  | CallStrandedEvent;

export interface TraceCall {
  id: string;
  tool: string;
  agent: string;
  parent?: string;
  input?: unknown;
  status: CallStatus;
  /** The writer's finer outcome, such as `killed`, when it recorded one. */
  outcome?: string;
  startedAt?: number;
  endedAt?: number;
  timeoutMs?: number;
  error?: string;
  group?: string;
  turn?: number;
  span?: string;
  parentSpan?: string;
  /** True for a call inferred from children that name it as parent but never arrived. */
  inferred?: boolean;
  lastHeartbeatAt?: number;
  heartbeats: number;
  startRange: SourceRange;
  endRange?: SourceRange;
  /** Claude Code line uuid of the assistant line that issued the call. */
  line?: string;
  /** The writer's reason, when a run stranded this call after it started. */
  strandedReason?: string;
}

/** A call that a run stranded before it started, so the trace has no `call.start` for it. */
export interface UnstartedCall {
  id: string;
  tool?: string;
  agent: string;
  reason?: string;
  /** Ids of the calls it waits for, and locks as `lock:NAME`. */
  waitsFor: string[];
  /** When the run gave up on it. */
  at?: number;
  range: SourceRange;
}

export interface TraceAgent {
  id: string;
  parentCall?: string;
  status: CallStatus;
  startedAt?: number;
  endedAt?: number;
  turn: number;
  /** Position of the message that started the current turn. */
  turnRange?: SourceRange;
  turnAt?: number;
  lastHeartbeatAt?: number;
  range: SourceRange;
}

export interface TraceWait {
  key: string;
  waiter: Ref;
  target: Ref;
  from?: string;
  startedAt?: number;
  endedAt?: number;
  outcome?: WaitOutcome;
  range: SourceRange;
  endRange?: SourceRange;
  /** Set when the target ended while the wait was open. */
  targetEnded?: { at?: number; status: CallStatus; range: SourceRange };
}

export interface LockState {
  name: string;
  holder?: Ref;
  heldSince?: number;
  acquireRange?: SourceRange;
  /** Open requests by holder key. */
  requests: Map<string, { ref: Ref; at?: number; range: SourceRange }>;
  range: SourceRange;
}

/** Evidence that some holder took lock `to` while holding lock `from`. */
export interface LockOrderEdge {
  from: string;
  to: string;
  holder: Ref;
  at?: number;
  range: SourceRange;
  heldRange?: SourceRange;
}

export function refKey(ref: Ref): string {
  return `${ref.kind}:${ref.id}`;
}

export function describeRef(ref: Ref, calls?: Map<string, TraceCall>): string {
  if (ref.kind === 'call') {
    const call = calls?.get(ref.id);
    return call && call.tool ? `call ${ref.id} (${call.tool})` : `call ${ref.id}`;
  }
  return `${ref.kind} ${ref.id}`;
}
