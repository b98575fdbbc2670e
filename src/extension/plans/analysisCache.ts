import * as vscode from 'vscode';
import { checkPlan } from '../../core/plan/check';
import type { PlanAnalysis } from '../../core/plan/analysisTypes';
import type { PlanFormat } from '../../core/plan/model';
import { LineIndex } from '../../core/text/lineIndex';
import { planFormatOf } from './planFiles';

/** One analysed version of a plan, shared by every provider that requests that version. */
export interface AnalysedPlan {
  uri: vscode.Uri;
  /** The document version, or -1 for a file read from disk. */
  version: number;
  format: PlanFormat;
  text: string;
  lines: LineIndex;
  analysis: PlanAnalysis;
}

/**
 * Parses and analyses each plan once per document version, so that diagnostics, code lenses,
 * hovers and the other providers of one version share a single result. Files that are not open
 * are cached by URI until they change on disk.
 */
export class PlanAnalysisCache {
  private readonly entries = new Map<string, AnalysedPlan>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Returns the analysis of the document's current version, computing it when needed. */
  forDocument(document: vscode.TextDocument): AnalysedPlan | undefined {
    const key = document.uri.toString();
    const cached = this.entries.get(key);
    if (cached && cached.version === document.version && cached.version !== -1) return cached;
    const entry = this.analyse(document.uri, document.version, planFormatOf(document), document.getText());
    if (entry) this.entries.set(key, entry);
    return entry;
  }

  /** Analyses the text of a file that is not open and caches it under its URI. */
  forText(uri: vscode.Uri, format: PlanFormat, text: string): AnalysedPlan | undefined {
    const entry = this.analyse(uri, -1, format, text);
    if (entry) this.entries.set(uri.toString(), entry);
    else this.entries.delete(uri.toString());
    return entry;
  }

  /** Returns whatever is cached for a URI, of any version. */
  peek(uri: vscode.Uri): AnalysedPlan | undefined {
    return this.entries.get(uri.toString());
  }

  delete(uri: vscode.Uri): void {
    this.entries.delete(uri.toString());
  }

  entriesList(): AnalysedPlan[] {
    return [...this.entries.values()];
  }

  private analyse(uri: vscode.Uri, version: number, format: PlanFormat, text: string): AnalysedPlan | undefined {
    try {
      const analysis = checkPlan(text, format);
      return { uri, version, format, text, lines: new LineIndex(text), analysis };
    } catch (error) {
      // checkPlan is documented not to throw on user input, so an exception here is a checker bug.
      this.log.error(`Checking the plan ${uri.toString(true)} failed: ${errorText(error)}`);
      return undefined;
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
