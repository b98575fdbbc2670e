/**
 * Steps that are not on a cycle but can never run, because something they depend on,
 * directly or through other steps, never runs: a cycle, a step that depends on itself, or
 * an id no step has. A breadth-first search backwards from those causes gives every
 * blocked step its nearest cause and the chain of dependencies that leads to it.
 */
import type { Finding, OffsetRange, RelatedLocation } from '../findings';
import { reverseCsr } from '../graph/csr';
import { stepName, type PlanGraph } from './planGraph';

/** Steps named in a finding's message before "and N more". */
const NAMED_STEPS = 8;

export interface BlockedResult {
  findings: Finding[];
  /** 1 for blocked steps. Cycle members and self-dependent steps are not marked. */
  blocked: Uint8Array;
  /** For each blocked step, the ids of what keeps it from running. */
  causes: Map<number, string[]>;
}

interface Cause {
  /** `cycle:<component>`, `self:<step>` or `missing:<id>`. */
  key: string;
  describe: string;
  shortName: string;
  range: OffsetRange;
  names: string[];
}

export function blockedFindings(planGraph: PlanGraph): BlockedResult {
  const { plan, graph, components } = planGraph;
  const stepCount = graph.nodeCount;
  if (planGraph.missing.size === 0 && !planGraph.onCycle.includes(1) && !planGraph.selfDependent.includes(1)) {
    // Nothing never runs, so nothing is blocked.
    return { findings: [], blocked: new Uint8Array(stepCount), causes: new Map() };
  }
  const { graph: reverse } = reverseCsr(graph);
  const blocked = new Uint8Array(stepCount);
  const causeOf = new Int32Array(stepCount).fill(-1);
  /** The dependency a blocked step waits on towards its cause. */
  const via = new Int32Array(stepCount).fill(-1);
  const causes: Cause[] = [];
  const queue = new Int32Array(stepCount);
  let tail = 0;

  const neverRuns = (v: number): boolean => planGraph.onCycle[v] === 1 || planGraph.selfDependent[v] === 1;

  // Seeds: cycle members and self-dependent steps block their dependents; a step with a
  // missing dependency is blocked itself.
  const membersOf = cycleMembers(planGraph);
  const cycleCause = new Map<number, number>();
  for (let v = 0; v < stepCount; v++) {
    if (planGraph.onCycle[v]) {
      const component = components.component[v];
      let cause = cycleCause.get(component);
      if (cause === undefined) {
        cause = causes.length;
        cycleCause.set(component, cause);
        const members = membersOf.get(component)!;
        causes.push({
          key: `cycle:${component}`,
          describe: `the cycle through ${members.slice(0, 4).map((m) => `\`${m}\``).join(', ')}${members.length > 4 ? ` and ${members.length - 4} more steps` : ''}`,
          shortName: members[0],
          range: plan.steps[v].idRange,
          names: members,
        });
      }
      causeOf[v] = cause;
      queue[tail++] = v;
    } else if (planGraph.selfDependent[v]) {
      const name = stepName(plan, v);
      causeOf[v] = causes.length;
      causes.push({ key: `self:${v}`, describe: `\`${name}\`, which depends on itself`, shortName: name, range: plan.steps[v].idRange, names: [name] });
      queue[tail++] = v;
    }
  }
  const missingCause = new Map<string, number>();
  for (const [v, dependencies] of planGraph.missing) {
    if (neverRuns(v)) continue;
    const id = dependencies[0].id;
    let cause = missingCause.get(id);
    if (cause === undefined) {
      cause = causes.length;
      missingCause.set(id, cause);
      causes.push({ key: `missing:${id}`, describe: `\`${id}\`, which no step defines`, shortName: id, range: dependencies[0].range, names: [id] });
    }
    blocked[v] = 1;
    causeOf[v] = cause;
    queue[tail++] = v;
  }

  let head = 0;
  while (head < tail) {
    const v = queue[head++];
    for (let slot = reverse.offsets[v]; slot < reverse.offsets[v + 1]; slot++) {
      const dependent = reverse.targets[slot];
      if (causeOf[dependent] !== -1 || neverRuns(dependent)) continue;
      causeOf[dependent] = causeOf[v];
      via[dependent] = v;
      blocked[dependent] = 1;
      queue[tail++] = dependent;
    }
  }

  const byCause = new Map<number, number[]>();
  for (let v = 0; v < stepCount; v++) {
    if (!blocked[v]) continue;
    const list = byCause.get(causeOf[v]);
    if (list) list.push(v);
    else byCause.set(causeOf[v], [v]);
  }

  const findings: Finding[] = [];
  const causeNames = new Map<number, string[]>();
  for (const [causeIndex, members] of byCause) {
    const cause = causes[causeIndex];
    for (const member of members) causeNames.set(member, cause.names);
    findings.push(blockedFinding(planGraph, cause, members, via));
  }
  findings.sort((a, b) => a.range.start - b.range.start);
  return { findings, blocked, causes: causeNames };
}

/** Names of the members of each component on a cycle, in file order, from one pass. */
function cycleMembers(planGraph: PlanGraph): Map<number, string[]> {
  const members = new Map<number, string[]>();
  for (let v = 0; v < planGraph.graph.nodeCount; v++) {
    if (!planGraph.onCycle[v]) continue;
    const component = planGraph.components.component[v];
    const list = members.get(component);
    if (list) list.push(stepName(planGraph.plan, v));
    else members.set(component, [stepName(planGraph.plan, v)]);
  }
  return members;
}

/** Related locations shown per blocked step, after the cause. */
const MAX_WAIT_LOCATIONS = 20;

function blockedFinding(planGraph: PlanGraph, cause: Cause, members: number[], via: Int32Array): Finding {
  const { plan } = planGraph;
  const names = members.map((member) => stepName(plan, member));
  let message: string;
  if (members.length === 1) {
    message = `\`${names[0]}\` can never run: it depends on ${cause.describe}.`;
  } else {
    const shown = names.slice(0, NAMED_STEPS).map((name) => `\`${name}\``).join(', ');
    const more = names.length > NAMED_STEPS ? ` and ${names.length - NAMED_STEPS} more` : '';
    message = `${members.length} steps can never run, because they depend, directly or through other steps, on ${cause.describe}: ${shown}${more}.`;
  }

  // Each blocked step's dependency towards the cause, so the editor can walk the chain.
  const related: RelatedLocation[] = [{ message: `Cause: ${cause.describe}`, range: cause.range }];
  for (const member of members.slice(0, MAX_WAIT_LOCATIONS)) {
    const next = via[member];
    if (next === -1) continue;
    const nextName = stepName(plan, next);
    const entry = plan.steps[member].dependsOn.find((dependency) => dependency.id === nextName);
    if (entry) related.push({ message: `\`${stepName(plan, member)}\` waits for \`${nextName}\``, range: entry.range });
  }

  return {
    kind: 'blocked',
    severity: 'warning',
    message,
    steps: names,
    range: plan.steps[members[0]].idRange,
    ranges: members.map((member) => plan.steps[member].idRange),
    related,
    fixes: [],
    data: { cause: cause.key, causeSteps: cause.names.join(', ') },
  };
}
