import type { OffsetRange } from '../findings';
import type { IdIndex } from '../graph/idIndex';
import type { ListEntryPlace } from './edits';

/** The outcome a simulated run gives a step. */
export type StepBehavior = 'ok' | 'error' | 'hang' | 'lost';

export const STEP_BEHAVIORS: readonly StepBehavior[] = ['ok', 'error', 'hang', 'lost'];

/**
 * One entry of a step's `depends_on` list. As a `ListEntryPlace` it records its list and
 * neighbours, so a fix can remove it with its separator.
 */
export interface Dependency extends ListEntryPlace {
  id: string;
  /** Range of the entry's value, including quotes in JSON. */
  range: OffsetRange;
  /** Index of the entry in the `depends_on` list. */
  index: number;
}

/** One entry of a step's `locks` list. */
export interface LockUse {
  name: string;
  range: OffsetRange;
}

/** Plan files are JSON or YAML, recognised by these suffixes or by a `$schema` naming the plan schema. */
export const PLAN_FILE_SUFFIXES: readonly string[] = ['.plan.json', '.plan.yaml', '.plan.yml'];

export interface Step {
  /** Position of the step in the plan's list. */
  index: number;
  id: string;
  tool: string;
  dependsOn: Dependency[];
  input?: unknown;
  timeoutMs?: number;
  durationMs?: number;
  locks: LockUse[];
  command?: string;
  behavior?: StepBehavior;
  description?: string;
  /** Range of the whole step object. */
  range: OffsetRange;
  /** Range of the `id` value; the step's range when the id is missing. */
  idRange: OffsetRange;
  /** Range of the `tool` value, when present. */
  toolRange?: OffsetRange;
  /** Range of the `depends_on` value (the list), when present. */
  dependsOnRange?: OffsetRange;
  /** Range of the `depends_on` key, when present. */
  dependsOnKeyRange?: OffsetRange;
  /** Range of the `locks` value, when present. */
  locksRange?: OffsetRange;
}

export type PlanFormat = 'json' | 'yaml';

/** The top-level form that contains the list of steps. */
export type PlanShape = 'array' | 'steps' | 'plan';

export interface PlanDefaults {
  timeoutMs?: number;
}

/**
 * Every `depends_on` entry of a plan in flat arrays, in file order: the entries of step i are
 * `ids[first[i]]` to `ids[first[i + 1] - 1]`. The analysis reads this table, so a reader may
 * build the entry objects of a step only when its `dependsOn` is first read.
 */
export interface DependencyTable {
  ids: readonly string[];
  /** One more element than there are steps. */
  first: ArrayLike<number>;
  /**
   * Set by a reader that resolved entries while reading: the first step with each entry's id,
   * or -1 where no step had that id yet. `stepIds` then has every step's id in order.
   */
  targets?: Int32Array;
  stepIds?: IdIndex;
}

export interface Plan {
  /** The source text the ranges point into; fixes are computed against it. */
  text: string;
  format: PlanFormat;
  shape: PlanShape;
  name?: string;
  defaults: PlanDefaults;
  /** Steps in file order, including those with a missing or duplicate id. */
  steps: Step[];
  /** Range of the list of steps. */
  stepsRange: OffsetRange;
  /** The entries of every `depends_on` list, when the reader recorded them as a table. */
  dependencyTable?: DependencyTable;
}
