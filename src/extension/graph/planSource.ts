/**
 * A plan document as a graph source: the model is rebuilt (debounced) as the document changes,
 * the editor cursor selects the step under it, and a click in the graph reveals the step.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CallAge } from '../../shared/protocol';

import { planGraphModel } from '../../core/graph/planGraph';
import type { PlanAnalysis } from '../../core/plan/analysisTypes';
import { checkPlan } from '../../core/plan/check';
import type { PlanFormat } from '../../core/plan/model';
import { planFormatForPath, planFormatFromContent } from '../../core/plan/parse';
import type { GraphModel } from '../../shared/graphModel';
import type { GraphSource } from './graphPanel';

/** Returns the plan format of a document, or undefined when it is not a plan. */
export function planFormatOf(document: vscode.TextDocument): PlanFormat | undefined {
  return planFormatForPath(document.uri.path) ?? planFormatFromContent(document.getText());
}

/** Format to parse a document with when the user asks for its graph explicitly. */
function formatForGraph(document: vscode.TextDocument): PlanFormat {
  const format = planFormatOf(document);
  if (format) return format;
  return document.languageId === 'yaml' || /\.ya?ml$/i.test(document.uri.path) ? 'yaml' : 'json';
}

export class PlanDocumentSource implements GraphSource {
  readonly key: string;
  readonly title: string;
  private analysis: PlanAnalysis;
  private graph: GraphModel;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private selectedId: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly selectEmitter = new vscode.EventEmitter<string>();
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter, this.selectEmitter];
  readonly onDidChange = this.changeEmitter.event;
  readonly onDidSelect = this.selectEmitter.event;

  constructor(
    private document: vscode.TextDocument,
    private readonly log: vscode.LogOutputChannel,
    private readonly updateDelayMs: () => number,
    private readonly callAges?: (uri: vscode.Uri) => CallAge[] | undefined,
  ) {
    this.key = document.uri.toString();
    this.title = path.posix.basename(document.uri.path);
    this.analysis = checkPlan(document.getText(), formatForGraph(document));
    this.graph = planGraphModel(this.analysis, this.title);

    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === this.key && event.contentChanges.length > 0) this.schedule(event.document);
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document.uri.toString() === this.key) this.selectAt(event.textEditor.document.offsetAt(event.selections[0].active));
      }),
    );
  }

  get documentUri(): vscode.Uri {
    return this.document.uri;
  }

  model(): GraphModel {
    return this.graph;
  }

  /** Live ages of the calls of a run of this plan, from Run with Watchdog, when one is running. */
  ages(): CallAge[] | undefined {
    return this.callAges?.(this.document.uri);
  }

  async reveal(nodeId: string): Promise<void> {
    const node = this.graph.nodes.find((candidate) => candidate.id === nodeId);
    // A ghost node has no definition, so its first reference is revealed instead.
    const range = node?.range ?? this.graph.edges.find((edge) => edge.target === nodeId)?.range;
    if (!range) {
      this.log.info(`The graph node ${JSON.stringify(nodeId)} of ${this.title} has no place in the file to reveal.`);
      return;
    }
    const selection = new vscode.Range(this.document.positionAt(range.start), this.document.positionAt(range.end));
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.key);
    const editor = await vscode.window.showTextDocument(this.document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection,
      preserveFocus: false,
    });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    // The reveal moves the cursor; the graph already shows this node, so it is not echoed back.
    this.selectedId = nodeId;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }

  private schedule(document: vscode.TextDocument): void {
    this.document = document;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const started = Date.now();
      try {
        this.analysis = checkPlan(document.getText(), formatForGraph(document));
        this.graph = planGraphModel(this.analysis, this.title);
      } catch (error) {
        this.log.error(`Analysing ${this.key} for the graph failed: ${String(error)}`);
        return;
      }
      this.log.debug(`Rebuilt the graph of ${this.title} in ${Date.now() - started} ms.`);
      this.changeEmitter.fire();
    }, this.updateDelayMs());
  }

  private selectAt(offset: number): void {
    const step = this.analysis.plan.steps.find((candidate) => candidate.range.start <= offset && offset < candidate.range.end);
    if (!step || step.id === this.selectedId) return;
    this.selectedId = step.id;
    this.selectEmitter.fire(step.id);
  }
}
