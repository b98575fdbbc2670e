/**
 * The plan analysis: builds the dependency graph and reports every rule, then computes the
 * execution stages and the critical path of the steps that can run.
 */
import type { Finding } from '../findings';
import { closestMatch } from '../text/similarity';
import type { CriticalPath, PlanAnalysis, StepInfo } from './analysisTypes';
import { blockedFindings } from './blocked';
import { cycleFindings } from './cycles';
import { formatStringLike, ownsEntry, removeListEntry } from './edits';
import { lockFindings } from './locks';
import type { Plan } from './model';
import { buildPlanGraph, entryOf, stepName, type PlanGraph } from './planGraph';

/** Analyses a parsed plan. `parseFindings` (syntax and schema problems) come first in the result. */
export function analyzePlan(plan: Plan, parseFindings: Finding[] = []): PlanAnalysis {
  const planGraph = buildPlanGraph(plan);
  const stepCount = plan.steps.length;

  const findings: Finding[] = [
    ...duplicateFindings(planGraph),
    ...repeatedDependencyFindings(planGraph),
    ...selfDependencyFindings(planGraph),
    ...unknownDependencyFindings(planGraph),
  ];
  const cycles = cycleFindings(planGraph);
  const blocked = blockedFindings(planGraph);

  const runnable = new Uint8Array(stepCount);
  for (let v = 0; v < stepCount; v++) {
    runnable[v] = planGraph.onCycle[v] || planGraph.selfDependent[v] || blocked.blocked[v] ? 0 : 1;
  }
  const stage = computeStages(planGraph, runnable);
  const locks = lockFindings(planGraph, runnable, stage);

  findings.push(...cycles, ...blocked.findings, ...locks);
  findings.sort((a, b) => a.range.start - b.range.start || kindOrder(a) - kindOrder(b));

  const allRunnable = !runnable.includes(0);
  const analysis: PlanAnalysis = {
    plan,
    findings: [...parseFindings, ...findings],
    stages: allRunnable ? stageLists(planGraph, stage) : undefined,
    criticalPath: criticalPath(planGraph, runnable),
    get steps() {
      // Built on first use: a per-step map costs more than the rest of the analysis on large plans.
      const value = stepInfoMap(planGraph, stage, blocked.causes);
      Object.defineProperty(this, 'steps', { value, enumerable: true });
      return value;
    },
  };
  return analysis;
}

const KIND_ORDER = ['invalid-plan', 'duplicate-id', 'self-dependency', 'unknown-dependency', 'cycle', 'blocked', 'lock-order-inversion'];
function kindOrder(finding: Finding): number {
  return KIND_ORDER.indexOf(finding.kind);
}

function duplicateFindings(planGraph: PlanGraph): Finding[] {
  const { plan, idToIndex } = planGraph;
  if (planGraph.duplicates.length === 0) return [];
  // New names must differ from every id and from each other, so all fixes can be applied.
  const taken = new Set(idToIndex.keys());
  return planGraph.duplicates.map(({ index, firstIndex }) => {
    const step = plan.steps[index];
    let counter = 2;
    while (taken.has(`${step.id}_${counter}`)) counter++;
    const newId = `${step.id}_${counter}`;
    taken.add(newId);
    const source = plan.text.slice(step.idRange.start, step.idRange.end);
    return {
      kind: 'duplicate-id',
      severity: 'error',
      message: `Duplicate step id \`${step.id}\`: step ${firstIndex + 1} already uses it, so dependencies on \`${step.id}\` always mean the first one.`,
      steps: [step.id],
      range: step.idRange,
      related: [{ message: `First definition of \`${step.id}\``, range: plan.steps[firstIndex].idRange }],
      fixes: [
        {
          title: `Rename this step to \`${newId}\``,
          edits: [{ range: step.idRange, newText: formatStringLike(plan.format, newId, source) }],
          preferred: true,
        },
      ],
    };
  });
}

/** Reports a `depends_on` entry that repeats an earlier entry of the same list. */
function repeatedDependencyFindings(planGraph: PlanGraph): Finding[] {
  const { plan } = planGraph;
  const { ids, first } = planGraph.table;
  const findings: Finding[] = [];
  for (const step of plan.steps) {
    const from = first[step.index];
    const to = first[step.index + 1];
    for (let k = from + 1; k < to; k++) {
      // Lists are short, so a scan of the earlier entries costs less than building a map per step.
      let repeated = from;
      while (repeated < k && ids[repeated] !== ids[k]) repeated++;
      if (repeated === k) continue;
      const dependency = entryOf(planGraph, step.index, k);
      const earlier = entryOf(planGraph, step.index, repeated);
      const name = stepName(plan, step.index);
      findings.push({
        kind: 'invalid-plan',
        severity: 'warning',
        message: `\`${name}\` lists \`${dependency.id}\` twice in depends_on. Remove the repeated entry.`,
        steps: [name],
        range: dependency.range,
        related: [{ message: `\`${dependency.id}\` is listed first here`, range: earlier.range }],
        fixes: ownsEntry(step, dependency)
          ? [{ title: `Remove the repeated \`${dependency.id}\``, edits: [removeListEntry(plan.text, dependency)], preferred: true }]
          : [],
      });
    }
  }
  return findings;
}

function selfDependencyFindings(planGraph: PlanGraph): Finding[] {
  const { plan } = planGraph;
  const findings: Finding[] = [];
  for (const step of plan.steps) {
    if (!planGraph.selfDependent[step.index]) continue;
    for (const dependency of step.dependsOn) {
      if (dependency.id !== step.id) continue;
      findings.push({
        kind: 'self-dependency',
        severity: 'error',
        message: `\`${step.id}\` depends on itself, so it can never start.`,
        steps: [step.id],
        range: dependency.range,
        related: [{ message: `\`${step.id}\` is defined here`, range: step.idRange }],
        fixes: ownsEntry(step, dependency)
          ? [{ title: `Remove \`${step.id}\` from its own depends_on`, edits: [removeListEntry(plan.text, dependency)], preferred: true }]
          : [],
      });
    }
  }
  return findings;
}

/**
 * Characters compared while looking for suggestions, over all unknown ids. Each unknown id is
 * compared with every step id, so a plan with thousands of unknown ids would take quadratic
 * time. Past this budget the remaining unknown ids get no suggestion.
 */
const SUGGESTION_BUDGET = 50_000_000;

function unknownDependencyFindings(planGraph: PlanGraph): Finding[] {
  const { plan, idToIndex } = planGraph;
  const findings: Finding[] = [];
  if (planGraph.missing.size === 0) return findings;
  const suggestions = new Map<string, string | undefined>();
  let idCharacters = 0;
  for (const id of idToIndex.keys()) idCharacters += id.length;
  let budget = SUGGESTION_BUDGET;
  for (const [index, dependencies] of planGraph.missing) {
    const step = plan.steps[index];
    // A step's own id is never suggested: it would turn the fix into a self-dependency.
    const exclude = new Set([step.id]);
    for (const dependency of dependencies) {
      const key = `${step.id}\u0000${dependency.id}`;
      if (!suggestions.has(key)) {
        budget -= idCharacters * Math.min(4, dependency.id.length);
        suggestions.set(key, budget >= 0 ? closestMatch(dependency.id, idToIndex.keys(), exclude) : undefined);
      }
      const suggestion = suggestions.get(key);
      const source = plan.text.slice(dependency.range.start, dependency.range.end);
      const finding: Finding = {
        kind: 'unknown-dependency',
        severity: 'error',
        message: `\`${stepName(plan, index)}\` depends on \`${dependency.id}\`, but no step has that id.${suggestion === undefined ? '' : ` Did you mean \`${suggestion}\`?`}`,
        steps: [stepName(plan, index)],
        missing: dependency.id,
        range: dependency.range,
        related: [],
        fixes: [],
      };
      const editable = ownsEntry(step, dependency);
      if (suggestion !== undefined) {
        finding.suggestion = suggestion;
        finding.related.push({ message: `\`${suggestion}\` is defined here`, range: plan.steps[idToIndex.get(suggestion)!].idRange });
        if (editable) {
          finding.fixes.push({
            title: `Change to \`${suggestion}\``,
            edits: [{ range: dependency.range, newText: formatStringLike(plan.format, suggestion, source) }],
            preferred: true,
          });
        }
      }
      if (editable) finding.fixes.push({ title: `Remove the dependency on \`${dependency.id}\``, edits: [removeListEntry(plan.text, dependency)] });
      findings.push(finding);
    }
  }
  return findings;
}

/**
 * Stage of each runnable step: 0 without dependencies, else one more than its latest
 * dependency. Components are numbered so that dependencies come first, so one pass in
 * component order suffices. Steps that cannot run get -1.
 */
function computeStages(planGraph: PlanGraph, runnable: Uint8Array): Int32Array {
  const { graph } = planGraph;
  const stage = new Int32Array(graph.nodeCount).fill(-1);
  for (const v of componentOrder(planGraph)) {
    if (!runnable[v]) continue;
    let value = 0;
    for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
      const dependencyStage = stage[graph.targets[slot]] + 1;
      if (dependencyStage > value) value = dependencyStage;
    }
    stage[v] = value;
  }
  return stage;
}

/** Steps sorted by component number, by a counting sort: dependencies before dependents. */
function componentOrder(planGraph: PlanGraph): Int32Array {
  const { component, count } = planGraph.components;
  const starts = new Int32Array(count + 1);
  for (let v = 0; v < component.length; v++) starts[component[v] + 1]++;
  for (let c = 0; c < count; c++) starts[c + 1] += starts[c];
  const order = new Int32Array(component.length);
  for (let v = 0; v < component.length; v++) order[starts[component[v]]++] = v;
  return order;
}

function stageLists(planGraph: PlanGraph, stage: Int32Array): string[][] {
  const lists: string[][] = [];
  for (let v = 0; v < stage.length; v++) {
    if (stage[v] < 0 || planGraph.plan.steps[v].id === '') continue;
    while (lists.length <= stage[v]) lists.push([]);
    lists[stage[v]].push(planGraph.plan.steps[v].id);
  }
  return lists;
}

/** Finds the chain with the maximum total `duration_ms`, when every runnable step declares one. */
function criticalPath(planGraph: PlanGraph, runnable: Uint8Array): CriticalPath | undefined {
  const { plan, graph } = planGraph;
  let any = false;
  for (const step of plan.steps) {
    if (!runnable[step.index]) continue;
    if (step.durationMs === undefined) return undefined;
    any = true;
  }
  if (!any) return undefined;

  const finish = new Float64Array(graph.nodeCount);
  const previous = new Int32Array(graph.nodeCount).fill(-1);
  let last = -1;
  for (const v of componentOrder(planGraph)) {
    if (!runnable[v]) continue;
    let start = 0;
    for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
      const w = graph.targets[slot];
      if (finish[w] > start) {
        start = finish[w];
        previous[v] = w;
      }
    }
    finish[v] = start + (plan.steps[v].durationMs ?? 0);
    if (last === -1 || finish[v] > finish[last]) last = v;
  }

  const steps: string[] = [];
  for (let v = last; v !== -1; v = previous[v]) steps.push(stepName(plan, v));
  return { steps: steps.reverse(), durationMs: finish[last] };
}

function stepInfoMap(planGraph: PlanGraph, stage: Int32Array, causes: Map<number, string[]>): Map<string, StepInfo> {
  const { plan, graph } = planGraph;
  const info = new Map<string, StepInfo>();
  for (const step of plan.steps) {
    if (step.id === '' || info.has(step.id)) continue;
    const v = step.index;
    const entry: StepInfo = { onCycle: planGraph.onCycle[v] === 1, dependents: [] };
    if (stage[v] >= 0) entry.stage = stage[v];
    if (entry.onCycle) entry.component = planGraph.components.component[v];
    const cause = causes.get(v);
    if (cause) entry.blockedBy = cause;
    else if (planGraph.selfDependent[v]) entry.blockedBy = [step.id];
    info.set(step.id, entry);
  }
  for (let v = 0; v < graph.nodeCount; v++) {
    const id = plan.steps[v].id;
    if (id === '') continue;
    for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
      const target = info.get(plan.steps[graph.targets[slot]].id);
      if (target && !target.dependents.includes(id)) target.dependents.push(id);
    }
  }
  return info;
}
