/**
 * Decides what a file is and checks it. Plans are recognised by their suffix, by a `$schema`
 * naming the plan schema, or by their shape. Other readers register themselves in
 * `INPUT_READERS`, which are tried before the plan shape check.
 */
import type { CriticalPath } from '../core/plan/analysisTypes';
import { checkPlan } from '../core/plan/check';
import type { PlanFormat } from '../core/plan/model';
import { planFormatForPath, planFormatFromContent } from '../core/plan/parse';
import type { FileReport } from '../core/report/fileReport';
import { LineIndex } from '../core/text/lineIndex';

export interface CheckOptions {
  /** Per-tool timeouts in milliseconds, for readers that judge hung calls. */
  toolTimeouts: Map<string, number>;
  /** Default timeout in milliseconds. */
  defaultTimeoutMs: number;
}

/** A reader of one kind of input. `detect` looks at the content, never only at the name. */
export interface InputReader {
  name: string;
  detect(path: string, text: string): boolean;
  check(path: string, text: string, options: CheckOptions): FileReport;
}

/** Readers tried in order before the plan shape check. */
export const INPUT_READERS: InputReader[] = [];

export function planReport(path: string, text: string, format: PlanFormat): FileReport {
  const analysis = checkPlan(text, format);
  const report: FileReport = {
    path,
    kind: 'plan',
    format: `plan (${format === 'json' ? 'JSON' : 'YAML'})`,
    findings: analysis.findings,
    lines: new LineIndex(text),
  };
  if (analysis.findings.length === 0 && analysis.stages) report.stages = analysis.stages;
  const critical: CriticalPath | undefined = analysis.criticalPath;
  if (critical && analysis.findings.length === 0) report.criticalPath = critical;
  return report;
}

/** Returns true when the text parses to a list of objects with `id`, or `{steps|plan: [...]}`. */
function looksLikePlan(text: string): PlanFormat | undefined {
  const trimmed = text.trimStart();
  const format: PlanFormat = trimmed.startsWith('{') || trimmed.startsWith('[') ? 'json' : 'yaml';
  if (format === 'json') {
    if (/^\[\s*\{[^{}]*"id"\s*:/.test(trimmed) || /^\{[\s\S]{0,200}?"(steps|plan)"\s*:\s*\[/.test(trimmed)) return 'json';
    return undefined;
  }
  if (/^(steps|plan)\s*:/m.test(trimmed) || /^-\s+id\s*:/m.test(trimmed)) return 'yaml';
  return undefined;
}

export class InputError extends Error {}

/** Checks one file's text. Throws `InputError` when the file is not a kind this tool reads. */
export function checkInput(path: string, text: string, options: CheckOptions): FileReport {
  const byName = planFormatForPath(path);
  if (byName) return planReport(path, text, byName);
  const bySchema = planFormatFromContent(text);
  if (bySchema) return planReport(path, text, bySchema);
  for (const reader of INPUT_READERS) {
    if (reader.detect(path, text)) return reader.check(path, text, options);
  }
  const byShape = looksLikePlan(text);
  if (byShape) return planReport(path, text, byShape);
  throw new InputError(
    `${path}: not a plan or a trace this tool can read. Name plans *.plan.json, *.plan.yaml or *.plan.yml, ` +
      'or give a trace in one of the supported formats (see docs/traces.md).',
  );
}
