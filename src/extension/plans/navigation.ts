import * as vscode from 'vscode';
import type { AnalysedPlan, PlanAnalysisCache } from './analysisCache';
import { toRange } from './convert';
import type { PlanFiles } from './planFiles';
import { dependenciesOn, formatIdFor, idAt, innerRange, renameProblem, stepsById, type IdAtOffset } from './planText';

/** Looks up the analysed plan and the id under a position, shared by the navigation providers. */
export class PlanLookup {
  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
  ) {}

  entry(document: vscode.TextDocument): AnalysedPlan | undefined {
    return this.files.isPlan(document) ? this.cache.forDocument(document) : undefined;
  }

  idAt(document: vscode.TextDocument, position: vscode.Position): { entry: AnalysedPlan; target: IdAtOffset } | undefined {
    const entry = this.entry(document);
    if (!entry) return undefined;
    const target = idAt(entry.analysis.plan, entry.lines.offsetAt(position));
    return target ? { entry, target } : undefined;
  }
}

/** Goes from a `depends_on` entry to the id of the step it names. */
export class PlanDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly lookup: PlanLookup) {}

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.DefinitionLink[] | undefined {
    const found = this.lookup.idAt(document, position);
    if (!found) return undefined;
    const { entry, target } = found;
    const definition = stepsById(entry.analysis.plan).get(target.id)?.[0];
    if (!definition) return undefined;
    return [
      {
        originSelectionRange: toRange(entry.lines, target.range),
        targetUri: document.uri,
        targetRange: toRange(entry.lines, definition.range),
        targetSelectionRange: toRange(entry.lines, definition.idRange),
      },
    ];
  }
}

/** Lists the definition of a step id and every `depends_on` entry that names it. */
export class PlanReferenceProvider implements vscode.ReferenceProvider {
  constructor(private readonly lookup: PlanLookup) {}

  provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): vscode.Location[] | undefined {
    const found = this.lookup.idAt(document, position);
    if (!found) return undefined;
    const { entry, target } = found;
    const plan = entry.analysis.plan;
    const locations: vscode.Location[] = [];
    if (context.includeDeclaration) {
      for (const step of stepsById(plan).get(target.id) ?? []) locations.push(new vscode.Location(document.uri, toRange(entry.lines, step.idRange)));
    }
    for (const { dependency } of dependenciesOn(plan, target.id)) {
      locations.push(new vscode.Location(document.uri, toRange(entry.lines, dependency.range)));
    }
    return locations;
  }
}

/**
 * Renames a step id and every `depends_on` entry that names it. On the second definition of a
 * duplicated id, only that definition is renamed, which resolves the duplicate.
 */
export class PlanRenameProvider implements vscode.RenameProvider {
  constructor(private readonly lookup: PlanLookup) {}

  prepareRename(document: vscode.TextDocument, position: vscode.Position): { range: vscode.Range; placeholder: string } {
    const found = this.lookup.idAt(document, position);
    if (!found) throw new Error(vscode.l10n.t('Only a step id or a depends_on entry can be renamed here.'));
    const { entry, target } = found;
    return { range: toRange(entry.lines, innerRange(entry.text, target.range)), placeholder: target.id };
  }

  provideRenameEdits(document: vscode.TextDocument, position: vscode.Position, newName: string): vscode.WorkspaceEdit {
    const found = this.lookup.idAt(document, position);
    if (!found) throw new Error(vscode.l10n.t('Only a step id or a depends_on entry can be renamed here.'));
    const { entry, target } = found;
    const plan = entry.analysis.plan;

    const problem = renameProblem(plan, target.id, newName);
    if (problem === 'empty') throw new Error(vscode.l10n.t('A step id cannot be empty. Type at least one character.'));
    if (problem === 'taken') throw new Error(vscode.l10n.t('Another step already has the id "{0}". Choose an id no step uses.', newName));

    const edit = new vscode.WorkspaceEdit();
    const replace = (range: { start: number; end: number }) =>
      edit.replace(document.uri, toRange(entry.lines, range), formatIdFor(entry.text, range, newName, entry.format));

    const definitions = stepsById(plan).get(target.id) ?? [];
    if (target.kind === 'step' && definitions.length > 1 && definitions[0] !== target.step) {
      replace(target.step.idRange);
      return edit;
    }
    if (definitions[0]) replace(definitions[0].idRange);
    for (const { dependency } of dependenciesOn(plan, target.id)) replace(dependency.range);
    return edit;
  }
}
