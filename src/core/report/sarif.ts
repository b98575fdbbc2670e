/**
 * SARIF 2.1.0 output for code-scanning tools (OASIS Static Analysis Results Interchange
 * Format, version 2.1.0). Each rule id is a reporting descriptor; fixes become SARIF fixes.
 */
import { DEFAULT_SEVERITY, RULE_SUMMARY, type RuleId, type Severity } from '../findings';
import { locate, type FileReport } from './fileReport';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function physicalLocation(report: FileReport, range: { start: number; end: number }, path = report.path) {
  const location = locate({ path, lines: report.lines }, range);
  return {
    artifactLocation: { uri: encodeURI(location.path.replace(/\\/g, '/')) },
    region: { startLine: location.line, startColumn: location.column, endLine: location.endLine, endColumn: location.endColumn },
  };
}

export function formatSarif(reports: FileReport[], toolVersion: string): string {
  const usedRules = [...new Set(reports.flatMap((report) => report.findings.map((finding) => finding.kind)))].sort() as RuleId[];
  const ruleIndex = new Map(usedRules.map((rule, index) => [rule, index]));
  const results = reports.flatMap((report) =>
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
            artifactLocation: { uri: encodeURI(report.path.replace(/\\/g, '/')) },
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
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
