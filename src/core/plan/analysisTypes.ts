import type { Finding } from '../findings';
import type { Plan } from './model';

/** The analysis results for one step. */
export interface StepInfo {
  /** Execution stage from 0, when the step can run. */
  stage?: number;
  onCycle: boolean;
  /** Strongly connected component number when the step is on a cycle. */
  component?: number;
  /** For a blocked step: the ids of the cycle members or missing ids that keep it from running. */
  blockedBy?: string[];
  /** Ids of the steps that depend on this one directly. */
  dependents: string[];
}

export interface CriticalPath {
  steps: string[];
  durationMs: number;
}

export interface PlanAnalysis {
  plan: Plan;
  /** Parse findings first, then analysis findings, each group in file order. */
  findings: Finding[];
  /** Groups of steps that can run in parallel, in order. Absent when the plan has a cycle or an unknown dependency. */
  stages?: string[][];
  /** The chain with the maximum total `duration_ms`, when every step that can run declares one. */
  criticalPath?: CriticalPath;
  /** Per-step facts, keyed by id. The first step with a duplicated id wins. */
  steps: Map<string, StepInfo>;
}
