/**
 * Cycle findings. Every dependency that lies on a cycle is reported: for each strongly
 * connected component, a breadth-first search from the target of each of its dependencies
 * finds a shortest cycle through that dependency, and the distinct cycles become findings.
 * A depth-first search that stops at the first back edge misses cycles that share steps,
 * which is why each dependency gets its own search.
 *
 * Large components would need one search per step, which is quadratic, and would print
 * thousands of cycles. Past a budget a component becomes one grouped finding instead: its
 * members, one shortest cycle as an example, and a mark on every dependency inside it.
 */
import type { Finding, Fix, RelatedLocation } from '../findings';
import { ownsEntry, removeListEntries, removeListEntry } from './edits';
import type { Dependency } from './model';
import { dependencyOfEdge, stepName, type PlanGraph } from './planGraph';

/** Components up to this many searched edges are reported cycle by cycle. */
const EXACT_SEARCH_BUDGET = 2_000_000;
/** More distinct shortest cycles than this in one component are reported as one group. */
const MAX_CYCLES_PER_COMPONENT = 12;
/** Steps named in a grouped finding's message before "and N more". */
const NAMED_MEMBERS = 8;

/** The rule used to choose the dependency to remove, stated in every cycle finding. */
export const BREAK_RULE =
  'Remove the dependency that lies on the most shortest cycles of the component. On a tie, prefer one that points to a step defined later in the file, then the one written last.';

interface Cycle {
  /** Step indices in waiting order: each waits for the next, the last for the first. */
  nodes: number[];
  /** Edge slots in the same order: `edges[k]` goes from `nodes[k]` to `nodes[k + 1]`. */
  edges: number[];
}

export function cycleFindings(planGraph: PlanGraph): Finding[] {
  const { graph, components } = planGraph;
  const membersByComponent = new Map<number, number[]>();
  for (let v = 0; v < graph.nodeCount; v++) {
    if (!planGraph.onCycle[v]) continue;
    const component = components.component[v];
    const list = membersByComponent.get(component);
    if (list) list.push(v);
    else membersByComponent.set(component, [v]);
  }

  const findings: Finding[] = [];
  const search = new BreadthFirstSearch(graph.nodeCount);
  for (const [component, members] of membersByComponent) {
    const internalEdges = edgesInside(planGraph, component, members);
    const targets = new Set(internalEdges.map((slot) => graph.targets[slot]));
    if (targets.size * internalEdges.length <= EXACT_SEARCH_BUDGET) {
      const cycles = shortestCycles(planGraph, component, internalEdges, search);
      if (cycles.length <= MAX_CYCLES_PER_COMPONENT) {
        const counts = countEdgeUse(cycles);
        for (const cycle of cycles) findings.push(cycleFinding(planGraph, cycle, counts, component, members.length));
        continue;
      }
    }
    findings.push(groupedFinding(planGraph, component, members, internalEdges, search));
  }
  findings.sort((a, b) => a.range.start - b.range.start);
  return findings;
}

function edgesInside(planGraph: PlanGraph, component: number, members: number[]): number[] {
  const { graph, components } = planGraph;
  const slots: number[] = [];
  for (const v of members) {
    for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
      if (components.component[graph.targets[slot]] === component) slots.push(slot);
    }
  }
  return slots;
}

/** Reusable breadth-first search over one component, with parent edge slots for path recovery. */
class BreadthFirstSearch {
  private readonly stamp: Int32Array;
  readonly parentEdge: Int32Array;
  private readonly queue: Int32Array;
  private generation = 0;

  constructor(nodeCount: number) {
    this.stamp = new Int32Array(nodeCount);
    this.parentEdge = new Int32Array(nodeCount);
    this.queue = new Int32Array(nodeCount);
  }

  run(planGraph: PlanGraph, component: number, source: number): void {
    const { graph, components } = planGraph;
    const generation = ++this.generation;
    this.stamp[source] = generation;
    this.parentEdge[source] = -1;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = source;
    while (head < tail) {
      const v = this.queue[head++];
      for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
        const w = graph.targets[slot];
        if (this.stamp[w] === generation || components.component[w] !== component) continue;
        this.stamp[w] = generation;
        this.parentEdge[w] = slot;
        this.queue[tail++] = w;
      }
    }
  }

  /** Edge slots of the path from the last search's source to `node`, in order. */
  pathTo(planGraph: PlanGraph, node: number): number[] {
    const path: number[] = [];
    let current = node;
    while (this.parentEdge[current] !== -1) {
      const slot = this.parentEdge[current];
      path.push(slot);
      current = sourceOfSlot(planGraph, slot);
    }
    return path.reverse();
  }
}

function sourceOfSlot(planGraph: PlanGraph, slot: number): number {
  return planGraph.edgeSource[slot];
}

/** Finds a shortest cycle through every internal edge, without repeats (rotations count as one). */
function shortestCycles(planGraph: PlanGraph, component: number, internalEdges: number[], search: BreadthFirstSearch): Cycle[] {
  const { graph } = planGraph;
  const bySource = new Map<number, number[]>();
  for (const slot of internalEdges) {
    const target = graph.targets[slot];
    const list = bySource.get(target);
    if (list) list.push(slot);
    else bySource.set(target, [slot]);
  }

  const seen = new Set<string>();
  const cycles: Cycle[] = [];
  for (const [target, slots] of bySource) {
    search.run(planGraph, component, target);
    for (const slot of slots) {
      const origin = sourceOfSlot(planGraph, slot);
      const back = search.pathTo(planGraph, origin);
      const edges = [slot, ...back];
      const nodes = edges.map((edge) => sourceOfSlot(planGraph, edge));
      const key = canonicalKey(nodes);
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push({ nodes, edges });
    }
  }
  return cycles;
}

function canonicalKey(nodes: number[]): string {
  let start = 0;
  for (let i = 1; i < nodes.length; i++) if (nodes[i] < nodes[start]) start = i;
  return [...nodes.slice(start), ...nodes.slice(0, start)].join(',');
}

function countEdgeUse(cycles: Cycle[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const cycle of cycles) for (const edge of cycle.edges) counts.set(edge, (counts.get(edge) ?? 0) + 1);
  return counts;
}

/** Picks the dependency to remove from a cycle, by `BREAK_RULE`. */
function edgeToBreak(planGraph: PlanGraph, cycle: Cycle, counts: Map<number, number>): number {
  let best = cycle.edges[0];
  let bestKey: number[] = [];
  for (let k = 0; k < cycle.edges.length; k++) {
    const edge = cycle.edges[k];
    const source = cycle.nodes[k];
    const target = planGraph.graph.targets[edge];
    const dependency = dependencyOfEdge(planGraph, edge);
    // An entry that a fix may not edit (inside a shared YAML anchor) is chosen last.
    const editable = ownsEntry(planGraph.plan.steps[source], dependency) ? 1 : 0;
    const key = [editable, counts.get(edge) ?? 0, target > source ? 1 : 0, dependency.range.start];
    if (compareKeys(key, bestKey) > 0) {
      best = edge;
      bestKey = key;
    }
  }
  return best;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -Infinity) - (b[i] ?? -Infinity);
    if (difference !== 0) return difference;
  }
  return 0;
}

function describeCycle(planGraph: PlanGraph, nodes: number[]): string {
  const names = nodes.map((node) => `\`${stepName(planGraph.plan, node)}\``);
  return [...names, names[0]].join(' → ');
}

function waitRelated(planGraph: PlanGraph, cycle: Cycle): RelatedLocation[] {
  return cycle.edges.map((edge, k) => ({
    message: `\`${stepName(planGraph.plan, cycle.nodes[k])}\` waits for \`${stepName(planGraph.plan, planGraph.graph.targets[edge])}\``,
    range: dependencyOfEdge(planGraph, edge).range,
  }));
}

function removalFixes(planGraph: PlanGraph, edge: number, reason: string): Fix[] {
  const dependency: Dependency = dependencyOfEdge(planGraph, edge);
  const sourceStep = planGraph.plan.steps[sourceOfSlot(planGraph, edge)];
  if (!ownsEntry(sourceStep, dependency)) return [];
  return [
    {
      title: `Remove \`${dependency.id}\` from the depends_on of \`${stepName(planGraph.plan, sourceStep.index)}\` ${reason}`,
      edits: [removeListEntry(planGraph.plan.text, dependency)],
      preferred: true,
    },
  ];
}

function cycleFinding(planGraph: PlanGraph, cycle: Cycle, counts: Map<number, number>, component: number, componentSize: number): Finding {
  const breakEdge = edgeToBreak(planGraph, cycle, counts);
  const steps = cycle.nodes.map((node) => stepName(planGraph.plan, node));
  const breakSource = stepName(planGraph.plan, sourceOfSlot(planGraph, breakEdge));
  const breakTarget = dependencyOfEdge(planGraph, breakEdge).id;
  return {
    kind: 'cycle',
    severity: 'error',
    message: `Cycle: ${describeCycle(planGraph, cycle.nodes)}. None of these steps can start, because each waits for the next.`,
    steps,
    range: dependencyOfEdge(planGraph, breakEdge).range,
    ranges: cycle.edges.map((edge) => dependencyOfEdge(planGraph, edge).range),
    related: waitRelated(planGraph, cycle),
    fixes: removalFixes(planGraph, breakEdge, 'to break the cycle'),
    data: {
      component,
      componentSize,
      suggestion: `Remove \`${breakTarget}\` from the depends_on of \`${breakSource}\`.`,
      rule: BREAK_RULE,
    },
  };
}

function groupedFinding(
  planGraph: PlanGraph,
  component: number,
  members: number[],
  internalEdges: number[],
  search: BreadthFirstSearch,
): Finding {
  const { graph } = planGraph;
  // One shortest cycle as an example: through the first internal edge in file order.
  const first = internalEdges.reduce((best, slot) =>
    dependencyOfEdge(planGraph, slot).range.start < dependencyOfEdge(planGraph, best).range.start ? slot : best,
  );
  search.run(planGraph, component, graph.targets[first]);
  const edges = [first, ...search.pathTo(planGraph, sourceOfSlot(planGraph, first))];
  const example: Cycle = { nodes: edges.map((edge) => sourceOfSlot(planGraph, edge)), edges };

  // Removing every dependency on a step defined later in the file leaves only edges that
  // point backwards in file order, which cannot form a cycle.
  const forward = internalEdges.filter((slot) => graph.targets[slot] > sourceOfSlot(planGraph, slot));
  const names = members.map((member) => stepName(planGraph.plan, member));
  const shown = names.slice(0, NAMED_MEMBERS).map((name) => `\`${name}\``).join(', ');
  const more = names.length > NAMED_MEMBERS ? ` and ${names.length - NAMED_MEMBERS} more` : '';
  const editable = forward.filter((slot) => ownsEntry(planGraph.plan.steps[sourceOfSlot(planGraph, slot)], dependencyOfEdge(planGraph, slot)));
  const fixes: Fix[] =
    editable.length === forward.length
      ? [
          {
            title: `Remove the ${forward.length} dependencies on steps defined later in the file, to break every cycle of this component`,
            edits: removeListEntries(planGraph.plan.text, forward.map((slot) => dependencyOfEdge(planGraph, slot))),
            preferred: true,
          },
        ]
      : [];

  return {
    kind: 'cycle',
    severity: 'error',
    message:
      `${members.length} steps form one strongly connected component with ${internalEdges.length} dependencies on cycles: ${shown}${more}. ` +
      `None of them can start. A shortest cycle: ${describeCycle(planGraph, example.nodes)}.`,
    steps: names,
    range: dependencyOfEdge(planGraph, first).range,
    ranges: internalEdges.map((slot) => dependencyOfEdge(planGraph, slot).range),
    related: waitRelated(planGraph, example),
    fixes,
    data: {
      component,
      componentSize: members.length,
      cycleDependencies: internalEdges.length,
      exampleCycle: example.nodes.map((node) => stepName(planGraph.plan, node)).join(' → '),
      suggestion: `Remove the ${forward.length} dependencies that point to a step defined later in the file; that breaks every cycle in the component.`,
      rule: 'Every cycle contains at least one dependency on a step defined later in the file, so removing all such dependencies leaves the component acyclic.',
    },
  };
}
