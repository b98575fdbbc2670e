import * as vscode from 'vscode';
import type { Finding } from '../../core/findings';
import type { AnalysedPlan } from './analysisCache';
import { stageLabel } from './codeLens';
import { toRange } from './convert';
import type { PlanLookup } from './navigation';
import { shortestCycleThrough, stepsById } from './planText';
import { planSettings } from './settings';

/** Hovers list at most this many dependents and findings of one step. */
const MAX_LISTED = 20;

/** Shows a step's tool, stage or cycle, timeout, dependencies, dependents and findings. */
export class PlanHoverProvider implements vscode.HoverProvider {
  constructor(private readonly lookup: PlanLookup) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = this.lookup.idAt(document, position);
    if (!found) return undefined;
    const { entry, target } = found;
    const markdown = describeStep(entry, target.id, document.uri);
    return new vscode.Hover(markdown, toRange(entry.lines, target.range));
  }
}

/** Builds the hover text of one id, which may name no step. */
export function describeStep(entry: AnalysedPlan, id: string, scope: vscode.Uri): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  const { analysis } = entry;
  const step = stepsById(analysis.plan).get(id)?.[0];
  if (!step) {
    markdown.appendMarkdown(vscode.l10n.t('No step has the id {0}.', code(id)));
    const unknown = analysis.findings.find((finding) => finding.kind === 'unknown-dependency' && finding.missing === id && finding.suggestion);
    if (unknown?.suggestion) markdown.appendMarkdown(' ' + vscode.l10n.t('Did you mean {0}?', code(unknown.suggestion)));
    return markdown;
  }

  markdown.appendMarkdown(`**${code(id)}**`);
  if (step.tool !== '') markdown.appendMarkdown(' · ' + vscode.l10n.t('tool {0}', code(step.tool)));
  markdown.appendMarkdown('\n\n');

  const info = analysis.steps.get(id);
  const lines: string[] = [];
  if (info?.onCycle) {
    const cycle = shortestCycleThrough(analysis, id);
    lines.push(vscode.l10n.t('On a cycle: {0}', (cycle ?? [id]).map(code).join(' → ')));
  } else if (info?.blockedBy && info.blockedBy.length > 0) {
    lines.push(vscode.l10n.t('Blocked by {0}', listOf(info.blockedBy)));
  } else if (info?.stage !== undefined) {
    const sameStage = analysis.stages?.[info.stage]?.length ?? 1;
    const stage = stageLabel(entry, info.stage);
    if (sameStage === 1) lines.push(vscode.l10n.t('Runs in {0}', stage));
    else if (sameStage === 2) lines.push(vscode.l10n.t('Runs in {0}, in parallel with 1 other step', stage));
    else lines.push(vscode.l10n.t('Runs in {0}, in parallel with {1} other steps', stage, sameStage - 1));
  }

  const timeout = step.timeoutMs ?? analysis.plan.defaults.timeoutMs;
  lines.push(
    timeout !== undefined
      ? vscode.l10n.t('Timeout: {0} ms', timeout)
      : vscode.l10n.t('Timeout: {0} ms (the agentDeadlock.defaultTimeoutMs setting)', planSettings.defaultTimeoutMs(scope)),
  );
  if (step.durationMs !== undefined) lines.push(vscode.l10n.t('Expected duration: {0} ms', step.durationMs));
  if (step.locks.length > 0) lines.push(vscode.l10n.t('Takes locks in order: {0}', step.locks.map((lock) => code(lock.name)).join(' → ')));
  lines.push(
    step.dependsOn.length > 0
      ? vscode.l10n.t('Depends on {0}', listOf(step.dependsOn.map((dependency) => dependency.id)))
      : vscode.l10n.t('Depends on nothing'),
  );
  const dependents = info?.dependents ?? [];
  lines.push(dependents.length > 0 ? vscode.l10n.t('Needed by {0}', listOf(dependents)) : vscode.l10n.t('No step depends on it'));
  markdown.appendMarkdown(lines.map((line) => `- ${line}`).join('\n'));

  const findings = analysis.findings.filter((finding) => finding.steps.includes(id));
  if (findings.length > 0) {
    markdown.appendMarkdown('\n\n' + vscode.l10n.t('Problems:') + '\n');
    markdown.appendMarkdown(findings.slice(0, MAX_LISTED).map((finding) => `- ${findingLine(finding)}`).join('\n'));
    if (findings.length > MAX_LISTED) markdown.appendMarkdown('\n- ' + vscode.l10n.t('and {0} more', findings.length - MAX_LISTED));
  }
  return markdown;
}

/** Formats a finding as a list line. The core writes ids as Markdown code spans, so the message stays Markdown. */
function findingLine(finding: Finding): string {
  return `${finding.message.replace(/\r?\n/g, ' ')} (${code(finding.kind)})`;
}

function listOf(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED).map(code).join(', ');
  return ids.length > MAX_LISTED ? `${shown} ${vscode.l10n.t('and {0} more', ids.length - MAX_LISTED)}` : shown;
}

/** Writes text as a Markdown code span whose fence is longer than any backtick run inside it. */
export function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') || text === '' ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\r?\n/g, ' ')}${fence}`;
}
