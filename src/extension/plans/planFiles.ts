import * as vscode from 'vscode';
import type { PlanFormat } from '../../core/plan/model';
import { planFormatForPath, planFormatFromContent } from '../../core/plan/parse';
import { planSettings, SETTINGS_SECTION } from './settings';

/** Files with these names are always plans. */
export const PLAN_FILE_GLOB = '**/*.plan.{json,yaml,yml}';

/** Folders never searched for plans in the workspace. */
export const WORKSPACE_EXCLUDE_GLOB = '**/{node_modules,.git}/**';

/** Documents of these schemes are views of other content, such as a Git diff, and are not checked. */
const IGNORED_SCHEMES: ReadonlySet<string> = new Set(['git', 'output', 'vscode-scm', 'debug', 'review', 'gitlens']);

const CONTENT_LANGUAGES: ReadonlySet<string> = new Set(['json', 'jsonc', 'yaml']);

/** Chooses the parser for a document: its language when that is JSON or YAML, else its extension. */
export function planFormatOf(document: vscode.TextDocument): PlanFormat {
  if (document.languageId === 'yaml') return 'yaml';
  if (document.languageId === 'json' || document.languageId === 'jsonc') return 'json';
  return formatForPath(document.uri.path);
}

/** Chooses the format of a file that is not open: by its suffix, else JSON unless it ends in `.yaml` or `.yml`. */
export function formatForPath(path: string): PlanFormat {
  return planFormatForPath(path) ?? (/\.ya?ml$/i.test(path) ? 'yaml' : 'json');
}

/**
 * Decides which documents are plans and keeps the document selector that the language features
 * are registered with: the plan file names, the globs of `agentDeadlock.planGlobs` in each
 * workspace folder, and each open file recognised by its `$schema`.
 */
export class PlanFiles implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the selector changes, so that providers register again. */
  readonly onDidChangeSelector = this.changeEmitter.event;

  private patternSelector: vscode.DocumentFilter[] = [];
  private readonly recognisedByContent = new Map<string, vscode.DocumentFilter | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];

  constructor() {
    this.patternSelector = this.buildPatternSelector();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.planGlobs`)) this.rebuild();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
    );
  }

  /** The selector for language features: file patterns plus files recognised by content. */
  get selector(): vscode.DocumentFilter[] {
    const filters = [...this.patternSelector];
    for (const filter of this.recognisedByContent.values()) if (filter) filters.push(filter);
    return filters;
  }

  /**
   * Returns true when the document is a plan. A JSON or YAML document that declares the plan
   * schema is remembered, and the selector grows to include it.
   */
  isPlan(document: vscode.TextDocument): boolean {
    if (IGNORED_SCHEMES.has(document.uri.scheme)) return false;
    if (vscode.languages.match(this.patternSelector, document) > 0) return true;
    if (!CONTENT_LANGUAGES.has(document.languageId)) return false;

    const key = document.uri.toString();
    const declares = planFormatFromContent(document.getText(new vscode.Range(0, 0, 200, 0))) !== undefined;
    const known = this.recognisedByContent.has(key);
    if (declares && !known) {
      this.recognisedByContent.set(key, filterForDocument(document));
      this.changeEmitter.fire();
    } else if (!declares && known) {
      this.recognisedByContent.delete(key);
      this.changeEmitter.fire();
    }
    return declares;
  }

  /** Forgets a closed document that was recognised by its content. */
  forget(uri: vscode.Uri): void {
    if (this.recognisedByContent.delete(uri.toString())) this.changeEmitter.fire();
  }

  /** Patterns for `workspace.findFiles` and file watchers: one per folder and glob. */
  workspacePatterns(): vscode.GlobPattern[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const patterns: vscode.GlobPattern[] = [];
    for (const folder of folders) {
      patterns.push(new vscode.RelativePattern(folder, PLAN_FILE_GLOB));
      for (const glob of planSettings.planGlobs(folder.uri)) patterns.push(new vscode.RelativePattern(folder, glob));
    }
    return patterns;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  private rebuild(): void {
    this.patternSelector = this.buildPatternSelector();
    this.changeEmitter.fire();
  }

  private buildPatternSelector(): vscode.DocumentFilter[] {
    const filters: vscode.DocumentFilter[] = [{ pattern: PLAN_FILE_GLOB }];
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const folder of folders) {
      for (const glob of planSettings.planGlobs(folder.uri)) filters.push({ pattern: new vscode.RelativePattern(folder, glob) });
    }
    if (folders.length === 0) {
      for (const glob of planSettings.planGlobs()) filters.push({ pattern: glob });
    }
    return filters;
  }
}

/**
 * Builds a filter that matches exactly one document. Glob characters in the file name cannot be
 * escaped in a pattern, so such a file gets diagnostics but no other language features.
 */
function filterForDocument(document: vscode.TextDocument): vscode.DocumentFilter | undefined {
  const path = document.uri.path;
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (/[*?[\]{}]/.test(name)) return undefined;
  const folder = document.uri.with({ path: path.slice(0, Math.max(slash, 0)) || '/' });
  return { scheme: document.uri.scheme, pattern: new vscode.RelativePattern(folder, name) };
}
