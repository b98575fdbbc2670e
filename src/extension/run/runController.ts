/**
 * Tracks the run in progress for the editor. It publishes the live state to listeners, such as
 * the status bar here and other views through the API, and keeps the last result for the summary.
 */
import * as vscode from 'vscode';
import { formatAge, inFlightAges } from '../../core/run/liveAges';
import type { RunResult, RunState } from '../../core/run/types';
import type { RunSession } from '../../node/run/session';

/** The run state the editor publishes: the engine's state plus the program it runs. */
export interface RunStateSnapshot extends RunState {
  /** The plan or trace being run. */
  program: vscode.Uri;
  /** The file the run writes its trace to, when it writes one. */
  tracePath?: string;
}

/** Share of its timeout after which a call shows as close to timing out. */
const WARNING_SHARE = 0.8;
/** How often live ages refresh while a run is in progress, in ms. */
const REFRESH_MS = 250;

export class RunController implements vscode.Disposable {
  private readonly stateEmitter = new vscode.EventEmitter<RunStateSnapshot>();
  /** Fires with the live state every refresh while a run is in progress, and once at its end. */
  readonly onDidChangeRunState = this.stateEmitter.event;
  private readonly resultEmitter = new vscode.EventEmitter<{ result: RunResult; program: vscode.Uri }>();
  readonly onDidFinishRun = this.resultEmitter.event;
  private readonly statusBar: vscode.StatusBarItem;
  private session: RunSession | undefined;
  private program: vscode.Uri | undefined;
  private tracePath: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastState: RunStateSnapshot | undefined;
  lastResult: { result: RunResult; program: vscode.Uri; tracePath?: string } | undefined;

  constructor() {
    this.statusBar = vscode.window.createStatusBarItem('agentDeadlock.run', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = vscode.l10n.t('Agent Deadlock Run');
    this.statusBar.command = 'agentDeadlock.showRunSummary';
  }

  get currentState(): RunStateSnapshot | undefined {
    return this.lastState;
  }

  get isRunning(): boolean {
    return this.session !== undefined && !this.session.engine.isDone;
  }

  attach(session: RunSession, program: vscode.Uri, tracePath?: string): void {
    this.session = session;
    this.program = program;
    this.tracePath = tracePath;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.refresh();
  }

  finish(result: RunResult, program: vscode.Uri, tracePath?: string): void {
    this.refresh();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.session = undefined;
    this.lastResult = { result, program, ...(tracePath !== undefined ? { tracePath } : {}) };
    const s = result.summary;
    const failed = s.total - s.completed;
    this.statusBar.text = failed === 0 ? `$(pass) ${vscode.l10n.t('Run: {0}/{1} completed', s.completed, s.total)}` : `$(error) ${vscode.l10n.t('Run: {0} of {1} calls did not complete', failed, s.total)}`;
    this.statusBar.tooltip = vscode.l10n.t('{0} completed, {1} failed, {2} timed out, {3} killed, {4} stranded. Click for the run summary.', s.completed, s.failed, s.timedOut, s.killed, s.stranded);
    this.statusBar.backgroundColor = failed === 0 ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
    this.statusBar.show();
    this.resultEmitter.fire({ result, program });
  }

  /** Stops the run in progress, if any. */
  stop(): boolean {
    if (this.session === undefined || this.session.engine.isDone) return false;
    this.session.stop('the run was stopped from the editor');
    return true;
  }

  private refresh(): void {
    const session = this.session;
    const program = this.program;
    if (session === undefined || program === undefined) return;
    // One reading of the engine serves this item and every listener, such as the trace
    // status bar item, so they all show the same ages.
    const state: RunStateSnapshot = { ...session.engine.state(), program, ...(this.tracePath !== undefined ? { tracePath: this.tracePath } : {}) };
    this.lastState = state;
    this.showState(state);
    this.stateEmitter.fire(state);
  }

  private showState(state: RunStateSnapshot): void {
    const ages = inFlightAges(state).calls;
    const worst = ages[0];
    const paused = state.paused ? ` ${vscode.l10n.t('(paused)')}` : '';
    if (worst === undefined) {
      this.statusBar.text = `$(watch) ${vscode.l10n.t('Run: nothing in flight')}${paused}`;
      this.statusBar.backgroundColor = undefined;
    } else {
      this.statusBar.text = `$(watch) ${vscode.l10n.t('Run: {0} in flight', ages.length)} · ${worst.call.id} ${formatAge(worst.ageMs)}/${formatAge(worst.call.timeoutMs)}${paused}`;
      const share = worst.ageMs / worst.call.timeoutMs;
      let background: vscode.ThemeColor | undefined;
      if (share >= 1) background = new vscode.ThemeColor('statusBarItem.errorBackground');
      else if (share >= WARNING_SHARE) background = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.statusBar.backgroundColor = background;
    }
    const tooltip = new vscode.MarkdownString(`**${vscode.l10n.t('Calls in flight')}**\n\n| ${vscode.l10n.t('Call')} | ${vscode.l10n.t('Tool')} | ${vscode.l10n.t('Age')} | ${vscode.l10n.t('Timeout')} |\n|---|---|---|---|\n`);
    for (const { call, ageMs } of ages.slice(0, 20)) tooltip.appendMarkdown(`| ${call.id.replace(/\|/g, '\\|')} | ${call.tool.replace(/\|/g, '\\|')} | ${formatAge(ageMs)} | ${formatAge(call.timeoutMs)} |\n`);
    this.statusBar.tooltip = tooltip;
    this.statusBar.show();
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.session?.stop('VS Code closed the extension');
    this.statusBar.dispose();
    this.stateEmitter.dispose();
    this.resultEmitter.dispose();
  }
}
