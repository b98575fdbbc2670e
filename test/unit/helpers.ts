import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, TextEdit } from '../../src/core/findings';
import { checkPlan } from '../../src/core/plan/check';
import type { PlanAnalysis } from '../../src/core/plan/analysisTypes';
import { planFormatForPath } from '../../src/core/plan/parse';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function readFixture(relative: string): string {
  return fs.readFileSync(path.join(FIXTURES, relative), 'utf8');
}

export function checkFixture(relative: string): { text: string; analysis: PlanAnalysis } {
  const text = readFixture(relative);
  const format = planFormatForPath(relative);
  if (!format) throw new Error(`${relative} is not named like a plan file`);
  return { text, analysis: checkPlan(text, format) };
}

/** Applies non-overlapping edits, as an editor would. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.range.start - a.range.start);
  let result = text;
  for (const edit of sorted) result = result.slice(0, edit.range.start) + edit.newText + result.slice(edit.range.end);
  return result;
}

export function kinds(findings: Finding[]): string[] {
  return findings.map((finding) => finding.kind).sort();
}

export function ofKind(findings: Finding[], kind: string): Finding[] {
  return findings.filter((finding) => finding.kind === kind);
}

/** Rotates a cycle so that its smallest id comes first, for order-insensitive comparison. */
export function canonicalCycle(steps: string[]): string[] {
  let start = 0;
  for (let i = 1; i < steps.length; i++) if (steps[i] < steps[start]) start = i;
  return [...steps.slice(start), ...steps.slice(0, start)];
}
