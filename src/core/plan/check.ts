import type { PlanAnalysis } from './analysisTypes';
import { analyzePlan } from './analyze';
import type { PlanFormat } from './model';
import { parsePlan } from './parse';

/** Parses and analyses a plan text. Never throws on user input. */
export function checkPlan(text: string, format: PlanFormat): PlanAnalysis {
  const { plan, findings } = parsePlan(text, format);
  return analyzePlan(plan, findings);
}
