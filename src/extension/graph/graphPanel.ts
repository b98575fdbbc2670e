/**
 * One webview panel that draws one graph source. It owns the handshake, validates every
 * message from the webview, pushes model updates and live call ages, and carries out reveal,
 * export and copy requests.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

import { toDot, toMermaid } from '../../core/report/export';
import type { GraphModel } from '../../shared/graphModel';
import {
  parseWebviewMessage,
  type CallAge,
  type HostMessage,
  type ViewOptions,
  type ViewState,
  type WebviewMessage,
} from '../../shared/protocol';
import { graphHtml } from './html';
import { graphStrings } from './strings';

export const GRAPH_VIEW_TYPE = 'agentDeadlock.graph';

/** Something a graph panel can draw: a plan document now, a trace or a run later. */
export interface GraphSource extends vscode.Disposable {
  /** Stable key; one panel exists per key. For documents, the document URI. */
  readonly key: string;
  readonly title: string;
  /** URI stored in the panel state so the serializer can rebuild the source after a reload. */
  readonly documentUri: vscode.Uri;
  /** Fires when the model changed, already debounced by the source. */
  readonly onDidChange: vscode.Event<void>;
  /** Fires with a node id when the editor cursor moves onto a node. */
  readonly onDidSelect?: vscode.Event<string>;
  model(): GraphModel;
  /** Live ages of calls, or undefined when nothing runs; polled every second while the panel is visible. */
  ages?(): CallAge[] | undefined;
  /** Shows the node's definition, for a click in the graph. */
  reveal(nodeId: string): Promise<void>;
}

/** How often live call ages are posted while any call runs. */
const AGE_INTERVAL_MS = 1000;

export class GraphPanel implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private state: ViewState;
  private pendingFocus: string | undefined;
  private ageTimer: ReturnType<typeof setInterval> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly source: GraphSource,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly options: () => ViewOptions,
    state: ViewState | undefined,
  ) {
    this.state = state ?? { documentUri: source.documentUri.toString() };
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'graph.svg');
    panel.title = vscode.l10n.t('Graph: {0}', source.title);
    panel.webview.html = this.html();

    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => this.updateAgeTimer()),
      source.onDidChange(() => this.post({ type: 'update', model: this.source.model() })),
    );
    if (source.onDidSelect) {
      this.disposables.push(source.onDidSelect((nodeId) => this.post({ type: 'select', nodeId })));
    }
  }

  /** Brings the panel forward and, with a node id, selects that node and centres on it. */
  reveal(nodeId?: string): void {
    this.panel.reveal(undefined, true);
    if (nodeId === undefined) return;
    if (this.ready) this.post({ type: 'focus', nodeId });
    else this.pendingFocus = nodeId;
  }

  /** Requests an image of the graph from the webview, which replies with `exportImage`. */
  requestExport(format: 'png' | 'svg'): void {
    this.post({ type: 'requestExport', format });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ageTimer) clearInterval(this.ageTimer);
    this.ageTimer = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.source.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString();
    return graphHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(18).toString('base64'),
      scriptUri: asset('dist', 'webview', 'webview.js'),
      workerUri: asset('dist', 'webview', 'layoutWorker.js'),
      styleUri: asset('media', 'graph.css'),
      language: vscode.env.language,
      title: this.panel.title,
    });
  }

  private post(message: HostMessage): void {
    if (!this.ready) return;
    void this.panel.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.log.warn(`Posting ${message.type} to the graph of ${this.source.title} failed: ${String(error)}`);
    });
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`Ignored an invalid message from the graph of ${this.source.title}: ${parsed.error}`);
      return;
    }
    void this.handle(parsed.value).catch((error: unknown) => {
      this.log.error(`Handling ${parsed.value.type} from the graph of ${this.source.title} failed: ${String(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The graph action failed: {0}', String(error)));
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        let model: GraphModel;
        try {
          model = this.source.model();
        } catch (error) {
          this.log.error(`Building the graph of ${this.source.title} failed: ${String(error)}`);
          throw error;
        }
        this.post({ type: 'init', model, strings: graphStrings(), options: this.options(), state: this.state });
        if (this.pendingFocus !== undefined) {
          this.post({ type: 'focus', nodeId: this.pendingFocus });
          this.pendingFocus = undefined;
        }
        this.updateAgeTimer();
        return;
      }
      case 'reveal':
        await this.source.reveal(message.nodeId);
        return;
      case 'state':
        // Only the viewport and choices are taken; the document the panel shows never changes.
        this.state = { ...message.state, documentUri: this.source.documentUri.toString() };
        return;
      case 'exportImage':
        await this.saveImage(message.format, message.data);
        return;
      case 'copyText': {
        const model = this.source.model();
        const text = message.format === 'dot' ? toDot(model) : toMermaid(model);
        await vscode.env.clipboard.writeText(text);
        void vscode.window.showInformationMessage(
          message.format === 'dot'
            ? vscode.l10n.t('Copied the graph of {0} as DOT.', this.source.title)
            : vscode.l10n.t('Copied the graph of {0} as Mermaid.', this.source.title),
        );
        return;
      }
      case 'error':
        this.log.error(`Graph webview of ${this.source.title}: ${message.message}`);
        return;
    }
  }

  private async saveImage(format: 'png' | 'svg', data: string): Promise<void> {
    const base = this.source.documentUri.path.replace(/\.[^./]*$/, '').replace(/\.plan$/, '');
    const defaultUri = this.source.documentUri.with({ path: `${base}.graph.${format}` });
    const target = await vscode.window.showSaveDialog({
      defaultUri,
      filters: format === 'png' ? { [vscode.l10n.t('PNG image')]: ['png'] } : { [vscode.l10n.t('SVG image')]: ['svg'] },
      saveLabel: vscode.l10n.t('Export Graph'),
    });
    if (!target) return;
    const bytes =
      format === 'png'
        ? Buffer.from(data.slice('data:image/png;base64,'.length), 'base64')
        : Buffer.from(data, 'utf8');
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
    } catch (error) {
      this.log.error(`Writing the graph image ${target.toString()} failed: ${String(error)}`);
      throw new Error(vscode.l10n.t('Could not write {0}: {1}. Choose a folder you can write to.', target.fsPath, String(error)));
    }
    this.log.info(`Exported the graph of ${this.source.title} to ${target.toString()} (${bytes.length} bytes).`);
    const open = vscode.l10n.t('Open');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Saved the graph as {0}.', target.fsPath), open);
    if (choice === open) await vscode.commands.executeCommand('vscode.open', target);
  }

  /** Posts ages every second while the panel is visible and the source reports running calls. */
  private updateAgeTimer(): void {
    const wanted = this.ready && this.panel.visible && this.source.ages !== undefined;
    if (wanted && !this.ageTimer) {
      this.ageTimer = setInterval(() => this.postAges(), AGE_INTERVAL_MS);
      this.postAges();
    } else if (!wanted && this.ageTimer) {
      clearInterval(this.ageTimer);
      this.ageTimer = undefined;
    }
  }

  private postAges(): void {
    const calls = this.source.ages?.();
    if (calls && calls.length > 0) this.post({ type: 'ages', now: Date.now(), calls });
  }
}
