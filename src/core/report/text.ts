/**
 * The human-readable report of `agent-deadlock check`. A cycle is printed one line per
 * dependency, then the steps it blocks and the suggested fix, so the reader can walk it
 * in the file without the editor. Every string that comes from the input (paths, ids,
 * messages) has its control characters escaped, so only the reporter's own colours reach
 * the terminal.
 */
import type { Finding, Severity } from '../findings';
import { stepsBehindCycle } from './cycleReach';
import { escapeControlCharacters as clean } from './escape';
import { formatLocation, isUnreadable, locate, type FileReport, type FileResult } from './fileReport';

export interface TextOptions {
  color: boolean;
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

type Paint = (code: keyof typeof ANSI, text: string) => string;

const SEVERITY_COLOR: Record<Severity, keyof typeof ANSI> = { error: 'red', warning: 'yellow', info: 'cyan' };

/** Data keys that the detail lines already show, or that only link findings to each other. */
const HIDDEN_DATA = new Set(['suggestion', 'rule', 'component', 'componentSize', 'cause', 'causeSteps', 'exampleCycle', 'cycleDependencies']);

export function formatText(results: FileResult[], options: TextOptions): string {
  const paint: Paint = (code, text) => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const out: string[] = [];

  for (const result of results) {
    if (isUnreadable(result)) {
      out.push(`${paint('bold', clean(result.path))}: ${paint('red', clean(result.error))}.`);
      continue;
    }
    if (result.findings.length === 0) {
      out.push(...cleanReportLines(result, paint));
      continue;
    }

    out.push(paint('bold', clean(result.path)) + paint('dim', ` (${clean(result.format)})`));
    const printedRules = new Set<string>();
    for (const finding of result.findings) {
      const where = formatLocation(locate(result, finding.range));
      out.push(`  ${clean(where)}  ${paint(SEVERITY_COLOR[finding.severity], finding.severity)}  ${paint('dim', finding.kind)}  ${clean(finding.message)}`);
      for (const line of detailLines(result, finding, printedRules)) out.push(`      ${clean(line)}`);
    }
    out.push('');
  }

  out.push(summaryLine(results));
  return `${out.join('\n')}\n`;
}

/** Returns an id as the messages write it: in backticks, with control characters escaped. */
function quoteId(id: string): string {
  return `\`${clean(id)}\``;
}

/** Stage lines printed for a clean plan before the rest are summarised. */
const MAX_STAGE_LINES = 12;
/** Ids printed on one stage, critical-path or "Blocks:" line before "and N more". */
const MAX_IDS_PER_LINE = 12;

function shortList(items: string[], limit: number): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function cleanReportLines(report: FileReport, paint: Paint): string[] {
  const lines = [`${paint('bold', clean(report.path))}: no problems found (${clean(report.format)}).`];
  if (report.stages) {
    if (report.stages.length === 0) {
      lines.push('  The plan has no steps.');
    } else {
      const stepCount = report.stages.reduce((sum, stage) => sum + stage.length, 0);
      const widest = Math.max(...report.stages.map((stage) => stage.length));
      lines.push(`  ${plural(report.stages.length, 'stage')} for ${plural(stepCount, 'step')}, at most ${widest} in parallel:`);
      // A large plan would print hundreds of lines, so only the first and last stages are listed.
      const shown = report.stages.length > MAX_STAGE_LINES ? [...report.stages.slice(0, MAX_STAGE_LINES - 2).keys(), -1, report.stages.length - 1] : [...report.stages.keys()];
      for (const index of shown) {
        if (index === -1) {
          lines.push(`    … ${plural(report.stages.length - MAX_STAGE_LINES + 1, 'more stage')} (--format json lists them all)`);
          continue;
        }
        lines.push(`    ${index + 1}. ${shortList(report.stages[index].map(quoteId), MAX_IDS_PER_LINE)}`);
      }
    }
  }
  if (report.criticalPath) {
    const path = report.criticalPath.steps.map(quoteId);
    const shownPath = path.length > MAX_IDS_PER_LINE ? [...path.slice(0, 4), `… ${path.length - 6} more …`, ...path.slice(-2)] : path;
    lines.push(`  critical path: ${shownPath.join(' → ')} (${plural(path.length, 'step')}, ${formatDuration(report.criticalPath.durationMs)})`);
  } else if (report.stepsWithoutDuration !== undefined && report.stepsWithoutDuration > 0) {
    const count = report.stepsWithoutDuration;
    lines.push(`  critical path: not computed, ${plural(count, 'step')} ${count === 1 ? 'has' : 'have'} no duration_ms.`);
  }
  return lines;
}

function summaryLine(results: FileResult[]): string {
  const reports = results.filter((result): result is FileReport => !isUnreadable(result));
  const unreadable = results.length - reports.length;
  const total = reports.reduce((sum, report) => sum + report.findings.length, 0);
  const withFindings = reports.filter((report) => report.findings.length > 0).length;

  if (unreadable === 0) {
    if (total === 0) return `No problems found in ${plural(reports.length, 'file')}.`;
    return `${plural(total, 'problem')} in ${withFindings} of ${plural(reports.length, 'file')}.`;
  }
  // Files that were not checked may have problems, so the summary must not claim there are none.
  const head = `${plural(unreadable, 'file')} could not be read`;
  if (reports.length === 0) return `${head}.`;
  if (total === 0) return `${head}; 0 problems in the ${plural(reports.length, 'file')} checked.`;
  return `${head}; ${plural(total, 'problem')} in ${withFindings} of ${plural(reports.length, 'file')} checked.`;
}

function detailLines(report: FileReport, finding: Finding, printedRules: Set<string>): string[] {
  const lines: string[] = [];
  if (finding.kind === 'cycle') {
    for (const related of finding.related) lines.push(`${related.message} (depends_on at ${formatLocation(locate(report, related.range))})`);
    const blocked = blockedBehind(report, finding);
    if (blocked.length > 0) lines.push(`Blocks: ${shortList(blocked.map(quoteId), MAX_IDS_PER_LINE)}`);
  } else {
    for (const related of finding.related) {
      const where = related.path ? related.path : formatLocation(locate(report, related.range));
      lines.push(`${related.message} (${where})`);
    }
  }
  if (finding.data) {
    if (typeof finding.data.suggestion === 'string') lines.push(`Suggested fix: ${finding.data.suggestion}`);
    // The rule behind a suggestion is the same for every cycle of a file, so it is printed once.
    const rule = finding.data.rule;
    if (typeof rule === 'string' && !printedRules.has(rule)) {
      printedRules.add(rule);
      lines.push(`Rule: ${rule}`);
    }
    for (const [key, value] of Object.entries(finding.data)) {
      if (HIDDEN_DATA.has(key)) continue;
      lines.push(`${key}: ${String(value)}`);
    }
  }
  if (finding.kind !== 'cycle' && finding.fixes.length > 0 && typeof finding.data?.suggestion !== 'string') {
    lines.push(`Fix: ${finding.fixes[0].title}`);
  }
  return lines;
}

/** Steps behind each component searched so far, per report. Every cycle of one component blocks the same steps. */
const behindCache = new WeakMap<FileReport, Map<number, string[]>>();

/**
 * Returns the steps a cycle keeps from running, directly or through other steps, nearest
 * first. Without the plan's per-step facts, only the blocked steps whose nearest cause is
 * this cycle are known, so only those are listed.
 */
function blockedBehind(report: FileReport, cycle: Finding): string[] {
  const component = cycle.data?.component;
  if (typeof component !== 'number') return [];
  if (report.planSteps === undefined) {
    return report.findings
      .filter((finding) => finding.kind === 'blocked' && finding.data?.cause === `cycle:${component}`)
      .flatMap((finding) => finding.steps);
  }
  let known = behindCache.get(report);
  if (known === undefined) behindCache.set(report, (known = new Map()));
  let ids = known.get(component);
  if (ids === undefined) {
    ids = stepsBehindCycle(report.planSteps, component).map((step) => step.id);
    known.set(component, ids);
  }
  return ids;
}

/**
 * Formats a duration with the largest sensible unit: "250 ms", "1.80 s", "12.5 s",
 * "4 min 5 s", "1 h 30 min", and whole hours from 100 h up. Each value is rounded before it
 * is split into units, so 59.6 s prints as "1 min 0 s", never "60.0 s" or "0 min 60 s".
 */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return `${milliseconds} ms`;
  if (Math.round(milliseconds) < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (Number(seconds.toFixed(2)) < 10) return `${seconds.toFixed(2)} s`;
  if (Number(seconds.toFixed(1)) < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)} min ${wholeSeconds % 60} s`;
  const wholeMinutes = Math.round(seconds / 60);
  const hours = Math.floor(wholeMinutes / 60);
  if (hours >= 100) return `${Math.round(seconds / 3600)} h`;
  return `${hours} h ${wholeMinutes % 60} min`;
}
