/**
 * The dependency graph of a plan: one node per step (in file order), one edge from each step
 * to each step it depends on. Dependencies that name no step, or the step itself, are kept
 * aside, because they are reported on their own and are not edges.
 */
import { buildCsr, type CsrGraph } from '../graph/csr';
import { IdIndex } from '../graph/idIndex';
import { stronglyConnectedComponents, type Components } from '../graph/scc';
import type { Dependency, Plan } from './model';

export interface PlanGraph {
  plan: Plan;
  /** First step index for each id. */
  idToIndex: IdIndex;
  graph: CsrGraph;
  /** The `depends_on` entry behind each edge slot of `graph`. */
  edgeDependency: Dependency[];
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

export function buildPlanGraph(plan: Plan): PlanGraph {
  const steps = plan.steps;
  const stepCount = steps.length;
  const ids: string[] = new Array(stepCount);
  for (let i = 0; i < stepCount; i++) ids[i] = steps[i].id;
  const idToIndex = new IdIndex(ids);

  let edgeCount = 0;
  for (let i = 0; i < stepCount; i++) edgeCount += steps[i].dependsOn.length;
  const sources = new Int32Array(edgeCount);
  const targets = new Int32Array(edgeCount);
  const dependencies: Dependency[] = [];
  const selfDependent = new Uint8Array(stepCount);
  const missing = new Map<number, Dependency[]>();
  let edge = 0;

  for (let i = 0; i < stepCount; i++) {
    const step = steps[i];
    for (const dependency of step.dependsOn) {
      if (step.id !== '' && dependency.id === step.id) {
        selfDependent[i] = 1;
        continue;
      }
      const target = idToIndex.get(dependency.id);
      if (target === undefined) {
        const list = missing.get(i);
        if (list) list.push(dependency);
        else missing.set(i, [dependency]);
        continue;
      }
      sources[edge] = i;
      targets[edge] = target;
      dependencies.push(dependency);
      edge++;
    }
  }

  const { graph, edgeIndex } = buildCsr(stepCount, sources.subarray(0, edge), targets.subarray(0, edge));
  const edgeDependency: Dependency[] = new Array(edge);
  const edgeSource = new Int32Array(edge);
  for (let k = 0; k < edge; k++) {
    edgeDependency[edgeIndex[k]] = dependencies[k];
    edgeSource[edgeIndex[k]] = sources[k];
  }

  const components = stronglyConnectedComponents(graph);
  const onCycle = new Uint8Array(stepCount);
  for (let i = 0; i < stepCount; i++) {
    if (components.size[components.component[i]] > 1) onCycle[i] = 1;
  }

  return { plan, idToIndex, graph, edgeDependency, edgeSource, components, onCycle, selfDependent, missing, duplicates: idToIndex.duplicates };
}

/** Display name of a step: its id, or its position when it has none. */
export function stepName(plan: Plan, index: number): string {
  const id = plan.steps[index].id;
  return id === '' ? `(step ${index + 1})` : id;
}
