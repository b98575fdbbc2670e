/**
 * Watches for wait-for cycles as they close, so a deadlock that a timeout or a cancellation
 * later broke is still reported. Each new wait or lock request adds one edge u -> v, and it
 * closes a cycle exactly when v already reaches u. The search follows open edges only and
 * starts from v, so it visits the part of the graph v waits on, usually a handful of nodes.
 */
import type { SourceRange, Ref, TraceAgent, TraceCall, TraceWait, LockState } from './model';
import { refKey } from './model';
import type { WaitEdge } from './waitFor';

/** Read access to the open state, provided by the builder. */
export interface OpenState {
  calls: ReadonlyMap<string, TraceCall>;
  agents: ReadonlyMap<string, TraceAgent>;
  waits: ReadonlyMap<string, TraceWait>;
  locks: ReadonlyMap<string, LockState>;
  runningCallsOf(agent: string): Iterable<string> | undefined;
  runningChildrenOf(call: string): Iterable<string> | undefined;
  subagentsOf(call: string): Iterable<string> | undefined;
  waitKeysOf(waiterKey: string): Iterable<string> | undefined;
  requestedLocksOf(holderKey: string): Iterable<string> | undefined;
}

export interface ClosedCycle {
  /** Edges in cycle order; the last one is the edge whose arrival closed the cycle. */
  edges: WaitEdge[];
  closedAt?: number;
  range: SourceRange;
  /** Sorted member keys, which identify the cycle. */
  members: string;
  /** End time and outcome of each explicit wait of the cycle, filled in as they end. */
  waitEnds: Map<string, { at?: number; outcome?: string }>;
}

/** Nodes a search may visit before it gives up, so one event never costs more than this. */
const MAX_VISITED = 10_000;
/** Distinct cycles remembered; later ones are still found at the end of the trace if they last. */
const MAX_CYCLES = 100;

export class CycleWatch {
  readonly cycles: ClosedCycle[] = [];
  private readonly seen = new Set<string>();
  /** Wait key to the cycles it belongs to. */
  private readonly cycleWaits = new Map<string, ClosedCycle[]>();

  constructor(private readonly state: OpenState) {}

  /** Checks whether the new edge from `from` to `to` closes a cycle, and records it when it does. */
  edgeAdded(edge: WaitEdge, waitKey?: string): void {
    if (this.cycles.length >= MAX_CYCLES || !this.mayHaveOutEdges(edge.to)) return;
    const path = this.findPath(edge.to, edge.from);
    if (!path) return;
    const edges = [...path, edge];
    const members = edges.map((e) => refKey(e.from)).sort().join('\u0000');
    if (this.seen.has(members)) return;
    this.seen.add(members);
    const cycle: ClosedCycle = { edges, closedAt: edge.since, range: edge.range, members, waitEnds: new Map() };
    this.cycles.push(cycle);
    for (const e of edges) {
      const key = e === edge ? waitKey : e.waitKey;
      if (key === undefined) continue;
      let list = this.cycleWaits.get(key);
      if (!list) this.cycleWaits.set(key, (list = []));
      list.push(cycle);
    }
  }

  /** Notes the end of a wait that lies on a recorded cycle. */
  waitEnded(key: string, at: number | undefined, outcome: string | undefined): void {
    const cycles = this.cycleWaits.get(key);
    if (!cycles) return;
    for (const cycle of cycles) cycle.waitEnds.set(key, { at, outcome });
    this.cycleWaits.delete(key);
  }

  /** Returns the edges of a path from `start` to `goal` over open edges, by depth-first search. */
  private findPath(start: Ref, goal: Ref): WaitEdge[] | undefined {
    const goalKey = refKey(goal);
    const startKey = refKey(start);
    if (startKey === goalKey) return [];
    const via = new Map<string, WaitEdge | null>([[startKey, null]]);
    const stack: Ref[] = [start];
    while (stack.length > 0) {
      const node = stack.pop() as Ref;
      for (const edge of this.outEdges(node)) {
        const key = refKey(edge.to);
        if (via.has(key)) continue;
        via.set(key, edge);
        if (key === goalKey) {
          const path: WaitEdge[] = [];
          let step = via.get(key);
          while (step) {
            path.push(step);
            step = via.get(refKey(step.from));
          }
          return path.reverse();
        }
        if (via.size > MAX_VISITED) return undefined;
        stack.push(edge.to);
      }
    }
    return undefined;
  }

  /** Returns false when a node has no open edges out, the common case, without building any. */
  private mayHaveOutEdges(node: Ref): boolean {
    const state = this.state;
    if (node.kind === 'lock') return state.locks.get(node.id)?.holder !== undefined;
    if (node.kind === 'agent' && state.runningCallsOf(node.id) !== undefined) return true;
    if (node.kind === 'call' && (state.runningChildrenOf(node.id) !== undefined || state.subagentsOf(node.id) !== undefined)) return true;
    const key = refKey(node);
    return state.waitKeysOf(key) !== undefined || state.requestedLocksOf(key) !== undefined;
  }

  /** Yields the open edges out of a node, the same ones `buildWaitForGraph` draws. */
  private *outEdges(node: Ref): Generator<WaitEdge> {
    const state = this.state;
    const key = refKey(node);
    if (node.kind === 'agent') {
      for (const id of state.runningCallsOf(node.id) ?? []) {
        const call = state.calls.get(id);
        if (call) yield { from: node, to: { kind: 'call', id }, kind: 'wait', since: call.startedAt, range: call.startRange, reason: 'issued' };
      }
    } else if (node.kind === 'call') {
      for (const id of state.runningChildrenOf(node.id) ?? []) {
        const child = state.calls.get(id);
        if (child) yield { from: node, to: { kind: 'call', id }, kind: 'wait', since: child.startedAt, range: child.startRange, reason: 'child call' };
      }
      for (const id of state.subagentsOf(node.id) ?? []) {
        const agent = state.agents.get(id);
        if (agent) yield { from: node, to: { kind: 'agent', id }, kind: 'wait', since: agent.startedAt, range: agent.range, reason: 'subagent' };
      }
    } else if (node.kind === 'lock') {
      const lock = state.locks.get(node.id);
      if (lock?.holder) yield { from: node, to: lock.holder, kind: 'holds', since: lock.heldSince, range: lock.acquireRange ?? lock.range, reason: 'lock holder' };
      return;
    }
    for (const waitKey of state.waitKeysOf(key) ?? []) {
      const wait = state.waits.get(waitKey);
      if (!wait) continue;
      const target = waitTarget(wait);
      if (target) yield { from: node, to: target, kind: target.kind === 'lock' ? 'requests' : 'wait', since: wait.startedAt, range: wait.range, reason: 'explicit wait', waitKey };
    }
    for (const name of state.requestedLocksOf(key) ?? []) {
      const request = state.locks.get(name)?.requests.get(key);
      if (request) yield { from: node, to: { kind: 'lock', id: name }, kind: 'requests', since: request.at, range: request.range, reason: 'lock request' };
    }
  }
}

/** Returns the node a wait points at in the graph. A message wait points at its sender, when known. */
export function waitTarget(wait: TraceWait): Ref | undefined {
  if (wait.target.kind !== 'message') return wait.target;
  return wait.from === undefined ? undefined : { kind: 'agent', id: wait.from };
}
