import * as vscode from 'vscode';
import type { Finding, Fix, OffsetRange, TextEdit } from '../../core/findings';
import type { AnalysedPlan, PlanAnalysisCache } from './analysisCache';
import { DIAGNOSTIC_SOURCE, toOffsetRange, toRange } from './convert';
import type { PlanFiles } from './planFiles';
import { sameRange } from './planText';

/** The kind of the source action that applies the preferred fix of every cycle. */
export const FIX_ALL_CYCLES_KIND = vscode.CodeActionKind.SourceFixAll.append('agentDeadlock');

/**
 * Offers the fixes that the core computed for each finding as quick fixes, and one source
 * action that breaks every cycle with its preferred fix. Every edit replaces only the ranges
 * that the core names, so the rest of the file, its comments and layout stay as they were.
 */
export class PlanCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_CYCLES_KIND],
  };

  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
  ) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!this.files.isPlan(document)) return [];
    const entry = this.cache.forDocument(document);
    if (!entry) return [];

    const actions: vscode.CodeAction[] = [];
    if (!context.only || context.only.contains(vscode.CodeActionKind.QuickFix) || vscode.CodeActionKind.QuickFix.contains(context.only)) {
      actions.push(...this.quickFixes(document, entry, range, context));
    }
    if (context.only && FIX_ALL_CYCLES_KIND.intersects(context.only)) {
      const fixAll = fixAllCycles(document, entry);
      if (fixAll) actions.push(fixAll);
    }
    return actions;
  }

  private quickFixes(
    document: vscode.TextDocument,
    entry: AnalysedPlan,
    range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
    const offered = new Set<Finding>();
    // Cycles that share an entry often suggest the same fix; offer it once for all their diagnostics.
    const byFix = new Map<string, vscode.CodeAction>();

    for (const diagnostic of ours) {
      const finding = findingOf(entry, diagnostic);
      if (!finding || offered.has(finding)) continue;
      offered.add(finding);
      for (const fix of finding.fixes) {
        const key = JSON.stringify([fix.title, fix.edits]);
        const existing = byFix.get(key);
        if (existing) {
          existing.diagnostics?.push(diagnostic);
          continue;
        }
        const action = toCodeAction(document, entry, fix, [diagnostic]);
        byFix.set(key, action);
        actions.push(action);
      }
    }

    // With no diagnostic under the cursor (for example a rule turned off), still offer the
    // fixes of findings whose places touch the selection.
    if (actions.length === 0) {
      const selection = toOffsetRange(entry.lines, range);
      for (const finding of entry.analysis.findings) {
        if (offered.has(finding) || !placesOf(finding).some((place) => place.start <= selection.end && selection.start <= place.end)) continue;
        offered.add(finding);
        for (const fix of finding.fixes) actions.push(toCodeAction(document, entry, fix, []));
      }
    }
    return actions;
  }
}

/** Returns every range where a finding is marked. */
export function placesOf(finding: Finding): OffsetRange[] {
  return finding.ranges && finding.ranges.length > 0 ? finding.ranges : [finding.range];
}

/** Finds the finding that a diagnostic of this extension was made from. */
export function findingOf(entry: AnalysedPlan, diagnostic: vscode.Diagnostic): Finding | undefined {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  const place = toOffsetRange(entry.lines, diagnostic.range);
  const matches = (finding: Finding) => finding.kind === code && placesOf(finding).some((candidate) => sameRange(candidate, place));
  // Two cycles through one entry give two diagnostics at the same range, with different messages.
  return entry.analysis.findings.find((finding) => matches(finding) && finding.message === diagnostic.message) ?? entry.analysis.findings.find(matches);
}

function toCodeAction(document: vscode.TextDocument, entry: AnalysedPlan, fix: Fix, diagnostics: vscode.Diagnostic[]): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = diagnostics;
  action.isPreferred = fix.preferred === true;
  action.edit = toWorkspaceEdit(document, entry, fix.edits);
  return action;
}

export function toWorkspaceEdit(document: vscode.TextDocument, entry: AnalysedPlan, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const workspaceEdit = new vscode.WorkspaceEdit();
  for (const edit of edits) workspaceEdit.replace(document.uri, toRange(entry.lines, edit.range), edit.newText);
  return workspaceEdit;
}

/**
 * Builds one edit from the preferred fix of every cycle finding. Edits that overlap an edit
 * already taken are left out, so a second run may be needed when fixes touch the same entry.
 */
function fixAllCycles(document: vscode.TextDocument, entry: AnalysedPlan): vscode.CodeAction | undefined {
  const taken: TextEdit[] = [];
  for (const finding of entry.analysis.findings) {
    if (finding.kind !== 'cycle' && finding.kind !== 'self-dependency') continue;
    const fix = finding.fixes.find((candidate) => candidate.preferred) ?? finding.fixes[0];
    if (!fix) continue;
    const overlaps = fix.edits.some((edit) => taken.some((other) => edit.range.start < other.range.end && other.range.start < edit.range.end));
    if (!overlaps) taken.push(...fix.edits);
  }
  if (taken.length === 0) return undefined;
  const action = new vscode.CodeAction(vscode.l10n.t('Break every cycle by removing the suggested dependencies'), FIX_ALL_CYCLES_KIND);
  action.edit = toWorkspaceEdit(document, entry, taken);
  return action;
}
