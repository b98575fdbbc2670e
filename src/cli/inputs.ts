/**
 * Decides what a file is and checks it. Plans are recognised by their suffix, by a `$schema`
 * naming the plan schema, or by their shape. Other readers register themselves in
 * `INPUT_READERS`, which are tried before the plan shape check.
 */
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
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
    format: `plan, ${format === 'json' ? 'JSON' : 'YAML'}`,
    findings: analysis.findings,
    lines: new LineIndex(text),
    planSteps: analysis.steps,
  };
  if (analysis.findings.length === 0 && analysis.stages) report.stages = analysis.stages;
  const critical: CriticalPath | undefined = analysis.criticalPath;
  if (critical && analysis.findings.length === 0) report.criticalPath = critical;
  if (!critical && analysis.findings.length === 0) {
    const withoutDuration = analysis.plan.steps.filter((step) => step.durationMs === undefined).length;
    if (withoutDuration > 0 && withoutDuration < analysis.plan.steps.length) report.stepsWithoutDuration = withoutDuration;
  }
  return report;
}

/** True for a parsed value shaped like a plan: a list whose first item is an object with `id`, or `{steps|plan: [...]}`. */
function hasPlanShape(value: unknown): boolean {
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'object' && first !== null && !Array.isArray(first) && 'id' in first;
  }
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.steps) || Array.isArray(record.plan);
}

/**
 * Returns the format of a text shaped like a plan, or undefined. Two patterns cover the usual
 * layouts cheaply; otherwise the text is parsed, as JSON with comments and trailing commas and
 * then as YAML. Only files that no other detector claimed get this far.
 */
function looksLikePlan(text: string): PlanFormat | undefined {
  const trimmed = text.trimStart();
  if (/^\[\s*\{\s*"id"\s*:/.test(trimmed) || /^\{\s*"(steps|plan)"\s*:\s*\[/.test(trimmed)) return 'json';
  if (/^(steps|plan)\s*:/m.test(trimmed) || /^-\s+id\s*:/m.test(trimmed)) return 'yaml';
  // Text without any of the key names cannot have the shape, so skip the parsers.
  if (!/\b(id|steps|plan)\b/.test(trimmed)) return undefined;

  const jsonErrors: ParseError[] = [];
  const json: unknown = parseJsonc(text, jsonErrors, { allowTrailingComma: true, disallowComments: false });
  if (jsonErrors.length === 0) return hasPlanShape(json) ? 'json' : undefined;
  try {
    if (hasPlanShape(parseYaml(text))) return 'yaml';
  } catch {
    // Neither valid JSON nor valid YAML. A broken JSON plan still counts when the part read has the shape.
  }
  return hasPlanShape(json) ? 'json' : undefined;
}

/** A file that cannot be checked. `reason` is the cause without the path, such as "file not found". */
export class InputError extends Error {
  constructor(
    message: string,
    readonly reason: string = message,
  ) {
    super(message);
  }
}

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
  const reason =
    'not a plan or a trace this tool can read. Name plans *.plan.json, *.plan.yaml or *.plan.yml, ' +
    'or give a trace in one of the supported formats (see docs/traces.md)';
  throw new InputError(`${path}: ${reason}.`, reason);
}
