/**
 * The wait-for graph of a trace at one moment: agents, calls and locks, with an edge from each
 * waiting node to what it waits for. Only waits that are still open are edges, so a cycle is a
 * deadlock that has not been broken. Cycles come from the shared iterative Tarjan SCC code.
 */
import { buildCsr, type CsrGraph } from '../graph/csr';
import { stronglyConnectedComponents } from '../graph/scc';
import type { TraceBuilder } from './builder';
import { refKey, type Ref, type SourceRange, type TraceCall } from './model';

export type WaitEdgeKind = 'wait' | 'requests' | 'holds';

export interface WaitEdge {
  from: Ref;
  to: Ref;
  kind: WaitEdgeKind;
  since?: number;
  /** The event that opened the wait. */
  range: SourceRange;
  /** Why the edge exists, for messages: "issued", "explicit wait", "subagent", "child call". */
  reason: string;
  /** Key of the explicit wait behind the edge, if any. */
  waitKey?: string;
}

export interface WaitForGraph {
  nodes: Ref[];
  index: Map<string, number>;
  edges: WaitEdge[];
  csr: CsrGraph;
  /** Edge slot in `csr.targets` to index in `edges`. */
  edgeOfSlot: Int32Array;
  cycles: WaitCycle[];
}

export interface WaitCycle {
  /** Node refs in cycle order: each waits for the next, the last for the first. */
  nodes: Ref[];
  /** The edges of the cycle, edge i from nodes[i] to nodes[i + 1]. */
  edges: WaitEdge[];
  /** All members of the strongly connected component, which may be more than one cycle. */
  members: Ref[];
  /** Time the last edge of the cycle appeared. */
  closedAt?: number;
  /** Nodes outside the cycle that wait on it, directly or through others. */
  blocked: Ref[];
}

/** Builds the wait-for graph from the open state of a trace, plus calls inferred from missing parents. */
export function buildWaitForGraph(builder: TraceBuilder, inferred: TraceCall[] = []): WaitForGraph {
  const nodes: Ref[] = [];
  const index = new Map<string, number>();
  const node = (ref: Ref): number => {
    const key = refKey(ref);
    let at = index.get(key);
    if (at === undefined) {
      at = nodes.length;
      nodes.push(ref);
      index.set(key, at);
    }
    return at;
  };
  const edges: WaitEdge[] = [];

  for (const agent of builder.agents.values()) node({ kind: 'agent', id: agent.id });
  const allCalls = [...builder.calls.values(), ...inferred];
  for (const call of allCalls) node({ kind: 'call', id: call.id });
  for (const lock of builder.locks.values()) node({ kind: 'lock', id: lock.name });

  for (const call of allCalls) {
    if (call.status !== 'running') continue;
    // An agent waits for the calls it issued until they return.
    const agent = builder.agents.get(call.agent);
    if (agent && agent.status === 'running' && !call.inferred) {
      edges.push({ from: { kind: 'agent', id: call.agent }, to: { kind: 'call', id: call.id }, kind: 'wait', since: call.startedAt, range: call.startRange, reason: 'issued' });
    }
    // A running parent call waits for its running children.
    const parentId = call.parent ?? (call.parentSpan !== undefined ? builder.spans.get(call.parentSpan) ?? call.parentSpan : undefined);
    if (parentId !== undefined && parentId !== call.id) {
      const parent = builder.calls.get(parentId) ?? inferred.find((c) => c.id === parentId);
      if (parent && parent.status === 'running') {
        edges.push({ from: { kind: 'call', id: parent.id }, to: { kind: 'call', id: call.id }, kind: 'wait', since: call.startedAt, range: call.startRange, reason: 'child call' });
      }
    }
  }

  for (const wait of builder.waits.values()) {
    let target = wait.target;
    if (target.kind === 'message') {
      if (wait.from === undefined) continue;
      target = { kind: 'agent', id: wait.from };
    }
    edges.push({ from: wait.waiter, to: target, kind: target.kind === 'lock' ? 'requests' : 'wait', since: wait.startedAt, range: wait.range, reason: 'explicit wait', waitKey: wait.key });
  }

  for (const lock of builder.locks.values()) {
    const lockRef: Ref = { kind: 'lock', id: lock.name };
    for (const request of lock.requests.values()) {
      edges.push({ from: request.ref, to: lockRef, kind: 'requests', since: request.at, range: request.range, reason: 'lock request' });
    }
    if (lock.holder) {
      edges.push({ from: lockRef, to: lock.holder, kind: 'holds', since: lock.heldSince, range: lock.acquireRange ?? lock.range, reason: 'lock holder' });
    }
  }

  const sources = new Int32Array(edges.length);
  const targets = new Int32Array(edges.length);
  edges.forEach((edge, k) => {
    sources[k] = node(edge.from);
    targets[k] = node(edge.to);
  });
  const { graph: csr, edgeIndex } = buildCsr(nodes.length, sources, targets);
  const edgeOfSlot = new Int32Array(edges.length);
  for (let k = 0; k < edges.length; k++) edgeOfSlot[edgeIndex[k]] = k;

  const graph: WaitForGraph = { nodes, index, edges, csr, edgeOfSlot, cycles: [] };
  graph.cycles = findCycles(graph);
  return graph;
}

function findCycles(graph: WaitForGraph): WaitCycle[] {
  const { csr, nodes, edges, edgeOfSlot } = graph;
  const components = stronglyConnectedComponents(csr);
  const membersOf = new Map<number, number[]>();
  for (let v = 0; v < csr.nodeCount; v++) {
    const c = components.component[v];
    let selfLoop = false;
    for (let i = csr.offsets[v]; i < csr.offsets[v + 1]; i++) if (csr.targets[i] === v) selfLoop = true;
    if (components.size[c] < 2 && !selfLoop) continue;
    let list = membersOf.get(c);
    if (!list) membersOf.set(c, (list = []));
    list.push(v);
  }

  const cycles: WaitCycle[] = [];
  for (const [c, members] of membersOf) {
    const slots = shortestCycle(csr, components.component, c, members[0]);
    const cycleEdges = slots.map((slot) => edges[edgeOfSlot[slot]]);
    let closedAt: number | undefined;
    for (const edge of cycleEdges) if (edge.since !== undefined && (closedAt === undefined || edge.since > closedAt)) closedAt = edge.since;
    cycles.push({
      nodes: cycleEdges.map((edge) => edge.from),
      edges: cycleEdges,
      members: members.map((v) => nodes[v]),
      closedAt,
      blocked: waitersOf(csr, new Set(members)).map((v) => nodes[v]),
    });
  }
  return cycles;
}

/** Returns the edge slots of a shortest cycle through `start` inside its component, by breadth-first search. */
function shortestCycle(csr: CsrGraph, component: Int32Array, c: number, start: number): number[] {
  const viaSlot = new Map<number, number>();
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (let slot = csr.offsets[v]; slot < csr.offsets[v + 1]; slot++) {
      const w = csr.targets[slot];
      if (component[w] !== c) continue;
      if (w === start) {
        const path = [slot];
        let at = v;
        while (at !== start) {
          path.push(viaSlot.get(at) as number);
          at = previous.get(at) as number;
        }
        return path.reverse();
      }
      if (previous.has(w)) continue;
      previous.set(w, v);
      viaSlot.set(w, slot);
      queue.push(w);
    }
  }
  return [];
}

/** Nodes outside `members` that reach a member through wait edges. */
function waitersOf(csr: CsrGraph, members: Set<number>): number[] {
  const reverse: number[][] = Array.from({ length: csr.nodeCount }, () => []);
  for (let v = 0; v < csr.nodeCount; v++) {
    for (let slot = csr.offsets[v]; slot < csr.offsets[v + 1]; slot++) reverse[csr.targets[slot]].push(v);
  }
  const seen = new Set<number>(members);
  const queue = [...members];
  const blocked: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    for (const u of reverse[queue[head]]) {
      if (seen.has(u)) continue;
      seen.add(u);
      blocked.push(u);
      queue.push(u);
    }
  }
  return blocked;
}
