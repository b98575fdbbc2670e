/**
 * Folds normalised trace events into the state the rules read. It works one event at a time,
 * so the same code serves a recorded file and a live stream. It emits the findings that are
 * final as soon as their event arrives: failed calls, unmatched results, repeated calls,
 * serialized siblings and lost waits. `analyzeTrace` computes the rest from the open state.
 *
 * Memory: open calls, waits and locks are kept until they end. Closed calls are kept up to
 * `retainClosedCalls` (oldest dropped first), so a long live trace does not grow without bound.
 */
import type { Finding } from '../findings';
import { CycleWatch, waitTarget } from './cycleWatch';
import { clock, duration, jsonEqual, offsetRange, related, traceFinding } from './findingsUtil';
import {
  describeRef,
  refKey,
  type CallStatus,
  type LockOrderEdge,
  type LockState,
  type Ref,
  type SourceRange,
  type TraceAgent,
  type TraceCall,
  type TraceEvent,
  type TraceFormat,
  type TraceWait,
  type UnstartedCall,
} from './model';

export interface TraceBuilderOptions {
  /** How many ended calls to keep for display and rules; default: all of them. */
  retainClosedCalls?: number;
  /** Same tool and input this many times with no new result is a repeated call; default 3. */
  repeatThreshold?: number;
}

export const DEFAULT_AGENT = 'main';


interface RepeatState {
  count: number;
  input: unknown;
  output: unknown;
  calls: string[];
  ranges: SourceRange[];
  finding?: Finding;
}

interface GroupMember {
  start?: number;
  end?: number;
  range: SourceRange;
  tool: string;
}

export class TraceBuilder {
  format: TraceFormat | undefined;
  readonly calls = new Map<string, TraceCall>();
  readonly agents = new Map<string, TraceAgent>();
  readonly waits = new Map<string, TraceWait>();
  readonly locks = new Map<string, LockState>();
  readonly lockOrder = new Map<string, LockOrderEdge>();
  /** Locks held by each holder key, in acquisition order. */
  readonly held = new Map<string, string[]>();
  /** OpenTelemetry span id to call id. */
  readonly spans = new Map<string, string>();
  /** Calls that a run stranded before they started, by id, in the order the trace gives them. */
  readonly unstartedCalls = new Map<string, UnstartedCall>();
  /** Findings that were final when their event arrived, in event order. */
  readonly findings: Finding[] = [];
  /** Cycles seen closing while the trace was read, including those broken later. */
  readonly cycleWatch: CycleWatch;
  eventCount = 0;
  firstEventAt: number | undefined;
  lastEventAt: number | undefined;
  /** Time at which the recorder ended the trace with a `run.end` or `trace.end` line, if it did. */
  endedAt: number | undefined;
  lastRange: SourceRange | undefined;

  private readonly retainClosed: number;
  private readonly repeatThreshold: number;
  private readonly closedQueue: string[] = [];
  private closedHead = 0;
  /** Open wait keys by target and by waiter key; usually one entry, so arrays beat sets. */
  private readonly waitsByTarget = new Map<string, string[]>();
  private readonly waitsByWaiter = new Map<string, string[]>();
  /** Repeat state per agent, then per tool. */
  private readonly repeats = new Map<string, Map<string, RepeatState>>();
  private readonly groups = new Map<string, Map<string, GroupMember>>();
  private readonly lineCalls = new Map<string, string[]>();
  private readonly runningByAgent = new Map<string, Set<string>>();
  private readonly runningChildren = new Map<string, Set<string>>();
  private readonly subagents = new Map<string, Set<string>>();
  private readonly requestsByHolder = new Map<string, Set<string>>();

  constructor(options: TraceBuilderOptions = {}) {
    this.retainClosed = options.retainClosedCalls ?? Number.POSITIVE_INFINITY;
    this.repeatThreshold = Math.max(2, options.repeatThreshold ?? 3);
    this.cycleWatch = new CycleWatch({
      calls: this.calls,
      agents: this.agents,
      waits: this.waits,
      locks: this.locks,
      runningCallsOf: (agent) => this.runningByAgent.get(agent),
      runningChildrenOf: (call) => this.runningChildren.get(call),
      subagentsOf: (call) => this.subagents.get(call),
      waitKeysOf: (waiterKey) => this.waitsByWaiter.get(waiterKey),
      requestedLocksOf: (holderKey) => this.requestsByHolder.get(holderKey),
    });
  }

  /** Number of calls still running. */
  get openCallCount(): number {
    let open = 0;
    for (const call of this.calls.values()) if (call.status === 'running') open++;
    return open;
  }

  add(event: TraceEvent): void {
    this.eventCount++;
    this.lastRange = event.range;
    if (event.at !== undefined) {
      if (this.lastEventAt === undefined || event.at > this.lastEventAt) this.lastEventAt = event.at;
      if (this.firstEventAt === undefined || event.at < this.firstEventAt) this.firstEventAt = event.at;
    }
    switch (event.type) {
      case 'call.start':
        this.startCall(event);
        break;
      case 'call.end':
      case 'result':
        this.endCall(event.call, event.status, event.at, event.range, event.error, event.output, event.type === 'result');
        if (event.type === 'call.end' && event.outcome !== undefined) {
          const ended = this.calls.get(event.call);
          if (ended && ended.endedAt === event.at) ended.outcome = event.outcome;
        }
        break;
      case 'wait.start':
        this.startWait(event.wait, event.waiter, event.target, event.at, event.range, event.from);
        break;
      case 'wait.end': {
        const key = event.wait ?? (event.waiter && event.target ? `${refKey(event.waiter)}>${refKey(event.target)}` : undefined);
        if (key !== undefined) this.endWait(key, event.outcome, event.at, event.range);
        break;
      }
      case 'lock.request':
      case 'lock.acquire':
      case 'lock.release':
        this.lockEvent(event.type, event.lock, event.holder, event.at, event.range);
        break;
      case 'heartbeat':
        this.heartbeat(event.call, event.agent, event.parentLine, event.at);
        break;
      case 'agent.start': {
        const agent = this.agent(event.agent, event.range, event.at);
        if (event.parentCall !== undefined) {
          agent.parentCall = event.parentCall;
          if (agent.status === 'running') addToSetIndex(this.subagents, event.parentCall, agent.id);
        }
        if (event.at !== undefined && (agent.startedAt === undefined || event.at < agent.startedAt)) agent.startedAt = event.at;
        break;
      }
      case 'agent.end':
        this.endAgent(event.agent, event.status, event.at, event.range);
        break;
      case 'trace.end':
        this.endedAt = event.at ?? this.lastEventAt;
        break;
      case 'call.stranded':
        this.strandCall(event);
        break;
      case 'turn': {
        const agent = this.agent(event.agent, event.range, event.at);
        if (event.turn > agent.turn) {
          agent.turn = event.turn;
          agent.turnRange = event.range;
          agent.turnAt = event.at;
        }
        break;
      }
      case 'message': {
        const waitKeys = this.waitsByTarget.get(`message:${event.message}`);
        if (waitKeys) for (const key of [...waitKeys]) this.endWait(key, 'delivered', event.at, event.range);
        break;
      }
    }
  }

  /** Records that the calls issued on a Claude Code line are the ones its progress lines report on. */
  noteLineCalls(line: string, calls: string[]): void {
    const known = this.lineCalls.get(line);
    if (known) known.push(...calls);
    else this.lineCalls.set(line, [...calls]);
    for (const id of calls) {
      const call = this.calls.get(id);
      if (call) call.line = line;
    }
  }

  agent(id: string, range: SourceRange, at?: number): TraceAgent {
    let agent = this.agents.get(id);
    if (!agent) {
      agent = { id, status: 'running', turn: 0, range, startedAt: at };
      this.agents.set(id, agent);
    }
    return agent;
  }

  private startCall(event: Extract<TraceEvent, { type: 'call.start' }>): void {
    const agentId = event.agent ?? DEFAULT_AGENT;
    this.agent(agentId, event.range, event.at);
    const existing = this.calls.get(event.call);
    if (existing && existing.status !== 'running') return;
    // Every call object gets all fields in one order, so they share one hidden class.
    const call: TraceCall = existing ?? {
      id: event.call,
      tool: event.tool,
      agent: agentId,
      parent: undefined,
      input: undefined,
      status: 'running',
      startedAt: undefined,
      endedAt: undefined,
      timeoutMs: undefined,
      error: undefined,
      group: undefined,
      turn: undefined,
      span: undefined,
      parentSpan: undefined,
      inferred: undefined,
      lastHeartbeatAt: undefined,
      heartbeats: 0,
      startRange: event.range,
      endRange: undefined,
      line: undefined,
      strandedReason: undefined,
    };
    call.tool = event.tool;
    call.agent = agentId;
    call.startRange = event.range;
    if (event.parent !== undefined) call.parent = event.parent;
    if (event.input !== undefined) call.input = event.input;
    if (event.at !== undefined) call.startedAt = event.at;
    if (event.timeoutMs !== undefined) call.timeoutMs = event.timeoutMs;
    if (event.group !== undefined) call.group = event.group;
    if (event.turn !== undefined) call.turn = event.turn;
    if (event.span !== undefined) {
      call.span = event.span;
      this.spans.set(event.span, call.id);
    }
    if (event.parentSpan !== undefined) call.parentSpan = event.parentSpan;
    this.calls.set(call.id, call);
    this.unstartedCalls.delete(call.id);
    addToSetIndex(this.runningByAgent, call.agent, call.id);
    if (call.parent !== undefined) addToSetIndex(this.runningChildren, call.parent, call.id);

    if (call.group !== undefined) {
      let group = this.groups.get(call.group);
      if (!group) {
        group = new Map();
        this.groups.set(call.group, group);
      }
      group.set(call.id, { start: call.startedAt, range: call.startRange, tool: call.tool });
    }
  }

  /**
   * Records a stranded call. A call that started keeps the reason. One that never started
   * has no other event, so it is kept apart from `calls` and the rules never see it.
   */
  private strandCall(event: Extract<TraceEvent, { type: 'call.stranded' }>): void {
    const started = this.calls.get(event.call);
    if (started) {
      if (event.reason !== undefined) started.strandedReason = event.reason;
      return;
    }
    this.unstartedCalls.set(event.call, {
      id: event.call,
      tool: event.tool,
      agent: event.agent ?? DEFAULT_AGENT,
      reason: event.reason,
      waitsFor: event.waitsFor,
      at: event.at,
      range: event.range,
    });
  }

  private endCall(
    id: string,
    status: Exclude<CallStatus, 'running'>,
    at: number | undefined,
    range: SourceRange,
    error: string | undefined,
    output: unknown,
    isResult: boolean,
  ): void {
    const call = this.calls.get(id);
    if (!call) {
      const what = isResult ? 'A tool result' : 'A call end event';
      this.findings.push(
        traceFinding('unmatched-result', `${what} names call ${id}, but no call with that id started before it.`, range, {
          calls: [id],
          data: at !== undefined ? { at: clock(at) } : undefined,
        }),
      );
      return;
    }
    if (call.status !== 'running') return;
    call.status = status;
    call.endedAt = at;
    removeFromSetIndex(this.runningByAgent, call.agent, id);
    if (call.parent !== undefined) removeFromSetIndex(this.runningChildren, call.parent, id);
    call.endRange = range;
    if (error !== undefined) call.error = error;

    if (status === 'error' || status === 'timeout') {
      const took = call.startedAt !== undefined && at !== undefined ? ` after ${duration(at - call.startedAt)}` : '';
      const reason = error ? `: ${error}` : '';
      const verb = status === 'timeout' ? 'timed out' : 'failed';
      this.findings.push(
        traceFinding('failed-call', `Call ${id} (${call.tool}) ${verb}${took}${reason}`, range, {
          calls: [id],
          spans: call.span ? [call.span] : undefined,
          tool: call.tool,
          related: [related(`call ${id} started here`, call.startRange)],
          data: { status, ...(error ? { error } : {}), ...(at !== undefined ? { at: clock(at) } : {}) },
        }),
      );
    }

    this.trackRepeat(call, status === 'ok' ? output : `${status}:${error ?? ''}`);
    this.trackGroup(call);
    this.targetEnded({ kind: 'call', id }, status, at, range);
    this.closeWaitsOf({ kind: 'call', id }, at, range);
    if (call.line !== undefined) {
      const siblings = this.lineCalls.get(call.line);
      const index = siblings ? siblings.indexOf(id) : -1;
      if (siblings && index >= 0) siblings.splice(index, 1);
      if (siblings && siblings.length === 0) this.lineCalls.delete(call.line);
    }
    this.retire(id);
  }

  private endAgent(id: string, status: Exclude<CallStatus, 'running'>, at: number | undefined, range: SourceRange): void {
    const agent = this.agent(id, range, at);
    if (agent.status !== 'running') return;
    agent.status = status;
    agent.endedAt = at;
    if (agent.parentCall !== undefined) removeFromSetIndex(this.subagents, agent.parentCall, id);
    this.targetEnded({ kind: 'agent', id }, status, at, range);
    this.closeWaitsOf({ kind: 'agent', id }, at, range);
  }

  private retire(id: string): void {
    if (!Number.isFinite(this.retainClosed)) return;
    this.closedQueue.push(id);
    while (this.closedQueue.length - this.closedHead > this.retainClosed) {
      const old = this.closedQueue[this.closedHead++];
      const call = this.calls.get(old);
      if (call && call.status !== 'running') {
        this.calls.delete(old);
        if (call.span !== undefined) this.spans.delete(call.span);
      }
    }
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedQueue.length) {
      this.closedQueue.splice(0, this.closedHead);
      this.closedHead = 0;
    }
  }

  /**
   * Counts consecutive calls of one tool by one agent with an equal input and an equal result
   * (calls of other tools may come in between). Inputs and results are compared structurally,
   * so key order does not matter. State is kept per agent and tool, which bounds memory.
   */
  private trackRepeat(call: TraceCall, output: unknown): void {
    // Without a recorded input there is no telling whether two calls asked the same thing.
    if (call.input === undefined) return;
    let byTool = this.repeats.get(call.agent);
    if (!byTool) this.repeats.set(call.agent, (byTool = new Map()));
    let state = byTool.get(call.tool);
    if (!state) {
      state = { count: 0, input: call.input, output, calls: [], ranges: [] };
      byTool.set(call.tool, state);
    } else if (!jsonEqual(state.input, call.input) || !jsonEqual(state.output, output)) {
      if (state.finding) {
        state = { count: 0, input: call.input, output, calls: [], ranges: [] };
        byTool.set(call.tool, state);
      } else {
        state.count = 0;
        state.input = call.input;
        state.output = output;
        state.calls.length = 0;
        state.ranges.length = 0;
      }
    }
    state.count++;
    // Keep the first few and the latest call as evidence, because the count gives the total.
    if (state.calls.length < 10) {
      state.calls.push(call.id);
      state.ranges.push(call.startRange);
    } else {
      state.calls[9] = call.id;
      state.ranges[9] = call.startRange;
    }
    if (state.count < this.repeatThreshold) return;

    const message =
      `Call ${call.tool} with the same input ran ${state.count} times in agent ${call.agent} ` +
      `with no new result, which looks like a loop that makes no progress.`;
    if (!state.finding) {
      state.finding = traceFinding('repeated-call', message, call.startRange, { tool: call.tool });
      this.findings.push(state.finding);
    }
    const finding = state.finding;
    const calls = state.calls;
    finding.message = message;
    finding.range = offsetRange(call.startRange);
    finding.calls = [...calls];
    finding.related = state.ranges.map((range, index) => related(`repetition of call ${calls[index]}`, range));
    finding.data = { count: state.count, agent: call.agent };
  }

  private trackGroup(call: TraceCall): void {
    if (call.group === undefined) return;
    const group = this.groups.get(call.group);
    const member = group?.get(call.id);
    if (!group || !member) return;
    member.end = call.endedAt;
    for (const other of group.values()) if (other.end === undefined) return;
    this.groups.delete(call.group);
    if (group.size < 2) return;

    const members = [...group.entries()];
    if (members.some(([, m]) => m.start === undefined || m.end === undefined)) return;
    members.sort((a, b) => (a[1].start as number) - (b[1].start as number));
    let busy = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i][1];
      busy += (m.end as number) - (m.start as number);
      if (i > 0 && (m.start as number) < (members[i - 1][1].end as number)) return;
    }
    if (busy <= 0) return;

    const ids = members.map(([id]) => id);
    const first = members[0][1];
    const last = members[members.length - 1][1];
    const total = (last.end as number) - (first.start as number);
    this.findings.push(
      traceFinding(
        'serialized-calls',
        `Calls ${ids.join(', ')} were issued together as parallel siblings but ran one after another ` +
          `(${duration(total)} in total, no overlap); a blocked event loop or a global lock is the usual cause.`,
        first.range,
        {
          calls: ids,
          related: members.map(([id, m]) => related(`call ${id} (${m.tool}) ran ${clock(m.start)} to ${clock(m.end)}`, m.range)),
          data: { totalMs: total, group: call.group },
        },
      ),
    );
  }

  private startWait(id: string | undefined, waiter: Ref, target: Ref, at: number | undefined, range: SourceRange, from?: string): void {
    const key = id ?? `${refKey(waiter)}>${refKey(target)}`;
    if (waiter.kind === 'agent') this.agent(waiter.id, range, at);
    const wait: TraceWait = { key, waiter, target, from, startedAt: at, range };
    const ended = this.endedState(target);
    if (ended) wait.targetEnded = ended;
    this.waits.set(key, wait);
    addToIndex(this.waitsByTarget, refKey(target), key);
    addToIndex(this.waitsByWaiter, refKey(waiter), key);
    const to = waitTarget(wait);
    if (to) {
      this.cycleWatch.edgeAdded({ from: waiter, to, kind: to.kind === 'lock' ? 'requests' : 'wait', since: at, range, reason: 'explicit wait', waitKey: key }, key);
    }
  }

  private endedState(target: Ref): TraceWait['targetEnded'] {
    if (target.kind === 'call') {
      const call = this.calls.get(target.id);
      if (call && call.status !== 'running') return { at: call.endedAt, status: call.status, range: call.endRange ?? call.startRange };
    } else if (target.kind === 'agent') {
      const agent = this.agents.get(target.id);
      if (agent && agent.status !== 'running') return { at: agent.endedAt, status: agent.status, range: agent.range };
    }
    return undefined;
  }

  private endWait(key: string, outcome: TraceWait['outcome'], at: number | undefined, range: SourceRange): void {
    const wait = this.waits.get(key);
    if (!wait) return;
    wait.endedAt = at;
    wait.outcome = outcome;
    wait.endRange = range;
    this.waits.delete(key);
    this.cycleWatch.waitEnded(key, at, outcome);
    removeFromIndex(this.waitsByTarget, refKey(wait.target), key);
    removeFromIndex(this.waitsByWaiter, refKey(wait.waiter), key);
    if (outcome === 'lost') {
      this.findings.push(
        traceFinding(
          'stranded',
          `${capitalise(describeRef(wait.waiter, this.calls))} waited for ${describeRef(wait.target, this.calls)} ` +
            `from ${clock(wait.startedAt)}, and the wait ended at ${clock(at)} because it was lost: nothing was delivered.`,
          range,
          {
            calls: [wait.waiter, wait.target].filter((r) => r.kind === 'call').map((r) => r.id),
            related: [related('the wait started here', wait.range)],
            data: { outcome },
          },
        ),
      );
    }
  }

  private targetEnded(target: Ref, status: CallStatus, at: number | undefined, range: SourceRange): void {
    if (this.waitsByTarget.size === 0) return;
    const keys = this.waitsByTarget.get(refKey(target));
    if (!keys) return;
    for (const key of keys) {
      const wait = this.waits.get(key);
      if (wait && !wait.targetEnded) wait.targetEnded = { at, status, range };
    }
  }

  /** Ends the open waits of a call or agent that ended, because it no longer waits for anything. */
  private closeWaitsOf(waiter: Ref, at: number | undefined, range: SourceRange): void {
    if (this.waitsByWaiter.size === 0) return;
    const keys = this.waitsByWaiter.get(refKey(waiter));
    if (!keys) return;
    for (const key of [...keys]) this.endWait(key, 'cancelled', at, range);
    this.waitsByWaiter.delete(refKey(waiter));
  }

  private lockEvent(type: 'lock.request' | 'lock.acquire' | 'lock.release', name: string, holder: Ref, at: number | undefined, range: SourceRange): void {
    let lock = this.locks.get(name);
    if (!lock) {
      lock = { name, requests: new Map(), range };
      this.locks.set(name, lock);
    }
    const holderKey = refKey(holder);
    if (type === 'lock.request') {
      lock.requests.set(holderKey, { ref: holder, at, range });
      addToSetIndex(this.requestsByHolder, holderKey, name);
      // Asking for a lock while holding others fixes an order as much as taking it does.
      this.recordLockOrder(holderKey, holder, name, at, range);
      this.cycleWatch.edgeAdded({ from: holder, to: { kind: 'lock', id: name }, kind: 'requests', since: at, range, reason: 'lock request' });
      return;
    }
    if (type === 'lock.acquire') {
      lock.requests.delete(holderKey);
      removeFromSetIndex(this.requestsByHolder, holderKey, name);
      lock.holder = holder;
      lock.heldSince = at;
      lock.acquireRange = range;
      if (lock.requests.size > 0) {
        this.cycleWatch.edgeAdded({ from: { kind: 'lock', id: name }, to: holder, kind: 'holds', since: at, range, reason: 'lock holder' });
      }
      this.recordLockOrder(holderKey, holder, name, at, range);
      let heldList = this.held.get(holderKey);
      if (!heldList) {
        heldList = [];
        this.held.set(holderKey, heldList);
      }
      if (!heldList.includes(name)) heldList.push(name);
      return;
    }
    const heldList = this.held.get(holderKey);
    if (heldList) {
      const index = heldList.indexOf(name);
      if (index >= 0) heldList.splice(index, 1);
      if (heldList.length === 0) this.held.delete(holderKey);
    }
    if (lock.holder && refKey(lock.holder) === holderKey) {
      lock.holder = undefined;
      lock.heldSince = undefined;
      lock.acquireRange = undefined;
    }
  }

  private beat(id: string, at: number | undefined): void {
    const call = this.calls.get(id);
    if (!call || call.status !== 'running') return;
    call.heartbeats++;
    if (at !== undefined) call.lastHeartbeatAt = at;
  }

  /** Records that `holder` wants lock `name` while holding others, once per ordered pair. */
  private recordLockOrder(holderKey: string, holder: Ref, name: string, at: number | undefined, range: SourceRange): void {
    const heldList = this.held.get(holderKey);
    if (!heldList) return;
    for (const other of heldList) {
      if (other === name) continue;
      const edgeKey = `${other}\u0000${name}`;
      if (!this.lockOrder.has(edgeKey)) {
        this.lockOrder.set(edgeKey, { from: other, to: name, holder, at, range, heldRange: this.locks.get(other)?.acquireRange });
      }
    }
  }

  private heartbeat(callId: string | undefined, agentId: string | undefined, parentLine: string | undefined, at: number | undefined): void {
    if (callId !== undefined) this.beat(callId, at);
    const lineCalls = parentLine !== undefined ? this.lineCalls.get(parentLine) : undefined;
    if (lineCalls) for (const id of lineCalls) if (id !== callId) this.beat(id, at);
    if (agentId !== undefined && at !== undefined) {
      const agent = this.agents.get(agentId);
      if (agent) agent.lastHeartbeatAt = at;
    }
  }
}

function addToSetIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

function removeFromSetIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

function removeFromIndex(index: Map<string, string[]>, key: string, value: string): void {
  const list = index.get(key);
  if (!list) return;
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) index.delete(key);
}

function addToIndex(index: Map<string, string[]>, key: string, value: string): void {
  const list = index.get(key);
  if (!list) index.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
