/**
 * Checks a run source before it starts: duplicate ids, unknown dependencies and dependency
 * cycles. Cycles come from the strongly connected components of the wait-for graph, where
 * each call points at the calls it depends on.
 */
import { buildCsr, type CsrGraph } from '../graph/csr';
import { isOnCycle, stronglyConnectedComponents } from '../graph/scc';
import type { RunCall, SourceProblem } from './types';

export interface PreparedSource {
  calls: RunCall[];
  /** Index of each id. The first call with a duplicated id wins. */
  index: Map<string, number>;
  /** Wait-for graph: call -> each known dependency. */
  waitFor: CsrGraph;
  problems: SourceProblem[];
  /** Calls that cannot run because of a problem, with the reason, before dependents are added. */
  blocked: Map<number, string>;
}

/**
 * Returns a shortest cycle through `start` inside its component, as a list of nodes with
 * `start` at both ends. Breadth-first search keeps it iterative and short.
 */
export function cycleThrough(graph: CsrGraph, component: Int32Array, start: number): number[] {
  const { offsets, targets } = graph;
  const parent = new Map<number, number>();
  const queue: number[] = [start];
  const target = component[start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (let e = offsets[v]; e < offsets[v + 1]; e++) {
      const w = targets[e];
      if (component[w] !== target) continue;
      if (w === start) {
        const path: number[] = [start];
        for (let u = v; u !== start; u = parent.get(u) as number) path.push(u);
        path.push(start);
        // The walk collected the path backwards from the closing edge; put it in wait-for order.
        path.reverse();
        return path;
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Finds one cycle path per cyclic component, each starting at the component's first node in
 * index order, and returns the component number of every node with them.
 */
export function findCycles(graph: CsrGraph): { cycles: number[][]; component: Int32Array } {
  const components = stronglyConnectedComponents(graph);
  const seen = new Set<number>();
  const cycles: number[][] = [];
  for (let v = 0; v < graph.nodeCount; v++) {
    const c = components.component[v];
    if (seen.has(c) || !isOnCycle(graph, components, v)) continue;
    seen.add(c);
    cycles.push(cycleThrough(graph, components.component, v));
  }
  return { cycles, component: components.component };
}

export function prepareSource(calls: RunCall[]): PreparedSource {
  const index = new Map<string, number>();
  const problems: SourceProblem[] = [];
  const blocked = new Map<number, string>();

  for (let i = 0; i < calls.length; i++) {
    const id = calls[i].id;
    const first = index.get(id);
    if (first === undefined) {
      index.set(id, i);
      continue;
    }
    problems.push({ kind: 'duplicate-id', path: [id], message: `Two calls have the id "${id}"; the one at position ${i + 1} cannot run.` });
    blocked.set(i, `its id "${id}" is already used by an earlier call`);
  }

  const sources: number[] = [];
  const destinations: number[] = [];
  for (let i = 0; i < calls.length; i++) {
    if (blocked.has(i)) continue;
    for (const dependency of calls[i].dependsOn) {
      const j = index.get(dependency);
      if (j === undefined) {
        problems.push({
          kind: 'unknown-dependency',
          path: [calls[i].id, dependency],
          message: `Call "${calls[i].id}" depends on "${dependency}", which no call has as its id.`,
        });
        blocked.set(i, `it depends on "${dependency}", which does not exist`);
        continue;
      }
      sources.push(i);
      destinations.push(j);
    }
  }
  const { graph } = buildCsr(calls.length, sources, destinations);

  const { cycles, component } = findCycles(graph);
  const cyclePathOfComponent = new Map<number, string>();
  for (const cycle of cycles) {
    const path = cycle.map((v) => calls[v].id);
    problems.push({
      kind: 'cycle',
      path,
      message: `Calls wait on each other in a cycle: ${path.map((id) => `"${id}"`).join(' -> ')}.`,
    });
    cyclePathOfComponent.set(component[cycle[0]], path.join(' -> '));
  }
  for (let v = 0; v < calls.length; v++) {
    const path = cyclePathOfComponent.get(component[v]);
    if (path !== undefined && !blocked.has(v)) blocked.set(v, `it is on the dependency cycle ${path}`);
  }

  return { calls, index, waitFor: graph, problems, blocked };
}
