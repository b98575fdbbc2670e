/**
 * SARIF 2.1.0 output for code-scanning tools (OASIS Static Analysis Results Interchange
 * Format, version 2.1.0). Each rule id is a reporting descriptor; fixes become SARIF fixes.
 */
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SEVERITY, RULE_SUMMARY, type RuleId, type Severity } from '../findings';
import { isUnreadable, locate, type FileReport, type FileResult } from './fileReport';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * Returns the SARIF `uri` of a path. A relative path stays relative, with each segment
 * percent-encoded, so `#`, `%` and `?` in names survive. An absolute path becomes a `file:`
 * URL. Only on Windows is a backslash a separator; elsewhere it is part of a file name.
 */
export function artifactUri(path: string, platform: NodeJS.Platform = process.platform): string {
  const windows = platform === 'win32';
  const pathModule = windows ? nodePath.win32 : nodePath.posix;
  if (pathModule.isAbsolute(path)) return pathToFileURL(path, { windows }).href;
  const segments = windows ? path.split(/[\\/]/) : path.split('/');
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

function physicalLocation(report: FileReport, range: { start: number; end: number }, path = report.path) {
  const location = locate({ path, lines: report.lines }, range);
  return {
    artifactLocation: { uri: artifactUri(location.path) },
    region: { startLine: location.line, startColumn: location.column, endLine: location.endLine, endColumn: location.endColumn },
  };
}

/**
 * Formats the results as one SARIF run. Files that could not be read become error
 * notifications of a failed invocation, so code-scanning tools do not take them as clean.
 */
export function formatSarif(results: FileResult[], toolVersion: string): string {
  const reports = results.filter((result): result is FileReport => !isUnreadable(result));
  const notifications = results.filter(isUnreadable).map((file) => ({
    level: 'error',
    message: { text: `Cannot read ${file.path}: ${file.error}.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(file.path) } } }],
  }));
  const invocation = notifications.length === 0 ? { executionSuccessful: true } : { executionSuccessful: false, toolExecutionNotifications: notifications };
  const usedRules = [...new Set(reports.flatMap((report) => report.findings.map((finding) => finding.kind)))].sort() as RuleId[];
  const ruleIndex = new Map(usedRules.map((rule, index) => [rule, index]));
  const sarifResults = reports.flatMap((report) =>
    report.findings.map((finding) => ({
      ruleId: finding.kind,
      ruleIndex: ruleIndex.get(finding.kind),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [{ physicalLocation: physicalLocation(report, finding.range) }],
      relatedLocations: finding.related.map((related, index) => ({
        id: index + 1,
        message: { text: related.message },
        physicalLocation: physicalLocation(report, related.range, related.path ?? report.path),
      })),
      fixes: finding.fixes.map((fix) => ({
        description: { text: fix.title },
        artifactChanges: [
          {
            artifactLocation: { uri: artifactUri(report.path) },
            replacements: fix.edits.map((edit) => ({
              deletedRegion: physicalLocation(report, edit.range).region,
              insertedContent: { text: edit.newText },
            })),
          },
        ],
      })),
      properties: { steps: finding.steps, ...(finding.calls ? { calls: finding.calls } : {}) },
    })),
  );

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'agent-deadlock',
            version: toolVersion,
            rules: usedRules.map((rule) => ({
              id: rule,
              shortDescription: { text: RULE_SUMMARY[rule] },
              help: { text: `${RULE_SUMMARY[rule]} See docs/rules.md#${rule} in the agent-deadlock-debugger package.` },
              defaultConfiguration: { level: LEVEL[DEFAULT_SEVERITY[rule]] },
            })),
          },
        },
        invocations: [invocation],
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
