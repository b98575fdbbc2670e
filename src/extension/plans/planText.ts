/**
 * Queries over a parsed plan and its text that the editor features share. They find the id at
 * an offset and the uses of an id, write a new id in JSON or YAML, and decide whether an
 * offset lies inside a `depends_on` list. Nothing here imports `vscode`, so unit tests run it
 * in Node.
 */
import type { OffsetRange } from '../../core/findings';
import type { PlanAnalysis } from '../../core/plan/analysisTypes';
import type { Dependency, Plan, PlanFormat, Step } from '../../core/plan/model';

/** The id under an offset: a step's own id or one `depends_on` entry. */
export type IdAtOffset =
  | { kind: 'step'; step: Step; id: string; range: OffsetRange }
  | { kind: 'dependency'; step: Step; dependency: Dependency; id: string; range: OffsetRange };

/** True when `offset` lies in `range` or touches its end, as a cursor after a word does. */
export function touches(range: OffsetRange, offset: number): boolean {
  return offset >= range.start && offset <= range.end;
}

export function sameRange(a: OffsetRange, b: OffsetRange): boolean {
  return a.start === b.start && a.end === b.end;
}

/** Finds the step whose object contains `offset`, by binary search over the steps in file order. */
export function stepAt(plan: Plan, offset: number): Step | undefined {
  const steps = plan.steps;
  let low = 0;
  let high = steps.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const range = steps[middle].range;
    if (offset < range.start) high = middle - 1;
    else if (offset > range.end) low = middle + 1;
    else return steps[middle];
  }
  return undefined;
}

/** Finds the step id or dependency id at `offset`. A step without an id has no id range to find. */
export function idAt(plan: Plan, offset: number): IdAtOffset | undefined {
  const step = stepAt(plan, offset);
  if (!step) return undefined;
  if (step.id !== '' && !sameRange(step.idRange, step.range) && touches(step.idRange, offset)) {
    return { kind: 'step', step, id: step.id, range: step.idRange };
  }
  for (const dependency of step.dependsOn) {
    if (touches(dependency.range, offset)) {
      return { kind: 'dependency', step, dependency, id: dependency.id, range: dependency.range };
    }
  }
  return undefined;
}

/** Maps each id to the steps that define it, in file order, so the first one is the definition. */
export function stepsById(plan: Plan): Map<string, Step[]> {
  const byId = new Map<string, Step[]>();
  for (const step of plan.steps) {
    if (step.id === '') continue;
    const list = byId.get(step.id);
    if (list) list.push(step);
    else byId.set(step.id, [step]);
  }
  return byId;
}

/** Finds every `depends_on` entry that names `id`, in file order. */
export function dependenciesOn(plan: Plan, id: string): { step: Step; dependency: Dependency }[] {
  const uses: { step: Step; dependency: Dependency }[] = [];
  for (const step of plan.steps) {
    for (const dependency of step.dependsOn) {
      if (dependency.id === id) uses.push({ step, dependency });
    }
  }
  return uses;
}

/**
 * Returns the part of a value's range that contains the id itself: inside the quotes of a quoted
 * string, or the whole range of a plain YAML scalar.
 */
export function innerRange(text: string, range: OffsetRange): OffsetRange {
  const first = text.charAt(range.start);
  const last = text.charAt(range.end - 1);
  if (range.end - range.start >= 2 && (first === '"' || first === "'") && last === first) {
    return { start: range.start + 1, end: range.end - 1 };
  }
  return range;
}

const YAML_RESERVED_PLAIN = /^(?:~|null|true|false|yes|no|on|off|y|n)$/i;
const YAML_SAFE_PLAIN = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
const YAML_NUMBER_LIKE = /^[-+.]?[0-9]/;

/**
 * Writes `id` as the replacement of the value at `range`, keeping the quoting style the file
 * uses there. JSON strings are JSON-escaped. In YAML a plain scalar stays plain when the new id
 * reads back as the same string, and is double-quoted otherwise.
 */
export function formatIdFor(text: string, range: OffsetRange, id: string, format: PlanFormat): string {
  const first = text.charAt(range.start);
  if (format === 'json' || first === '"') return JSON.stringify(id);
  if (first === "'") return `'${id.replace(/'/g, "''")}'`;
  const plainIsSafe = YAML_SAFE_PLAIN.test(id) && !YAML_RESERVED_PLAIN.test(id) && !YAML_NUMBER_LIKE.test(id);
  return plainIsSafe ? id : JSON.stringify(id);
}

/** Returns why `newId` cannot replace `oldId`, or `undefined` when it can. */
export function renameProblem(plan: Plan, oldId: string, newId: string): string | undefined {
  if (newId.trim() === '') return 'empty';
  if (newId !== oldId && plan.steps.some((step) => step.id === newId)) return 'taken';
  return undefined;
}

/** The place of a step-id completion inside `depends_on`, and the step being edited. */
export interface DependencyCompletionContext {
  /** The step whose list is being edited, when the parser still sees it. */
  step?: Step;
  /** The text to replace: the partial id typed so far. */
  replace: OffsetRange;
  /** True when the cursor is inside a quoted string, so ids go in without their own quotes. */
  insideQuotes: boolean;
  quote: '"' | "'" | '';
}

const LOOKBACK_CHARS = 4000;

/**
 * Decides whether `offset` is inside a `depends_on` list. The parsed ranges decide when the list
 * is well-formed. While the user types, the text may not parse, so a textual check looks back
 * for the nearest `depends_on` key and an unclosed flow list or a block list.
 */
export function dependencyCompletionContext(
  text: string,
  offset: number,
  plan: Plan | undefined,
  format: PlanFormat,
): DependencyCompletionContext | undefined {
  const step = plan ? stepAt(plan, offset) : undefined;
  const insideParsedList = step?.dependsOnRange !== undefined && offset > step.dependsOnRange.start && offset < step.dependsOnRange.end;
  if (!insideParsedList && !insideListByText(text, offset, format)) return undefined;

  let start = offset;
  while (start > 0 && !/[\s"',[\]{}]/.test(text.charAt(start - 1))) start--;
  const before = text.charAt(start - 1);
  const quote = before === '"' || before === "'" ? before : '';
  let end = offset;
  while (end < text.length && !/[\s"',[\]{}]/.test(text.charAt(end))) end++;
  if (quote !== '' && text.charAt(end) === quote) end++;
  return { step, replace: { start, end }, insideQuotes: quote !== '', quote };
}

function insideListByText(text: string, offset: number, format: PlanFormat): boolean {
  const windowStart = Math.max(0, offset - LOOKBACK_CHARS);
  const before = text.slice(windowStart, offset);
  const key = before.lastIndexOf('depends_on');
  if (key < 0) return false;
  const afterKey = before.slice(key + 'depends_on'.length);
  // A flow list that is still open: `"depends_on": ["a", "b` or `depends_on: [a, b`.
  if (/^["']?\s*:\s*\[[^\]{}]*$/.test(afterKey)) return true;
  if (format === 'json') return false;
  // A YAML block list whose last item is on the cursor's line: `depends_on:\n  - a\n  - b`.
  return /^\s*:[ \t]*(?:\r?\n[ \t]*-[ \t]*[^\n]*)*\r?\n[ \t]*-[ \t]*[^\n]*$/.test(afterKey);
}

/**
 * Finds a shortest cycle through `id` by breadth-first search over the dependencies, limited to
 * the steps of its strongly connected component. Returns the ids in waiting order, starting and
 * ending with `id`, or `undefined` when `id` is on no cycle.
 */
export function shortestCycleThrough(analysis: PlanAnalysis, id: string): string[] | undefined {
  const info = analysis.steps.get(id);
  if (!info?.onCycle) return undefined;
  const component = info.component;
  const byId = stepsById(analysis.plan);
  const previous = new Map<string, string>();
  const queue: string[] = [id];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head];
    const step = byId.get(current)?.[0];
    if (!step) continue;
    for (const dependency of step.dependsOn) {
      const next = dependency.id;
      if (next === id) {
        const path = [id];
        for (let at: string | undefined = current; at !== undefined && at !== id; at = previous.get(at)) path.push(at);
        const cycle = [id, ...path.slice(1).reverse(), id];
        return cycle;
      }
      if (previous.has(next) || next === id) continue;
      const nextInfo = analysis.steps.get(next);
      if (!nextInfo?.onCycle || nextInfo.component !== component) continue;
      previous.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}
