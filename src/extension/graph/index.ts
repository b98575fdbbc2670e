/**
 * Registers the dependency-graph panel: the `agentDeadlock.showGraph` command, the serializer
 * that restores panels after a reload, and the context key for the editor-title button.
 */
import * as vscode from 'vscode';

import { parseViewState, type CallAge, type ViewOptions, type ViewState } from '../../shared/protocol';
import { GRAPH_VIEW_TYPE, GraphPanel, type GraphSource } from './graphPanel';
import { PlanDocumentSource, planFormatOf } from './planSource';

export const SHOW_GRAPH_COMMAND = 'agentDeadlock.showGraph';
const PLAN_CONTEXT_KEY = 'agentDeadlock.activeEditorIsPlan';

export interface GraphApi {
  /** Opens (or reveals) the graph of a plan document beside it; with a step id, focuses that step. */
  showPlan(uri: vscode.Uri, stepId?: string): Promise<GraphPanel | undefined>;
  /** Opens (or reveals) a panel for any graph source, such as a trace's wait-for graph. */
  showSource(source: GraphSource, nodeId?: string): GraphPanel;
}

function viewOptions(): ViewOptions {
  const configuration = vscode.workspace.getConfiguration('agentDeadlock.graph');
  return {
    condenseThreshold: Math.max(1, configuration.get<number>('condenseThreshold', 5000)),
    stockLayoutMaxNodes: Math.max(0, configuration.get<number>('stockLayoutMaxNodes', 300)),
  };
}

function updateDelayMs(): number {
  return Math.max(0, vscode.workspace.getConfiguration('agentDeadlock.graph').get<number>('updateDelayMs', 300));
}

/**
 * Registers the graph panel. `planCallAges` gives the live call ages of a plan's current run,
 * so the graph of a running plan shows each call's age against its timeout.
 */
export function registerGraph(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  planCallAges?: (uri: vscode.Uri) => CallAge[] | undefined,
): GraphApi {
  const panels = new Map<string, GraphPanel>();

  const track = (panel: GraphPanel): GraphPanel => {
    panels.set(panel.source.key, panel);
    panel.onDidDispose(() => {
      if (panels.get(panel.source.key) === panel) panels.delete(panel.source.key);
    });
    return panel;
  };

  const createPanel = (source: GraphSource, state?: ViewState, existing?: vscode.WebviewPanel): GraphPanel => {
    const webviewPanel =
      existing ??
      vscode.window.createWebviewPanel(
        GRAPH_VIEW_TYPE,
        source.title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true },
      );
    return track(new GraphPanel(webviewPanel, source, context.extensionUri, log, viewOptions, state));
  };

  const api: GraphApi = {
    async showPlan(uri, stepId) {
      const open = panels.get(uri.toString());
      if (open) {
        open.reveal(stepId);
        return open;
      }
      let document: vscode.TextDocument;
      try {
        document = await vscode.workspace.openTextDocument(uri);
      } catch (error) {
        log.error(`Opening ${uri.toString()} for its graph failed: ${String(error)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0} to draw its graph: {1}', uri.fsPath, String(error)));
        return undefined;
      }
      const panel = createPanel(new PlanDocumentSource(document, log, updateDelayMs, planCallAges));
      log.info(`Opened the dependency graph of ${uri.toString()}.`);
      panel.reveal(stepId);
      return panel;
    },
    showSource(source, nodeId) {
      const open = panels.get(source.key);
      if (open) {
        source.dispose();
        open.reveal(nodeId);
        return open;
      }
      const panel = createPanel(source);
      panel.reveal(nodeId);
      return panel;
    },
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_GRAPH_COMMAND, async (target?: vscode.Uri | string, stepId?: string) => {
      let uri = vscode.window.activeTextEditor?.document.uri;
      if (typeof target === 'string') uri = vscode.Uri.parse(target);
      else if (target instanceof vscode.Uri) uri = target;
      if (!uri) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Open a plan file first, then run "Show Dependency Graph" again.'));
        return;
      }
      await api.showPlan(uri, typeof stepId === 'string' ? stepId : undefined);
    }),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, stored: unknown) {
        const parsed = parseViewState(stored);
        if (!parsed.ok) {
          log.warn(`Closed a restored graph panel whose saved state is invalid: ${parsed.error}`);
          webviewPanel.dispose();
          return;
        }
        const uri = vscode.Uri.parse(parsed.value.documentUri);
        try {
          const document = await vscode.workspace.openTextDocument(uri);
          if (panels.has(uri.toString())) {
            webviewPanel.dispose();
            return;
          }
          createPanel(new PlanDocumentSource(document, log, updateDelayMs, planCallAges), parsed.value, webviewPanel);
          log.info(`Restored the dependency graph of ${uri.toString()}.`);
        } catch (error) {
          log.warn(`Closed the restored graph of ${uri.toString()}, because the file could not be opened: ${String(error)}`);
          webviewPanel.dispose();
        }
      },
    }),
    { dispose: () => [...panels.values()].forEach((panel) => panel.dispose()) },
  );

  const updateContext = (editor: vscode.TextEditor | undefined): void => {
    const isPlan = editor !== undefined && planFormatOf(editor.document) !== undefined;
    void vscode.commands.executeCommand('setContext', PLAN_CONTEXT_KEY, isPlan);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(updateContext));
  updateContext(vscode.window.activeTextEditor);

  return api;
}
