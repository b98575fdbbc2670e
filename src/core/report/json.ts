/**
 * The `--format json` report: `{"files": [{"path", "findings": [...]}]}` with 1-based locations.
 * A file that could not be read has `error` and an empty `findings` list instead.
 */
import type { Finding } from '../findings';
import { isUnreadable, locate, type FileReport, type FileResult, type Location } from './fileReport';

export interface JsonFinding {
  kind: string;
  severity: string;
  message: string;
  steps: string[];
  calls?: string[];
  spans?: string[];
  tool?: string;
  locks?: string[];
  missing?: string;
  suggestion?: string;
  location: Location;
  locations?: Location[];
  related: { message: string; location: Location }[];
  fixes: { title: string; edits: { location: Location; newText: string }[] }[];
  data?: Record<string, string | number | boolean>;
}

export function toJsonFinding(report: FileReport, finding: Finding): JsonFinding {
  const result: JsonFinding = {
    kind: finding.kind,
    severity: finding.severity,
    message: finding.message,
    steps: finding.steps,
    location: locate(report, finding.range),
    related: finding.related.map((related) => ({
      message: related.message,
      location: locate({ path: related.path ?? report.path, lines: report.lines }, related.range),
    })),
    fixes: finding.fixes.map((fix) => ({
      title: fix.title,
      edits: fix.edits.map((edit) => ({ location: locate(report, edit.range), newText: edit.newText })),
    })),
  };
  if (finding.calls) result.calls = finding.calls;
  if (finding.spans) result.spans = finding.spans;
  if (finding.tool !== undefined) result.tool = finding.tool;
  if (finding.locks) result.locks = finding.locks;
  if (finding.missing !== undefined) result.missing = finding.missing;
  if (finding.suggestion !== undefined) result.suggestion = finding.suggestion;
  if (finding.ranges && finding.ranges.length > 1) result.locations = finding.ranges.map((range) => locate(report, range));
  if (finding.data) result.data = finding.data;
  return result;
}

export function formatJson(results: FileResult[]): string {
  const files = results.map((report) => {
    if (isUnreadable(report)) return { path: report.path, error: report.error, findings: [] };
    const file: Record<string, unknown> = {
      path: report.path,
      kind: report.kind,
      format: report.format,
      findings: report.findings.map((finding) => toJsonFinding(report, finding)),
    };
    if (report.stages) file.stages = report.stages;
    if (report.criticalPath) file.criticalPath = report.criticalPath;
    return file;
  });
  return `${JSON.stringify({ files }, null, 2)}\n`;
}
