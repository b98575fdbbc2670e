/**
 * Turns a plan analysis into the graph the webview draws and the exporters print: one node
 * per step, a ghost node per missing id, and one edge per dependency.
 */
import type { PlanAnalysis } from '../plan/analysisTypes';
import type { GraphComponent, GraphEdge, GraphModel, GraphNode } from '../../shared/graphModel';

/** Node id of the ghost node drawn for a dependency on an id no step has. */
export function missingNodeId(id: string): string {
  return `missing:${id}`;
}

export function planGraphModel(analysis: PlanAnalysis, title: string): GraphModel {
  const { plan } = analysis;
  const info = analysis.steps;

  // Cycle membership of each dependency entry, keyed by the entry's start offset.
  const cycleOfEntry = new Map<number, string[]>();
  const cyclicEntries = new Set<number>();
  const lockSteps = new Set<string>();
  for (const finding of analysis.findings) {
    if (finding.kind === 'cycle') {
      const grouped = finding.data?.exampleCycle !== undefined;
      for (const range of finding.ranges ?? [finding.range]) {
        cyclicEntries.add(range.start);
        if (!grouped && !cycleOfEntry.has(range.start)) cycleOfEntry.set(range.start, finding.steps);
      }
    } else if (finding.kind === 'lock-order-inversion') {
      for (const step of finding.steps) lockSteps.add(step);
    }
  }

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seenIds = new Set<string>();
  /** Ghost node id of each missing dependency id. */
  const missing = new Map<string, string>();
  const componentMembers = new Map<number, string[]>();

  for (const step of plan.steps) {
    if (step.id === '' || seenIds.has(step.id)) continue;
    seenIds.add(step.id);
    const stepInfo = info.get(step.id);
    let status: GraphNode['status'] = 'ok';
    if (stepInfo?.onCycle) status = 'cycle';
    else if (stepInfo?.blockedBy) status = 'blocked';
    const node: GraphNode = {
      id: step.id,
      label: step.id,
      kind: 'step',
      status,
      tool: step.tool,
      range: step.idRange,
      details: [],
    };
    if (stepInfo?.stage !== undefined) node.stage = stepInfo.stage;
    if (stepInfo?.component !== undefined) {
      node.component = stepInfo.component;
      const members = componentMembers.get(stepInfo.component);
      if (members) members.push(step.id);
      else componentMembers.set(stepInfo.component, [step.id]);
    }
    if (stepInfo?.blockedBy && !stepInfo.onCycle) node.blockedReason = `Blocked by ${stepInfo.blockedBy.join(', ')}`;
    if (lockSteps.has(step.id)) node.lockInversion = true;
    if (step.timeoutMs !== undefined) node.timeoutMs = step.timeoutMs;
    if (step.description) node.details!.push(step.description);
    if (step.locks.length > 0) node.details!.push(`locks: ${step.locks.map((lock) => lock.name).join(', ')}`);
    nodes.push(node);
  }

  let edgeNumber = 0;
  for (const step of plan.steps) {
    if (step.id === '') continue;
    for (const dependency of step.dependsOn) {
      let target = dependency.id;
      if (!seenIds.has(target)) {
        let ghost = missing.get(dependency.id);
        if (ghost === undefined) {
          // A step may itself be named `missing:…`, so the ghost id is made unique.
          ghost = missingNodeId(dependency.id);
          for (let suffix = 2; seenIds.has(ghost); suffix++) ghost = `${missingNodeId(dependency.id)}#${suffix}`;
          missing.set(dependency.id, ghost);
          nodes.push({ id: ghost, label: dependency.id, kind: 'missing', status: 'missing', details: ['No step has this id.'] });
        }
        target = ghost;
      }
      const onCycle = cyclicEntries.has(dependency.range.start) || dependency.id === step.id;
      const edge: GraphEdge = {
        id: `e${edgeNumber++}`,
        source: step.id,
        target,
        kind: 'dependency',
        onCycle,
        range: dependency.range,
      };
      const cycle = cycleOfEntry.get(dependency.range.start);
      if (cycle) edge.cycle = cycle;
      else if (dependency.id === step.id) edge.cycle = [step.id];
      edges.push(edge);
    }
  }

  const components: GraphComponent[] = [...componentMembers].map(([id, members]) => ({ id, members }));
  const model: GraphModel = { kind: 'plan', title, nodes, edges, components };
  if (analysis.stages) model.stages = analysis.stages;
  return model;
}
