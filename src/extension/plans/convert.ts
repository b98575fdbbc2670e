import * as vscode from 'vscode';
import type { Finding, OffsetRange, PlanRuleId, RelatedLocation } from '../../core/findings';
import type { LineIndex } from '../../core/text/lineIndex';
import type { AnalysedPlan } from './analysisCache';
import { sameRange } from './planText';

/** The `source` of every diagnostic of this extension. */
export const DIAGNOSTIC_SOURCE = 'agent-deadlock';

/**
 * Caps the related locations of one diagnostic. A cycle through a component of thousands of
 * steps would otherwise attach thousands of locations to each of thousands of diagnostics.
 */
export const MAX_RELATED_LOCATIONS = 50;

export function toRange(lines: LineIndex, range: OffsetRange): vscode.Range {
  const start = lines.positionAt(range.start);
  const end = lines.positionAt(range.end);
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export function toOffsetRange(lines: LineIndex, range: vscode.Range): OffsetRange {
  return { start: lines.offsetAt(range.start), end: lines.offsetAt(range.end) };
}

/** What the conversion needs from the settings and the extension's location. */
export interface DiagnosticOptions {
  /** The severity of a rule, or `undefined` when the user turned it off. */
  severityOf(rule: PlanRuleId): vscode.DiagnosticSeverity | undefined;
  /** The page that documents a rule. */
  ruleDocs(rule: PlanRuleId): vscode.Uri;
}

/**
 * Converts the findings of one analysed plan to diagnostics: one per marked range of each
 * finding, so that a cycle marks every `depends_on` entry on it. The other places of the same
 * finding become related information, starting with the one after this range, so that
 * following the links walks the cycle.
 */
export function toDiagnostics(entry: AnalysedPlan, options: DiagnosticOptions): vscode.Diagnostic[] {
  const diagnostics: vscode.Diagnostic[] = [];
  for (const finding of entry.analysis.findings) {
    const rule = finding.kind as PlanRuleId;
    const severity = options.severityOf(rule);
    if (severity === undefined) continue;
    const code = { value: rule, target: options.ruleDocs(rule) };
    const places = finding.ranges && finding.ranges.length > 0 ? finding.ranges : [finding.range];
    const related = relatedPlaces(finding, places);

    for (const place of places) {
      const diagnostic = new vscode.Diagnostic(toRange(entry.lines, place), finding.message, severity);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = code;
      diagnostic.relatedInformation = relatedFor(entry, place, related);
      diagnostics.push(diagnostic);
    }
  }
  return diagnostics;
}

/** The finding's related locations, plus each marked place that none of them names. */
function relatedPlaces(finding: Finding, places: OffsetRange[]): RelatedLocation[] {
  const related = [...finding.related];
  if (places.length > 1) {
    for (const place of places) {
      if (!related.some((location) => location.path === undefined && sameRange(location.range, place))) {
        related.push({ message: relatedMessage(finding), range: place });
      }
    }
  }
  return related;
}

function relatedMessage(finding: Finding): string {
  switch (finding.kind) {
    case 'cycle':
      return vscode.l10n.t('Another dependency of this cycle');
    case 'lock-order-inversion':
      return vscode.l10n.t('Another lock acquisition of this inversion');
    default:
      return vscode.l10n.t('Another place of this problem');
  }
}

function relatedFor(entry: AnalysedPlan, place: OffsetRange, related: RelatedLocation[]): vscode.DiagnosticRelatedInformation[] {
  const sameFile = related.filter((location) => location.path === undefined);
  // Start after the place itself, so the list reads on from this entry round the cycle.
  let startIndex = sameFile.findIndex((location) => sameRange(location.range, place));
  startIndex = startIndex < 0 ? 0 : startIndex + 1;

  const result: vscode.DiagnosticRelatedInformation[] = [];
  for (let i = 0; i < sameFile.length && result.length < MAX_RELATED_LOCATIONS; i++) {
    const location = sameFile[(startIndex + i) % sameFile.length];
    if (sameRange(location.range, place)) continue;
    result.push(
      new vscode.DiagnosticRelatedInformation(new vscode.Location(entry.uri, toRange(entry.lines, location.range)), location.message),
    );
  }
  for (const location of related) {
    if (location.path === undefined || result.length >= MAX_RELATED_LOCATIONS) continue;
    // NOTE: offsets into another file cannot be converted without reading it, so the link
    // points at the start of that file.
    const target = vscode.Uri.joinPath(entry.uri, '..', location.path);
    result.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(target, new vscode.Position(0, 0)), location.message));
  }
  return result;
}
