import * as vscode from 'vscode';
import type { Finding, OffsetRange, PlanRuleId, RelatedLocation } from '../../core/findings';
import type { LineIndex } from '../../core/text/lineIndex';
import type { AnalysedPlan } from './analysisCache';

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

/** Settings and locations that the conversion reads. */
export interface DiagnosticOptions {
  /** The severity of a rule, or `undefined` when the user turned it off. */
  severityOf(rule: PlanRuleId): vscode.DiagnosticSeverity | undefined;
  /** The page that documents a rule. */
  ruleDocs(rule: PlanRuleId): vscode.Uri;
}

/**
 * Converts the findings of one analysed plan to diagnostics: one per marked range of each
 * finding, so that a cycle marks every `depends_on` entry on it. The related locations of a
 * cycle or lock inversion include its other marked places, listed from the one after this
 * range, so that following the links walks the cycle.
 */
export function toDiagnostics(entry: AnalysedPlan, options: DiagnosticOptions): vscode.Diagnostic[] {
  const diagnostics: vscode.Diagnostic[] = [];
  for (const finding of entry.analysis.findings) {
    const rule = finding.kind as PlanRuleId;
    const severity = options.severityOf(rule);
    if (severity === undefined) continue;
    const code = { value: rule, target: options.ruleDocs(rule) };
    const places = finding.ranges && finding.ranges.length > 0 ? finding.ranges : [finding.range];
    const related = relatedLocations(entry, finding, places);

    for (const place of places) {
      const diagnostic = new vscode.Diagnostic(toRange(entry.lines, place), finding.message, severity);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = code;
      diagnostic.relatedInformation = related.for(place);
      diagnostics.push(diagnostic);
    }
  }
  return diagnostics;
}

/** Rules whose marked places are parts of one problem, so each place links to the others. */
const LINKED_PLACES: ReadonlySet<string> = new Set(['cycle', 'lock-order-inversion']);

/**
 * Converts a finding's related locations once, and picks for each marked place the ones to
 * attach: every location but the place itself, from the one after it, at most
 * `MAX_RELATED_LOCATIONS`. A blocked finding may mark thousands of steps, so its places are
 * not linked to each other. They all link to the cause, from the finding's own locations.
 */
function relatedLocations(entry: AnalysedPlan, finding: Finding, places: OffsetRange[]) {
  const key = (range: OffsetRange) => `${range.start}:${range.end}`;
  const locations: RelatedLocation[] = finding.related.filter((location) => location.path === undefined);
  if (places.length > 1 && LINKED_PLACES.has(finding.kind)) {
    const named = new Set(locations.map((location) => key(location.range)));
    for (const place of places) {
      if (!named.has(key(place))) locations.push({ message: relatedMessage(finding), range: place });
    }
  }
  const indexOf = new Map<string, number>();
  locations.forEach((location, index) => indexOf.set(key(location.range), index));
  const converted = locations.map(
    (location) => new vscode.DiagnosticRelatedInformation(new vscode.Location(entry.uri, toRange(entry.lines, location.range)), location.message),
  );
  const otherFiles = finding.related
    .filter((location) => location.path !== undefined)
    .map((location) => {
      // NOTE: offsets into another file cannot be converted without reading it, so the link
      // points at the start of that file.
      const target = vscode.Uri.joinPath(entry.uri, '..', location.path!);
      return new vscode.DiagnosticRelatedInformation(new vscode.Location(target, new vscode.Position(0, 0)), location.message);
    });

  return {
    for(place: OffsetRange): vscode.DiagnosticRelatedInformation[] {
      const own = indexOf.get(key(place));
      const start = own === undefined ? 0 : own + 1;
      const result: vscode.DiagnosticRelatedInformation[] = [];
      for (let i = 0; i < converted.length && result.length < MAX_RELATED_LOCATIONS; i++) {
        const index = (start + i) % converted.length;
        if (index !== own) result.push(converted[index]);
      }
      for (const information of otherFiles) if (result.length < MAX_RELATED_LOCATIONS) result.push(information);
      return result;
    },
  };
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
