/**
 * The trace rules that depend on the state at a moment: deadlock, hung-call, orphaned-call,
 * stranded and lock-order-inversion. The builder already emitted the rules that are final when
 * their event arrives; this adds the rest and sorts all of them by position.
 */
import { buildCsr } from '../graph/csr';
import { stronglyConnectedComponents } from '../graph/scc';
import type { Finding } from '../findings';
import { capitalise, type TraceBuilder } from './builder';
import { clock, duration, isoTime, offsetRange, related, traceFinding } from './findingsUtil';
import { describeRef, refKey, type LockOrderEdge, type Ref, type TraceCall } from './model';
import { buildWaitForGraph, type WaitEdge, type WaitForGraph } from './waitFor';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface TraceAnalysisOptions {
  /** Current time in epoch milliseconds when following live; recorded traces measure to the last event. */
  now?: number;
  /** Timeout for tools without their own, in milliseconds. Default 30 s. */
  defaultTimeoutMs?: number;
  /** Per-tool timeouts in milliseconds, which win over the timeout a trace records for a call. */
  toolTimeouts?: ReadonlyMap<string, number> | Record<string, number>;
  /** True while the trace is still being written: waits on ids not seen yet are not reported. */
  live?: boolean;
}

export interface TraceAnalysis {
  findings: Finding[];
  graph: WaitForGraph;
  /** Calls inferred from OpenTelemetry children whose parent span never arrived. */
  inferredCalls: TraceCall[];
  /** The time ages are measured to: `now`, or the last event of the trace. */
  referenceTime?: number;
  /** Effective timeout of each running call, in milliseconds. */
  timeoutOf(call: TraceCall): number;
}

export function analyzeTrace(builder: TraceBuilder, options: TraceAnalysisOptions = {}): TraceAnalysis {
  const toolTimeouts = toMap(options.toolTimeouts);
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeoutOf = (call: TraceCall): number => toolTimeouts.get(call.tool) ?? call.timeoutMs ?? defaultTimeout;
  const referenceTime = options.now ?? builder.lastEventAt;

  const inferredCalls = inferMissingParents(builder);
  const graph = buildWaitForGraph(builder, inferredCalls);
  const findings: Finding[] = [...builder.findings];

  deadlocks(builder, graph, findings);
  brokenDeadlocks(builder, graph, findings);
  hungCalls(builder, inferredCalls, referenceTime, timeoutOf, options.now !== undefined, findings);
  orphanedCalls(builder, findings);
  strandedWaits(builder, options.live === true, findings);
  lockOrderInversions(builder, findings);

  findings.sort((a, b) => a.range.start - b.range.start || a.kind.localeCompare(b.kind));
  return { findings, graph, inferredCalls, referenceTime, timeoutOf };
}

function toMap(timeouts: TraceAnalysisOptions['toolTimeouts']): ReadonlyMap<string, number> {
  if (!timeouts) return new Map();
  if (timeouts instanceof Map) return timeouts;
  return new Map(Object.entries(timeouts));
}

/** Creates a running call for every parent span id that children name but that never arrived. */
function inferMissingParents(builder: TraceBuilder): TraceCall[] {
  const missing = new Map<string, TraceCall[]>();
  for (const call of builder.calls.values()) {
    if (call.parentSpan === undefined || builder.spans.has(call.parentSpan)) continue;
    let children = missing.get(call.parentSpan);
    if (!children) missing.set(call.parentSpan, (children = []));
    children.push(call);
  }
  const inferred: TraceCall[] = [];
  for (const [span, children] of missing) {
    let startedAt: number | undefined;
    for (const child of children) if (child.startedAt !== undefined && (startedAt === undefined || child.startedAt < startedAt)) startedAt = child.startedAt;
    inferred.push({
      id: span,
      span,
      tool: 'unexported span',
      agent: children[0].agent,
      status: 'running',
      startedAt,
      heartbeats: 0,
      inferred: true,
      startRange: children[0].startRange,
    });
  }
  return inferred;
}

function edgeLine(edge: WaitEdge, builder: TraceBuilder): string {
  const from = describeRef(edge.from, builder.calls);
  const to = describeRef(edge.to, builder.calls);
  const since = `since ${clock(edge.since)} (line ${edge.range.line + 1})`;
  if (edge.kind === 'holds') return `${from} is held by ${to} ${since}`;
  if (edge.kind === 'requests') return `${from} requests ${to} ${since}`;
  return `${from} waits for ${to} ${since}`;
}

function deadlocks(builder: TraceBuilder, graph: WaitForGraph, findings: Finding[]): void {
  for (const cycle of graph.cycles) {
    if (cycle.edges.length === 0) continue;
    const lines = cycle.edges.map((edge) => edgeLine(edge, builder));
    const closing = cycle.edges.reduce((latest, edge) => ((edge.since ?? -Infinity) > (latest.since ?? -Infinity) ? edge : latest), cycle.edges[0]);
    const blocked = cycle.blocked.map((ref) => describeRef(ref, builder.calls));
    const blockedText = blocked.length > 0 ? ` Blocked behind it: ${blocked.slice(0, 10).join(', ')}${blocked.length > 10 ? ` and ${blocked.length - 10} more` : ''}.` : '';
    const message =
      `Deadlock: ${cycle.nodes.length} members wait for each other in a cycle that closed at ${clock(cycle.closedAt)}.${blockedText}\n` +
      lines.map((line) => `- ${capitalise(line)}`).join('\n');
    const calls = cycle.nodes.filter((ref) => ref.kind === 'call').map((ref) => ref.id);
    const locks = cycle.nodes.filter((ref) => ref.kind === 'lock').map((ref) => ref.id);
    const spans = calls.map((id) => builder.calls.get(id)?.span).filter((span): span is string => span !== undefined);
    findings.push(
      traceFinding('deadlock', message, closing.range, {
        calls,
        spans: spans.length > 0 ? spans : undefined,
        locks: locks.length > 0 ? locks : undefined,
        ranges: cycle.edges.map((edge) => offsetRange(edge.range)),
        related: cycle.edges.map((edge, index) => related(lines[index], edge.range)),
        data: {
          closedAt: isoTime(cycle.closedAt) ?? 'unknown',
          members: cycle.nodes.map((ref) => `${ref.kind} ${ref.id}`).join(' -> '),
          blocked: blocked.length,
        },
      }),
    );
  }
}

/** Reports cycles that closed while the trace was read but no longer stand at its end. */
function brokenDeadlocks(builder: TraceBuilder, graph: WaitForGraph, findings: Finding[]): void {
  const open = new Set(graph.edges.map((edge) => `${refKey(edge.from)}>${refKey(edge.to)}`));
  for (const cycle of builder.cycleWatch.cycles) {
    const gone = cycle.edges.filter((edge) => !open.has(`${refKey(edge.from)}>${refKey(edge.to)}`));
    if (gone.length === 0) continue;

    let brokenAt: number | undefined;
    let how: string | undefined;
    for (const edge of gone) {
      const end = edgeEnd(builder, cycle.waitEnds, edge);
      if (end && end.at !== undefined && (brokenAt === undefined || end.at < brokenAt)) {
        brokenAt = end.at;
        how = end.how;
      }
    }
    const lines = cycle.edges.map((edge) => edgeLine(edge, builder));
    const broken = brokenAt !== undefined ? `It was broken at ${clock(brokenAt)}, when ${how}.` : 'It was broken later, when one of its waits ended.';
    const calls = [...new Set(cycle.edges.flatMap((edge) => [edge.from, edge.to]).filter((ref) => ref.kind === 'call').map((ref) => ref.id))];
    const locks = [...new Set(cycle.edges.flatMap((edge) => [edge.from, edge.to]).filter((ref) => ref.kind === 'lock').map((ref) => ref.id))];
    findings.push(
      traceFinding(
        'deadlock',
        `Deadlock: ${cycle.edges.length} members waited for each other in a cycle that closed at ${clock(cycle.closedAt)}. ${broken}\n` +
          lines.map((line) => `- ${capitalise(line)}`).join('\n'),
        cycle.range,
        {
          calls,
          locks: locks.length > 0 ? locks : undefined,
          ranges: cycle.edges.map((edge) => offsetRange(edge.range)),
          related: cycle.edges.map((edge, index) => related(lines[index], edge.range)),
          data: {
            closedAt: isoTime(cycle.closedAt) ?? 'unknown',
            brokenAt: isoTime(brokenAt) ?? 'unknown',
            members: cycle.edges.map((edge) => `${edge.from.kind} ${edge.from.id}`).join(' -> '),
          },
        },
      ),
    );
  }
}

/** When and how an edge of a cycle went away, when the trace records it. */
function edgeEnd(
  builder: TraceBuilder,
  waitEnds: Map<string, { at?: number; outcome?: string }>,
  edge: WaitEdge,
): { at?: number; how: string } | undefined {
  if (edge.waitKey !== undefined) {
    const end = waitEnds.get(edge.waitKey);
    if (end) return { at: end.at, how: `the wait of ${describeRef(edge.from, builder.calls)} for ${describeRef(edge.to, builder.calls)} ended (${end.outcome ?? 'ended'})` };
  }
  if (edge.to.kind === 'call') {
    const call = builder.calls.get(edge.to.id);
    if (call && call.status !== 'running') return { at: call.endedAt, how: `${describeRef(edge.to, builder.calls)} ended with ${call.status}` };
  }
  if (edge.from.kind === 'call') {
    const call = builder.calls.get(edge.from.id);
    if (call && call.status !== 'running') return { at: call.endedAt, how: `${describeRef(edge.from, builder.calls)} ended with ${call.status}` };
  }
  if (edge.to.kind === 'agent') {
    const agent = builder.agents.get(edge.to.id);
    if (agent && agent.status !== 'running') return { at: agent.endedAt, how: `agent ${agent.id} ended with ${agent.status}` };
  }
  return undefined;
}

function hungCalls(
  builder: TraceBuilder,
  inferred: TraceCall[],
  referenceTime: number | undefined,
  timeoutOf: (call: TraceCall) => number,
  live: boolean,
  findings: Finding[],
): void {
  if (referenceTime === undefined) return;
  const measuredTo = live ? 'now' : `the last event at ${clock(referenceTime)}`;
  for (const call of [...builder.calls.values(), ...inferred]) {
    if (call.status !== 'running' || call.startedAt === undefined) continue;
    const age = referenceTime - call.startedAt;
    const timeout = timeoutOf(call);
    if (age <= timeout) continue;

    const data: Record<string, string | number | boolean> = {
      ageSeconds: Math.round(age / 1000),
      timeoutSeconds: timeout / 1000,
      startedAt: isoTime(call.startedAt) ?? '',
      measuredTo: isoTime(referenceTime) ?? '',
    };
    if (call.inferred) {
      const children = [...builder.calls.values()].filter((child) => child.parentSpan === call.id);
      data.inferred = true;
      findings.push(
        traceFinding(
          'hung-call',
          `Span ${call.id} never arrived although ${children.length} span(s) name it as their parent; OTLP exports a span only when it ends, ` +
            `so it was still running ${duration(age)} after ${clock(call.startedAt)} (up to ${measuredTo}), past the ${duration(timeout)} timeout.`,
          call.startRange,
          {
            spans: [call.id],
            related: children.map((child) => related(`child ${describeRef({ kind: 'call', id: child.id }, builder.calls)} names span ${call.id} as parent`, child.startRange)),
            data,
          },
        ),
      );
      continue;
    }
    const sign = call.lastHeartbeatAt !== undefined ? ` Its last heartbeat was at ${clock(call.lastHeartbeatAt)} (${call.heartbeats} in all).` : '';
    if (call.lastHeartbeatAt !== undefined) data.lastHeartbeat = isoTime(call.lastHeartbeatAt) ?? '';
    findings.push(
      traceFinding(
        'hung-call',
        `Call ${call.id} (${call.tool}) started at ${clock(call.startedAt)} and has been running for ${duration(age)} up to ${measuredTo}, ` +
          `past its ${duration(timeout)} timeout.${sign}`,
        call.startRange,
        { calls: [call.id], spans: call.span ? [call.span] : undefined, tool: call.tool, data },
      ),
    );
  }
}

function orphanedCalls(builder: TraceBuilder, findings: Finding[]): void {
  for (const call of builder.calls.values()) {
    if (call.status !== 'running' || call.turn === undefined) continue;
    const agent = builder.agents.get(call.agent);
    if (!agent || agent.turn <= call.turn || !agent.turnRange) continue;
    findings.push(
      traceFinding(
        'orphaned-call',
        `Call ${call.id} (${call.tool}) never got a tool_result, but the conversation went on to message ${agent.turn} (line ${agent.turnRange.line + 1}); ` +
          `the Messages API rejects the next request until every tool_use has a result.`,
        call.startRange,
        {
          calls: [call.id],
          tool: call.tool,
          related: [related('the conversation went on here', agent.turnRange)],
          data: { turn: call.turn, conversationTurn: agent.turn },
        },
      ),
    );
  }
}

function strandedWaits(builder: TraceBuilder, live: boolean, findings: Finding[]): void {
  const waiterCalls = (waiter: Ref, target: Ref): string[] => [waiter, target].filter((ref) => ref.kind === 'call').map((ref) => ref.id);
  for (const wait of builder.waits.values()) {
    const waiter = capitalise(describeRef(wait.waiter, builder.calls));
    const target = describeRef(wait.target, builder.calls);
    if (wait.targetEnded) {
      const how = wait.targetEnded.status === 'ok' ? 'ended' : `ended with ${wait.targetEnded.status}`;
      findings.push(
        traceFinding(
          'stranded',
          `${waiter} waits for ${target} since ${clock(wait.startedAt)}, but ${target} ${how} at ${clock(wait.targetEnded.at)} without delivering to it, so nothing will wake it.`,
          wait.range,
          { calls: waiterCalls(wait.waiter, wait.target), related: [related(`${target} ended here`, wait.targetEnded.range)], data: { targetStatus: wait.targetEnded.status } },
        ),
      );
      continue;
    }
    const unstarted = wait.target.kind === 'call' ? builder.unstartedCalls.get(wait.target.id) : undefined;
    if (unstarted && !builder.calls.has(unstarted.id)) {
      const reasonText = unstarted.reason === undefined ? '' : ` (${unstarted.reason.replace(/\.$/, '')})`;
      findings.push(
        traceFinding(
          'stranded',
          `${waiter} waits for ${target} since ${clock(wait.startedAt)}, but the run stranded ${target} before it started${reasonText}, so nothing will wake it.`,
          wait.range,
          { calls: waiterCalls(wait.waiter, wait.target), related: [related(`${target} stranded here`, unstarted.range)], data: { targetStatus: 'stranded' } },
        ),
      );
      continue;
    }
    const unknown = (wait.target.kind === 'call' && !builder.calls.has(wait.target.id)) || (wait.target.kind === 'agent' && !builder.agents.has(wait.target.id));
    if (unknown && !live) {
      findings.push(
        traceFinding('stranded', `${waiter} waits for ${target} since ${clock(wait.startedAt)}, but ${target} never appears in the trace: the wait is lost.`, wait.range, {
          calls: waiterCalls(wait.waiter, wait.target),
          data: { targetStatus: 'lost' },
        }),
      );
    }
  }

  for (const lock of builder.locks.values()) {
    if (!lock.holder || lock.requests.size === 0) continue;
    const holder = lock.holder;
    let ended: { status: string; endedAt?: number } | undefined;
    if (holder.kind === 'call') ended = builder.calls.get(holder.id);
    else if (holder.kind === 'agent') ended = builder.agents.get(holder.id);
    if (!ended || ended.status === 'running') continue;
    for (const request of lock.requests.values()) {
      findings.push(
        traceFinding(
          'stranded',
          `${capitalise(describeRef(request.ref, builder.calls))} requests lock ${lock.name} since ${clock(request.at)}, but its holder ` +
            `${describeRef(holder, builder.calls)} ended (${ended.status}) at ${clock(ended.endedAt)} without releasing it.`,
          request.range,
          {
            calls: request.ref.kind === 'call' ? [request.ref.id] : undefined,
            locks: [lock.name],
            related: lock.acquireRange ? [related(`lock ${lock.name} acquired here`, lock.acquireRange)] : [],
            data: { targetStatus: ended.status },
          },
        ),
      );
    }
  }
}

function lockOrderInversions(builder: TraceBuilder, findings: Finding[]): void {
  if (builder.lockOrder.size === 0) return;
  const names: string[] = [];
  const index = new Map<string, number>();
  const id = (name: string): number => {
    let at = index.get(name);
    if (at === undefined) {
      at = names.length;
      names.push(name);
      index.set(name, at);
    }
    return at;
  };
  const edges = [...builder.lockOrder.values()];
  const sources = edges.map((edge) => id(edge.from));
  const targets = edges.map((edge) => id(edge.to));
  const { graph } = buildCsr(names.length, sources, targets);
  const components = stronglyConnectedComponents(graph);
  const edgeByPair = new Map<string, LockOrderEdge>();
  for (const edge of edges) edgeByPair.set(`${edge.from}\u0000${edge.to}`, edge);

  const reported = new Set<number>();
  for (let v = 0; v < names.length; v++) {
    const c = components.component[v];
    if (components.size[c] < 2 || reported.has(c)) continue;
    reported.add(c);
    const order = lockCycle(graph.offsets, graph.targets, components.component, c, v);
    const cycleEdges = order.map((from, i) => edgeByPair.get(`${names[from]}\u0000${names[order[(i + 1) % order.length]]}`) as LockOrderEdge);
    const lines = cycleEdges.map(
      (edge) => `${describeRef(edge.holder, builder.calls)} took or requested ${edge.to} while holding ${edge.from} at ${clock(edge.at)} (line ${edge.range.line + 1})`,
    );
    const locks = order.map((n) => names[n]);
    findings.push(
      traceFinding(
        'lock-order-inversion',
        `Locks ${locks.join(', ')} are taken in orders that form a cycle, so these holders can deadlock when they run at the same time:\n` +
          lines.map((line) => `- ${capitalise(line)}`).join('\n'),
        cycleEdges[0].range,
        {
          locks,
          ranges: cycleEdges.map((edge) => offsetRange(edge.range)),
          related: cycleEdges.map((edge, i) => related(lines[i], edge.range)),
          calls: cycleEdges.filter((edge) => edge.holder.kind === 'call').map((edge) => edge.holder.id),
        },
      ),
    );
  }
}

/** Node ids of a shortest cycle through `start` in its component, by breadth-first search. */
function lockCycle(offsets: Int32Array, targets: Int32Array, component: Int32Array, c: number, start: number): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (let slot = offsets[v]; slot < offsets[v + 1]; slot++) {
      const w = targets[slot];
      if (component[w] !== c) continue;
      if (w === start) {
        const path = [v];
        while (path[path.length - 1] !== start) path.push(previous.get(path[path.length - 1]) as number);
        return path.reverse();
      }
      if (previous.has(w)) continue;
      previous.set(w, v);
      queue.push(w);
    }
  }
  return [start];
}
