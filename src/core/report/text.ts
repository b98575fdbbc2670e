/**
 * The human-readable report of `agent-deadlock check`. A cycle is printed one line per
 * dependency, then the steps it blocks and the suggested fix, so the reader can walk it
 * in the file without the editor.
 */
import type { Finding, Severity } from '../findings';
import { formatLocation, locate, type FileReport } from './fileReport';

export interface TextOptions {
  color: boolean;
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function formatText(reports: FileReport[], options: TextOptions): string {
  const paint = (code: keyof typeof ANSI, text: string): string => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const severityColor: Record<Severity, keyof typeof ANSI> = { error: 'red', warning: 'yellow', info: 'cyan' };
  const out: string[] = [];
  let total = 0;

  for (const report of reports) {
    total += report.findings.length;
    if (report.findings.length === 0) {
      out.push(`${paint('bold', report.path)}: no problems found (${report.format}).`);
      if (report.stages) {
        out.push(`  ${report.stages.length} stage${report.stages.length === 1 ? '' : 's'}:`);
        report.stages.forEach((stage, index) => out.push(`    ${index + 1}. ${stage.join(', ')}`));
      }
      if (report.criticalPath) {
        out.push(`  critical path: ${report.criticalPath.steps.join(' → ')} (${formatDuration(report.criticalPath.durationMs)})`);
      }
      continue;
    }

    out.push(paint('bold', `${report.path}`) + paint('dim', ` (${report.format})`));
    for (const finding of report.findings) {
      const where = formatLocation(locate(report, finding.range));
      out.push(`  ${where}  ${paint(severityColor[finding.severity], finding.severity)}  ${paint('dim', finding.kind)}  ${finding.message}`);
      for (const line of detailLines(report, finding)) out.push(`      ${line}`);
    }
    out.push('');
  }

  const files = reports.length;
  out.push(
    total === 0
      ? `No problems found in ${files} file${files === 1 ? '' : 's'}.`
      : `${total} problem${total === 1 ? '' : 's'} in ${reports.filter((report) => report.findings.length > 0).length} of ${files} file${files === 1 ? '' : 's'}.`,
  );
  return `${out.join('\n')}\n`;
}

function detailLines(report: FileReport, finding: Finding): string[] {
  const lines: string[] = [];
  if (finding.kind === 'cycle') {
    for (const related of finding.related) lines.push(`${related.message} (depends_on at ${formatLocation(locate(report, related.range))})`);
    const blocked = blockedBehind(report, finding);
    if (blocked.length > 0) lines.push(`Blocks: ${blocked.join(', ')}`);
  } else {
    for (const related of finding.related) {
      const where = related.path ? related.path : formatLocation(locate(report, related.range));
      lines.push(`${related.message} (${where})`);
    }
  }
  if (finding.data) {
    if (typeof finding.data.suggestion === 'string') lines.push(`Suggested fix: ${finding.data.suggestion}`);
    if (typeof finding.data.rule === 'string') lines.push(`Rule: ${finding.data.rule}`);
    for (const [key, value] of Object.entries(finding.data)) {
      if (['suggestion', 'rule', 'component', 'componentSize', 'cause', 'causeSteps', 'exampleCycle', 'cycleDependencies'].includes(key)) continue;
      lines.push(`${key}: ${String(value)}`);
    }
  }
  if (finding.kind !== 'cycle' && finding.fixes.length > 0 && typeof finding.data?.suggestion !== 'string') {
    lines.push(`Fix: ${finding.fixes[0].title}`);
  }
  return lines;
}

function blockedBehind(report: FileReport, cycle: Finding): string[] {
  const component = cycle.data?.component;
  if (component === undefined) return [];
  return report.findings
    .filter((finding) => finding.kind === 'blocked' && finding.data?.cause === `cycle:${component}`)
    .flatMap((finding) => finding.steps);
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(milliseconds < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.round((milliseconds % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}
