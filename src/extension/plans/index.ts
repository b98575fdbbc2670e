import * as vscode from 'vscode';
import type { PlanRuleId } from '../../core/findings';
import { PlanAnalysisCache } from './analysisCache';
import { PlanCodeActionProvider } from './codeActions';
import { PlanCodeLensProvider } from './codeLens';
import { registerPlanCommands } from './commands';
import { COMPLETION_TRIGGERS, PlanCompletionProvider } from './completion';
import { PlanDiagnostics } from './diagnostics';
import { PlanHoverProvider } from './hover';
import { PlanDefinitionProvider, PlanLookup, PlanReferenceProvider, PlanRenameProvider } from './navigation';
import { PlanFiles } from './planFiles';
import { PlanDocumentSymbolProvider } from './symbols';

/** The editor features for plan files, returned for tests and other features. */
export interface PlanFeatures {
  cache: PlanAnalysisCache;
  files: PlanFiles;
  diagnostics: PlanDiagnostics;
}

/**
 * Registers the editor features of plan files: diagnostics, quick fixes, navigation, code
 * lenses, completion and the plan commands. Providers are registered again whenever the set
 * of plan files changes (the `agentDeadlock.planGlobs` setting or a file recognised by `$schema`).
 */
export function registerPlans(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PlanFeatures {
  const cache = new PlanAnalysisCache(log);
  const files = new PlanFiles();
  const rulesPage = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md');
  const ruleDocs = (rule: PlanRuleId) => rulesPage.with({ fragment: rule });
  const diagnostics = new PlanDiagnostics(cache, files, log, ruleDocs);
  const codeLenses = new PlanCodeLensProvider(cache, files);
  context.subscriptions.push(files, diagnostics, codeLenses);

  const lookup = new PlanLookup(cache, files);
  const providers = {
    codeActions: new PlanCodeActionProvider(cache, files),
    definition: new PlanDefinitionProvider(lookup),
    references: new PlanReferenceProvider(lookup),
    rename: new PlanRenameProvider(lookup),
    hover: new PlanHoverProvider(lookup),
    symbols: new PlanDocumentSymbolProvider(cache, files),
    completion: new PlanCompletionProvider(cache, files),
  };

  let registrations: vscode.Disposable[] = [];
  let registeredSelector = '';
  const register = () => {
    const selector = files.selector;
    const key = JSON.stringify(selector.map((filter) => [filter.scheme, describePattern(filter.pattern)]));
    if (key === registeredSelector) return;
    registeredSelector = key;
    registrations.forEach((registration) => registration.dispose());
    registrations = [
      vscode.languages.registerCodeActionsProvider(selector, providers.codeActions, PlanCodeActionProvider.metadata),
      vscode.languages.registerDefinitionProvider(selector, providers.definition),
      vscode.languages.registerReferenceProvider(selector, providers.references),
      vscode.languages.registerRenameProvider(selector, providers.rename),
      vscode.languages.registerHoverProvider(selector, providers.hover),
      vscode.languages.registerDocumentSymbolProvider(selector, providers.symbols, { label: vscode.l10n.t('Plan steps') }),
      vscode.languages.registerCompletionItemProvider(selector, providers.completion, ...COMPLETION_TRIGGERS),
      vscode.languages.registerCodeLensProvider(selector, codeLenses),
    ];
  };
  register();
  context.subscriptions.push(files.onDidChangeSelector(register), { dispose: () => registrations.forEach((registration) => registration.dispose()) });

  // Lenses link to commands of other features once they are registered, which may happen later.
  context.subscriptions.push(vscode.extensions.onDidChange(() => codeLenses.refresh()));

  registerPlanCommands(context.subscriptions, log, cache, files, diagnostics);
  diagnostics.start();
  return { cache, files, diagnostics };
}

function describePattern(pattern: vscode.GlobPattern | undefined): string {
  if (pattern === undefined) return '';
  if (typeof pattern === 'string') return pattern;
  return `${pattern.baseUri.toString()}|${pattern.pattern}`;
}
