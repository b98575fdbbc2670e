/**
 * The dependency graph of a plan: one node per step (in file order), one edge from each step
 * to each step it depends on. Dependencies that name no step, or the step itself, are kept
 * aside, because they are reported on their own and are not edges.
 */
import { buildCsr, type CsrGraph } from '../graph/csr';
import { IdIndex } from '../graph/idIndex';
import { stronglyConnectedComponents, type Components } from '../graph/scc';
import type { Dependency, DependencyTable, Plan } from './model';

export interface PlanGraph {
  plan: Plan;
  /** The `depends_on` entries of every step, as flat arrays. */
  table: DependencyTable;
  /** First step index for each id. */
  idToIndex: IdIndex;
  graph: CsrGraph;
  /** The index in `table` of the `depends_on` entry behind each edge slot of `graph`. */
  edgeEntry: Int32Array;
  /** The step each edge slot starts from. */
  edgeSource: Int32Array;
  components: Components;
  /** 1 for steps in a strongly connected component of two or more steps. */
  onCycle: Uint8Array;
  /** 1 for steps that list their own id in `depends_on`. */
  selfDependent: Uint8Array;
  /** `depends_on` entries that name no step, per step index. */
  missing: Map<number, Dependency[]>;
  /** Later steps whose id an earlier step already has, with the index of that first step. */
  duplicates: { index: number; firstIndex: number }[];
}

/** Returns the plan's table of `depends_on` entries, building it from the steps if the reader did not. */
export function dependencyTableOf(plan: Plan): DependencyTable {
  if (plan.dependencyTable) return plan.dependencyTable;
  const ids: string[] = [];
  const first = new Int32Array(plan.steps.length + 1);
  plan.steps.forEach((step, index) => {
    for (const dependency of step.dependsOn) ids.push(dependency.id);
    first[index + 1] = ids.length;
  });
  return { ids, first };
}

/** Returns the `depends_on` entry of `step` that has index `entry` in the plan's table. */
export function entryOf(planGraph: PlanGraph, step: number, entry: number): Dependency {
  return planGraph.plan.steps[step].dependsOn[entry - planGraph.table.first[step]];
}

/** Returns the `depends_on` entry behind an edge slot of the graph. */
export function dependencyOfEdge(planGraph: PlanGraph, slot: number): Dependency {
  return entryOf(planGraph, planGraph.edgeSource[slot], planGraph.edgeEntry[slot]);
}

export function buildPlanGraph(plan: Plan): PlanGraph {
  const steps = plan.steps;
  const stepCount = steps.length;
  const table = dependencyTableOf(plan);
  const entryIds = table.ids;
  const first = table.first;
  const resolved = table.targets;
  const idToIndex = table.stepIds ?? new IdIndex(steps.map((step) => step.id));
  // The first step with each step's own id: an entry names its own step when it resolves there.
  const own = new Int32Array(stepCount);
  for (let i = 0; i < stepCount; i++) own[i] = i;
  for (const { index, firstIndex } of idToIndex.duplicates) own[index] = firstIndex;

  const sources = new Int32Array(entryIds.length);
  const targets = new Int32Array(entryIds.length);
  const entries = new Int32Array(entryIds.length);
  const selfDependent = new Uint8Array(stepCount);
  const missing = new Map<number, Dependency[]>();
  let edge = 0;

  for (let i = 0; i < stepCount; i++) {
    for (let k = first[i]; k < first[i + 1]; k++) {
      let target: number | undefined = resolved ? resolved[k] : -1;
      if (target < 0) target = idToIndex.get(entryIds[k]);
      if (target === own[i] && steps[i].id !== '') {
        selfDependent[i] = 1;
        continue;
      }
      if (target === undefined) {
        const entry = steps[i].dependsOn[k - first[i]];
        const list = missing.get(i);
        if (list) list.push(entry);
        else missing.set(i, [entry]);
        continue;
      }
      sources[edge] = i;
      targets[edge] = target;
      entries[edge] = k;
      edge++;
    }
  }

  const { graph, edgeIndex } = buildCsr(stepCount, sources.subarray(0, edge), targets.subarray(0, edge));
  const edgeEntry = new Int32Array(edge);
  const edgeSource = new Int32Array(edge);
  for (let k = 0; k < edge; k++) {
    edgeEntry[edgeIndex[k]] = entries[k];
    edgeSource[edgeIndex[k]] = sources[k];
  }

  const components = stronglyConnectedComponents(graph);
  const onCycle = new Uint8Array(stepCount);
  for (let i = 0; i < stepCount; i++) {
    if (components.size[components.component[i]] > 1) onCycle[i] = 1;
  }

  return { plan, table, idToIndex, graph, edgeEntry, edgeSource, components, onCycle, selfDependent, missing, duplicates: idToIndex.duplicates };
}

/** Display name of a step: its id, or its position when it has none. */
export function stepName(plan: Plan, index: number): string {
  const id = plan.steps[index].id;
  return id === '' ? `(step ${index + 1})` : id;
}
