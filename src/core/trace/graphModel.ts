/** Converts a trace's wait-for graph to the `GraphModel` the webview draws. */
import type { GraphEdge, GraphModel, GraphNode, NodeKind, NodeStatus } from '../../shared/graphModel';
import type { TraceAnalysis } from './analyze';
import type { TraceBuilder } from './builder';
import { clock, duration } from './findingsUtil';
import { refKey, type CallStatus, type Ref, type TraceCall, type UnstartedCall } from './model';

const STATUS: Record<CallStatus, NodeStatus> = {
  running: 'running',
  ok: 'done',
  error: 'failed',
  timeout: 'timeout',
  cancelled: 'killed',
};

/** Node id in the graph model: the kind and the id, so an agent and a call may share a name. */
export function traceNodeId(ref: Ref): string {
  return refKey(ref);
}

export function traceGraphModel(builder: TraceBuilder, analysis: TraceAnalysis, title: string): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const onCycle = new Map<string, number>();
  analysis.graph.cycles.forEach((cycle, component) => {
    for (const ref of cycle.members) onCycle.set(refKey(ref), component);
  });
  const stranded = new Set<string>();
  for (const finding of analysis.findings) {
    if (finding.kind === 'stranded') for (const id of finding.calls ?? []) stranded.add(`call:${id}`);
  }

  const statusOf = (key: string, status: NodeStatus): NodeStatus => {
    if (onCycle.has(key)) return 'cycle';
    if (stranded.has(key) && status === 'running') return 'stranded';
    return status;
  };

  for (const agent of builder.agents.values()) {
    const key = refKey({ kind: 'agent', id: agent.id });
    nodes.push({
      id: key,
      label: agent.id,
      kind: 'agent',
      status: statusOf(key, STATUS[agent.status]),
      startedAt: agent.startedAt,
      endedAt: agent.endedAt,
      component: onCycle.get(key),
      range: plain(agent.range),
      details: agent.parentCall ? [`subagent of call ${agent.parentCall}`] : undefined,
    });
  }

  const calls: TraceCall[] = [...builder.calls.values(), ...analysis.inferredCalls];
  for (const call of calls) {
    const key = refKey({ kind: 'call', id: call.id });
    nodes.push({
      id: key,
      label: call.inferred ? `span ${call.id}` : `${call.tool} ${call.id}`,
      kind: 'call',
      status: statusOf(key, STATUS[call.status]),
      tool: call.tool,
      startedAt: call.startedAt,
      endedAt: call.endedAt,
      timeoutMs: analysis.timeoutOf(call),
      component: onCycle.get(key),
      range: plain(call.startRange),
      details: callDetails(call),
      strandedReason: call.strandedReason,
    });
    if (call.status !== 'running' && builder.agents.has(call.agent)) {
      edges.push({ id: `parent ${call.agent} ${call.id}`, source: `agent:${call.agent}`, target: key, kind: 'parent', onCycle: false });
    }
  }

  for (const lock of builder.locks.values()) {
    const key = refKey({ kind: 'lock', id: lock.name });
    nodes.push({
      id: key,
      label: lock.name,
      kind: 'lock' satisfies NodeKind,
      status: statusOf(key, lock.holder ? 'running' : 'ok'),
      component: onCycle.get(key),
      range: plain(lock.range),
      lockInversion: analysis.findings.some((f) => f.kind === 'lock-order-inversion' && f.locks?.includes(lock.name)),
      details: lock.holder ? [`held by ${lock.holder.kind} ${lock.holder.id} since ${clock(lock.heldSince)}`] : undefined,
    });
  }

  const known = new Set(nodes.map((node) => node.id));
  const unstarted = [...builder.unstartedCalls.values()].filter((call) => !known.has(refKey({ kind: 'call', id: call.id })));
  for (const call of unstarted) known.add(refKey({ kind: 'call', id: call.id }));
  for (const call of unstarted) {
    const drawn = unstartedCall(call, builder, known);
    // Only waits and locks the trace records for the call itself can put it on a cycle.
    drawn.node.status = statusOf(drawn.node.id, 'stranded');
    drawn.node.component = onCycle.get(drawn.node.id);
    nodes.push(drawn.node);
    edges.push(...drawn.edges);
  }

  const cycleEdges = new Map<string, string[]>();
  for (const cycle of analysis.graph.cycles) {
    const ids = cycle.nodes.map(refKey);
    cycle.edges.forEach((edge) => cycleEdges.set(`${refKey(edge.from)}>${refKey(edge.to)}`, ids));
  }
  analysis.graph.edges.forEach((edge, index) => {
    const source = refKey(edge.from);
    const target = refKey(edge.to);
    if (!known.has(source) || !known.has(target)) return;
    const cycle = cycleEdges.get(`${source}>${target}`);
    const sameComponent = onCycle.has(source) && onCycle.get(source) === onCycle.get(target);
    edges.push({
      id: `${edge.kind} ${index} ${source} ${target}`,
      source,
      target,
      kind: edge.kind,
      label: edge.since !== undefined ? `since ${clock(edge.since)}` : undefined,
      onCycle: cycle !== undefined || sameComponent,
      cycle,
      range: plain(edge.range),
    });
  });

  return {
    kind: 'wait-for',
    title,
    nodes,
    edges,
    components: analysis.graph.cycles.map((cycle, id) => ({ id, members: cycle.members.map(refKey) })),
  };
}

/**
 * Builds the node of a call that a run stranded before it started, and its edges: one from its
 * agent, and one to each call or lock it waits for (`lock:NAME` entries are locks). A target
 * without a node, such as a call dropped from a long live trace, is named in the details.
 * These edges stay out of the wait-for graph that cycles are found in, because a call that
 * never started holds nothing and so cannot close a deadlock.
 */
function unstartedCall(call: UnstartedCall, builder: TraceBuilder, known: ReadonlySet<string>): { node: GraphNode; edges: GraphEdge[] } {
  const key = refKey({ kind: 'call', id: call.id });
  const edges: GraphEdge[] = [];
  if (builder.agents.has(call.agent)) {
    edges.push({ id: `parent ${call.agent} ${call.id}`, source: `agent:${call.agent}`, target: key, kind: 'parent', onCycle: false });
  }

  const drawn = new Set<string>();
  const missing: string[] = [];
  for (const id of call.waitsFor) {
    const isLock = id.startsWith('lock:');
    const target = isLock ? id : refKey({ kind: 'call', id });
    if (!known.has(target)) {
      if (!missing.includes(id)) missing.push(id);
      continue;
    }
    if (drawn.has(target)) continue;
    drawn.add(target);
    edges.push({ id: `stranded ${key} ${target}`, source: key, target, kind: isLock ? 'requests' : 'wait', onCycle: false, range: plain(call.range) });
  }

  const details = [`agent ${call.agent}`, `stranded at ${clock(call.at)}`];
  if (missing.length > 0) details.push(`waits for ${missing.join(', ')}, which the graph does not show`);
  const node: GraphNode = {
    id: key,
    label: call.tool !== undefined ? `${call.tool} ${call.id}` : call.id,
    kind: 'call',
    status: 'stranded',
    tool: call.tool,
    neverStarted: true,
    strandedReason: call.reason,
    range: plain(call.range),
    details,
  };
  return { node, edges };
}

function callDetails(call: TraceCall): string[] {
  const details = [`agent ${call.agent}`, `status ${call.status}`];
  if (call.startedAt !== undefined) details.push(`started ${clock(call.startedAt)}`);
  if (call.startedAt !== undefined && call.endedAt !== undefined) details.push(`took ${duration(call.endedAt - call.startedAt)}`);
  if (call.error) details.push(`error: ${call.error}`);
  if (call.lastHeartbeatAt !== undefined) details.push(`last heartbeat ${clock(call.lastHeartbeatAt)}`);
  if (call.inferred) details.push('inferred from children whose parent span never arrived');
  return details;
}

function plain(range: { start: number; end: number }): { start: number; end: number } {
  return { start: range.start, end: range.end };
}
