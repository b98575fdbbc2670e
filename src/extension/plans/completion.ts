import * as vscode from 'vscode';
import type { PlanAnalysisCache } from './analysisCache';
import { toRange } from './convert';
import type { PlanFiles } from './planFiles';
import { dependencyCompletionContext, stepsById } from './planText';

/** Characters that open a completion of step ids inside `depends_on`. */
export const COMPLETION_TRIGGERS = ['"', "'", '[', ',', '-'];

/** Completes step ids inside `depends_on`, leaving out the step itself and ids already listed. */
export class PlanCompletionProvider implements vscode.CompletionItemProvider {
  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
  ) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    if (!this.files.isPlan(document)) return undefined;
    const entry = this.cache.forDocument(document);
    if (!entry) return undefined;

    const offset = entry.lines.offsetAt(position);
    const context = dependencyCompletionContext(entry.text, offset, entry.analysis.plan, entry.format);
    if (!context) return undefined;

    const listed = new Set(context.step?.dependsOn.map((dependency) => dependency.id) ?? []);
    const partial = entry.text.slice(context.replace.start, offset);
    const range = toRange(entry.lines, context.replace);
    const items: vscode.CompletionItem[] = [];
    for (const [id, steps] of stepsById(entry.analysis.plan)) {
      if (id === context.step?.id || (listed.has(id) && id !== partial)) continue;
      const item = new vscode.CompletionItem({ label: id, description: steps[0].tool }, vscode.CompletionItemKind.Reference);
      item.insertText = insertTextFor(id, context.quote, entry.format);
      item.filterText = context.quote === '' && entry.format === 'json' ? JSON.stringify(id) : id;
      item.range = range;
      item.detail = vscode.l10n.t('step {0} · tool {1}', steps[0].index + 1, steps[0].tool);
      items.push(item);
    }
    return items;
  }
}

function insertTextFor(id: string, quote: '"' | "'" | '', format: 'json' | 'yaml'): string {
  if (quote === '"') return `${JSON.stringify(id).slice(1, -1)}"`;
  if (quote === "'") return `${id.replace(/'/g, "''")}'`;
  if (format === 'json') return JSON.stringify(id);
  return /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(id) ? id : JSON.stringify(id);
}
