import * as vscode from 'vscode';
import type { PlanAnalysisCache } from './analysisCache';
import { toRange } from './convert';
import type { PlanFiles } from './planFiles';

/**
 * Lists the steps for the outline and breadcrumbs: each step by its id with its tool as
 * detail, and its `depends_on` entries as children.
 */
export class PlanDocumentSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
  ) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    if (!this.files.isPlan(document)) return [];
    const entry = this.cache.forDocument(document);
    if (!entry) return [];

    const symbols: vscode.DocumentSymbol[] = [];
    for (const step of entry.analysis.plan.steps) {
      const range = toRange(entry.lines, step.range);
      const selection = toRange(entry.lines, step.idRange);
      const name = step.id !== '' ? step.id : vscode.l10n.t('(step {0} without an id)', step.index + 1);
      const symbol = new vscode.DocumentSymbol(name, step.tool, vscode.SymbolKind.Function, range, range.contains(selection) ? selection : range);
      for (const dependency of step.dependsOn) {
        const dependencyRange = toRange(entry.lines, dependency.range);
        if (!range.contains(dependencyRange)) continue;
        const child = new vscode.DocumentSymbol(
          dependency.id !== '' ? dependency.id : '""',
          vscode.l10n.t('depends on'),
          vscode.SymbolKind.Key,
          dependencyRange,
          dependencyRange,
        );
        symbol.children.push(child);
      }
      symbols.push(symbol);
    }
    return symbols;
  }
}
