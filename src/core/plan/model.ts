import type { OffsetRange } from '../findings';
import type { ListEntryPlace } from './edits';

/** How a simulated run treats a step. */
export type StepBehavior = 'ok' | 'error' | 'hang' | 'lost';

export const STEP_BEHAVIORS: readonly StepBehavior[] = ['ok', 'error', 'hang', 'lost'];

/** One entry of a step's `depends_on` list, with the range of the id string. */
export interface Dependency {
  id: string;
  /** Range of the entry's value, including quotes in JSON. */
  range: OffsetRange;
  /** Index of the entry in the `depends_on` list. */
  index: number;
  /** The entry among its neighbours, to remove it with its separator. */
  place: ListEntryPlace;
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

/** Where the list of steps sits in the file. */
export type PlanShape = 'array' | 'steps' | 'plan';

export interface PlanDefaults {
  timeoutMs?: number;
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
}
