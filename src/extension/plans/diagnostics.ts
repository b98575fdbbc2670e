import * as vscode from 'vscode';
import type { PlanRuleId } from '../../core/findings';
import { errorText, type AnalysedPlan, type PlanAnalysisCache } from './analysisCache';
import { toDiagnostics, type DiagnosticOptions } from './convert';
import { formatForPath, PlanFiles, WORKSPACE_EXCLUDE_GLOB } from './planFiles';
import { planSettings, SETTINGS_SECTION } from './settings';

/** Files larger than this are not read from disk for the workspace check. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Result of checking the plan files of the workspace. */
export interface WorkspaceCheckSummary {
  files: number;
  filesWithProblems: number;
  problems: number;
  /** True when more files matched than `agentDeadlock.workspace.maxFiles` allows. */
  truncated: boolean;
  cancelled: boolean;
}

/**
 * Publishes the findings of every plan as diagnostics. Open plans are checked as they change,
 * after a debounce delay. Plans in the workspace that are not open are read from disk, found by
 * `findFiles` and kept current by a file watcher.
 */
export class PlanDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('agent-deadlock');

  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Files that the workspace check read from disk, by URI string. */
  private readonly fromDisk = new Set<string>();
  /** Plan files found in the workspace by the last search or the file watchers, by URI string. */
  private readonly workspaceFiles = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private scan: vscode.CancellationTokenSource | undefined;
  private readonly options: DiagnosticOptions;

  constructor(
    private readonly cache: PlanAnalysisCache,
    private readonly files: PlanFiles,
    private readonly log: vscode.LogOutputChannel,
    ruleDocs: (rule: PlanRuleId) => vscode.Uri,
  ) {
    this.options = { severityOf: (rule) => planSettings.severityOf(rule), ruleDocs };
  }

  /** Subscribes to document, file and setting events and checks what is already open. */
  start(): void {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((document) => this.refreshDocument(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.refreshDocument(event.document, planSettings.debounceMs());
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.onClosed(document)),
      vscode.workspace.onDidDeleteFiles((event) => event.files.forEach((uri) => this.forgetFile(uri))),
      vscode.workspace.onDidRenameFiles((event) => event.files.forEach(({ oldUri }) => this.forgetFile(oldUri))),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restartWorkspaceCheck()),
    );
    // Plans already open are checked right after activation returns, so that activating stays
    // cheap even with a large plan open.
    for (const document of vscode.workspace.textDocuments) this.refreshDocument(document, 1);
    this.restartWorkspaceCheck();
  }

  /**
   * Checks a document after `delayMs`, or at once for 0. A document that is no longer a plan
   * loses its diagnostics.
   */
  refreshDocument(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.delete(key);

    if (!this.files.isPlan(document)) {
      if (this.collection.has(document.uri) && !this.fromDisk.has(key)) this.collection.delete(document.uri);
      return;
    }
    if (delayMs <= 0) {
      this.publishDocument(document);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) this.publishDocument(document);
      }, delayMs),
    );
  }

  /** Checks a document now and publishes its diagnostics. Returns the analysis. */
  publishDocument(document: vscode.TextDocument): AnalysedPlan | undefined {
    const started = performance.now();
    const entry = this.cache.forDocument(document);
    this.fromDisk.delete(document.uri.toString());
    if (!entry) {
      this.collection.delete(document.uri);
      return undefined;
    }
    const count = this.publish(entry);
    this.log.debug(`Checked ${vscode.workspace.asRelativePath(document.uri)} version ${document.version} in ${(performance.now() - started).toFixed(1)} ms: ${count} diagnostics.`);
    return entry;
  }

  /** Publishes the diagnostics of an analysed plan and returns how many there are. */
  publish(entry: AnalysedPlan): number {
    const diagnostics = toDiagnostics(entry, this.options);
    this.collection.set(entry.uri, diagnostics);
    return diagnostics.length;
  }

  /**
   * Checks every plan file of the workspace: open ones from their editor text, the others from
   * disk. Stops early when the token is cancelled.
   */
  async checkWorkspace(
    token: vscode.CancellationToken,
    progress?: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<WorkspaceCheckSummary> {
    const summary: WorkspaceCheckSummary = { files: 0, filesWithProblems: 0, problems: 0, truncated: false, cancelled: false };
    const maxFiles = planSettings.maxWorkspaceFiles();
    if (maxFiles === 0) return summary;

    const { uris, truncated } = await this.findPlanFiles(maxFiles, token);
    summary.truncated = truncated;
    if (truncated) {
      this.log.warn(`More than ${maxFiles} plan files are in the workspace; only the first ${maxFiles} are checked. Raise agentDeadlock.workspace.maxFiles to check more.`);
    }

    const openDocuments = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
    const found = new Set(uris.map((uri) => uri.toString()));
    this.workspaceFiles.clear();
    for (const key of found) this.workspaceFiles.add(key);
    for (const key of [...this.fromDisk]) {
      if (!found.has(key)) this.forgetFile(vscode.Uri.parse(key));
    }

    for (const uri of uris) {
      if (token.isCancellationRequested) {
        summary.cancelled = true;
        break;
      }
      progress?.report({ message: vscode.workspace.asRelativePath(uri), increment: 100 / uris.length });
      const document = openDocuments.get(uri.toString());
      const entry = document ? this.publishDocument(document) : await this.checkFileOnDisk(uri);
      summary.files++;
      if (entry) {
        const problems = this.collection.get(uri)?.length ?? 0;
        summary.problems += problems;
        if (problems > 0) summary.filesWithProblems++;
      }
      // Yield to the extension host between files so that a large workspace does not block it.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    return summary;
  }

  /** Reads a file that is not open, checks it and publishes its diagnostics. */
  async checkFileOnDisk(uri: vscode.Uri): Promise<AnalysedPlan | undefined> {
    const key = uri.toString();
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === key)) return undefined;
      if (bytes.byteLength > MAX_FILE_BYTES) {
        this.log.warn(`Skipped ${uri.toString(true)}: it has ${bytes.byteLength} bytes, more than the ${MAX_FILE_BYTES} checked in files that are not open. Open it to check it.`);
        return undefined;
      }
      const text = new TextDecoder('utf-8').decode(bytes);
      const entry = this.cache.forText(uri, formatForPath(uri.path), text);
      if (!entry) return undefined;
      this.fromDisk.add(key);
      this.publish(entry);
      return entry;
    } catch (error) {
      this.log.warn(`Could not read the plan ${uri.toString(true)}: ${errorText(error)}`);
      this.forgetFile(uri);
      return undefined;
    }
  }

  /** Cancels a running workspace check and starts a new one, with new file watchers. */
  restartWorkspaceCheck(): void {
    this.scan?.cancel();
    this.scan?.dispose();
    this.watchers.forEach((watcher) => watcher.dispose());
    this.watchers = [];

    if (planSettings.maxWorkspaceFiles() === 0) {
      for (const key of [...this.fromDisk]) this.forgetFile(vscode.Uri.parse(key));
      this.workspaceFiles.clear();
      return;
    }

    for (const pattern of this.files.workspacePatterns()) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      watcher.onDidCreate((uri) => this.onFileChanged(uri));
      watcher.onDidChange((uri) => this.onFileChanged(uri));
      watcher.onDidDelete((uri) => this.forgetFile(uri));
      this.watchers.push(watcher);
    }

    const scan = new vscode.CancellationTokenSource();
    this.scan = scan;
    const started = Date.now();
    this.checkWorkspace(scan.token).then(
      (summary) => {
        if (!summary.cancelled) {
          this.log.info(`Checked ${summary.files} plan files of the workspace in ${Date.now() - started} ms: ${summary.problems} problems.`);
        }
      },
      (error) => this.log.error(`Checking the plan files of the workspace failed: ${errorText(error)}`),
    );
  }

  /** Re-publishes every cached plan, for example after the severity settings changed. */
  republishAll(): void {
    for (const entry of this.cache.entriesList()) {
      const key = entry.uri.toString();
      const open = vscode.workspace.textDocuments.some((document) => document.uri.toString() === key);
      if (open || this.fromDisk.has(key)) this.publish(entry);
    }
  }

  dispose(): void {
    this.scan?.cancel();
    this.scan?.dispose();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.watchers.forEach((watcher) => watcher.dispose());
    this.disposables.forEach((disposable) => disposable.dispose());
  }

  private onClosed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.delete(key);
    this.files.forget(document.uri);
    if (this.fromDisk.has(key)) return;

    this.collection.delete(document.uri);
    this.cache.delete(document.uri);
    // A closed file of the workspace shows what is saved on disk, like the rest of the workspace.
    if (document.uri.scheme !== 'untitled' && this.isWorkspacePlanFile(document.uri)) void this.checkFileOnDisk(document.uri);
  }

  private onFileChanged(uri: vscode.Uri): void {
    const key = uri.toString();
    this.workspaceFiles.add(key);
    if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === key)) return;
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.checkFileOnDisk(uri);
      }, planSettings.debounceMs()),
    );
  }

  private forgetFile(uri: vscode.Uri): void {
    const key = uri.toString();
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.delete(key);
    this.fromDisk.delete(key);
    this.workspaceFiles.delete(key);
    this.cache.delete(uri);
    this.collection.delete(uri);
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (event.affectsConfiguration(`${SETTINGS_SECTION}.severity`)) this.republishAll();
    if (event.affectsConfiguration(`${SETTINGS_SECTION}.planGlobs`)) {
      for (const document of vscode.workspace.textDocuments) this.refreshDocument(document, 0);
      this.restartWorkspaceCheck();
    } else if (event.affectsConfiguration(`${SETTINGS_SECTION}.workspace.maxFiles`)) {
      this.restartWorkspaceCheck();
    }
  }

  private isWorkspacePlanFile(uri: vscode.Uri): boolean {
    return planSettings.maxWorkspaceFiles() > 0 && this.workspaceFiles.has(uri.toString());
  }

  private async findPlanFiles(maxFiles: number, token: vscode.CancellationToken): Promise<{ uris: vscode.Uri[]; truncated: boolean }> {
    const seen = new Map<string, vscode.Uri>();
    for (const pattern of this.files.workspacePatterns()) {
      if (token.isCancellationRequested) break;
      const uris = await vscode.workspace.findFiles(pattern, WORKSPACE_EXCLUDE_GLOB, maxFiles + 1, token);
      for (const uri of uris) seen.set(uri.toString(), uri);
    }
    const all = [...seen.values()].sort((a, b) => a.toString().localeCompare(b.toString()));
    return { uris: all.slice(0, maxFiles), truncated: all.length > maxFiles };
  }
}
