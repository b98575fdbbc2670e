/**
 * "Run with Watchdog" in the editor: the command, the `agent-deadlock` debug type with its
 * inline adapter, command confirmation in trusted workspaces, live state and the run summary.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatRunMarkdown } from '../../core/run/report';
import type { CallStatus, RunResult } from '../../core/run/types';
import type { NodeStatus } from '../../shared/graphModel';
import { LineIndex } from '../../core/text/lineIndex';
import { RunDebugSession } from './debugSession';
import type { AgentDeadlockLaunchArguments } from './launchArguments';
import { getTraceHub } from '../traces/index';
import { RunController, type RunStateSnapshot } from './runController';
import { summaryColumn } from './summaryColumn';

export const DEBUG_TYPE = 'agent-deadlock';
/** The custom editor of VS Code's built-in Markdown extension that shows a file as its preview. */
const MARKDOWN_PREVIEW_EDITOR = 'vscode.markdown.preview.editor';

/** The run API for other parts of the extension, such as a CodeLens, the Agent Calls view or the graph. */
export interface RunApi {
  /** Starts a run of `uri` (default: the active editor's file) with the settings' options. */
  runWithWatchdog(uri?: vscode.Uri, options?: Partial<AgentDeadlockLaunchArguments>): Promise<boolean>;
  /** Stops the run in progress. */
  stopRun(): Promise<void>;
  /** Live state of the run in progress, about four times a second, and once when it ends. */
  readonly onDidChangeRunState: vscode.Event<RunStateSnapshot>;
  readonly onDidFinishRun: vscode.Event<{ result: RunResult; program: vscode.Uri }>;
  /** The latest state, if a run has started since activation. */
  readonly currentState: RunStateSnapshot | undefined;
  /**
   * Returns the calls of the latest run of `uri` that have started, as the graph panel's
   * `ages()` takes them, or undefined when that file has not run. Node ids are the step ids.
   */
  callAgesFor(uri: vscode.Uri): GraphCallAge[] | undefined;
}

/** A started call as the graph draws it: `startedAt` is wall-clock epoch ms, so the age is right at any clock speed. */
export interface GraphCallAge {
  id: string;
  startedAt: number;
  timeoutMs?: number;
  status: NodeStatus;
}

const NODE_STATUS: Record<CallStatus, NodeStatus> = {
  pending: 'pending',
  running: 'running',
  'waiting-lock': 'running',
  cancelling: 'running',
  paused: 'running',
  ok: 'done',
  error: 'failed',
  timeout: 'timeout',
  killed: 'killed',
  stranded: 'stranded',
};

let currentApi: RunApi | undefined;

/** Returns the column of the editor group that shows `program`, preferring the active editor's group. */
function columnShowing(program: vscode.Uri): number | undefined {
  const key = program.toString();
  const active = vscode.window.activeTextEditor;
  if (active?.document.uri.toString() === key && active.viewColumn !== undefined) return active.viewColumn;
  for (const group of vscode.window.tabGroups.all) {
    const input = group.activeTab?.input;
    if (input instanceof vscode.TabInputText && input.uri.toString() === key) return group.viewColumn;
  }
  return undefined;
}

/** Returns the run API once the extension has registered it, for features that cannot take it as a parameter. */
export function getRunApi(): RunApi | undefined {
  return currentApi;
}

type LaunchConfiguration = vscode.DebugConfiguration & Partial<AgentDeadlockLaunchArguments>;

/**
 * Fills unset launch fields from the `agentDeadlock.run.*` settings, and the timeouts from
 * `agentDeadlock.toolTimeouts` and `agentDeadlock.defaultTimeoutMs`, which traces share.
 */
function withSettings(config: LaunchConfiguration, scope: vscode.ConfigurationScope | undefined): LaunchConfiguration {
  const settings = vscode.workspace.getConfiguration('agentDeadlock.run', scope);
  const shared = vscode.workspace.getConfiguration('agentDeadlock', scope);
  const filled: LaunchConfiguration = { ...config };
  const copy = <K extends keyof AgentDeadlockLaunchArguments>(key: K, setting: string, from = settings): void => {
    if (filled[key] !== undefined) return;
    const value = from.get<AgentDeadlockLaunchArguments[K]>(setting);
    if (value !== undefined && value !== null) filled[key] = value;
  };
  copy('clock', 'clock');
  copy('speed', 'speed');
  copy('timeouts', 'toolTimeouts', shared);
  copy('defaultTimeoutMs', 'defaultTimeoutMs', shared);
  copy('concurrency', 'concurrency');
  copy('watchdogIntervalMs', 'watchdogIntervalMs');
  copy('watchdogGraceMs', 'watchdogGraceMs');
  copy('lockOrdering', 'lockOrdering');
  copy('allowCommands', 'allowCommands');
  return filled;
}

export function registerRun(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): RunApi {
  const controller = new RunController();
  const output = vscode.window.createOutputChannel(vscode.l10n.t('Agent Deadlock Run Output'));
  context.subscriptions.push(controller, output);

  // ---- run summaries as Markdown files in the extension's storage ----
  // Markdown preview rejects `file:` links, so the summary is a real file whose step links are
  // paths relative to it, which the preview opens at the step's line.
  const summaryFolder = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'run-summaries');
  let summaryCount = 0;

  /**
   * Writes the summary of a run and shows it as a Markdown preview, beside the plan and without
   * creating an editor group (see `summaryColumn`). It opens as a preview tab, so the next
   * run's summary replaces it unless the user kept it. With `focus` off, the keyboard focus
   * stays where the user is working.
   */
  const showSummary = async (result: RunResult, program: vscode.Uri, tracePath: string | undefined, focus: boolean): Promise<void> => {
    let lines: LineIndex | undefined;
    try {
      lines = new LineIndex(new TextDecoder().decode(await vscode.workspace.fs.readFile(program)));
    } catch (error) {
      log.warn(`Run summary: cannot read ${program.fsPath} for step links: ${(error as Error).message}`);
    }
    const uri = vscode.Uri.joinPath(summaryFolder, `${path.basename(program.fsPath)}-run-${++summaryCount}.md`);
    const relativeLink = (target: string): string => encodeURI(path.relative(path.dirname(uri.fsPath), target).split(path.sep).join('/'));
    const markdown = formatRunMarkdown(
      result,
      (call) => {
        if (call.range === undefined || lines === undefined) return undefined;
        return `${relativeLink(program.fsPath)}#L${lines.positionAt(call.range.start).line + 1}`;
      },
      tracePath !== undefined ? { label: path.basename(tracePath), link: relativeLink(tracePath) } : undefined,
    );
    try {
      await vscode.workspace.fs.createDirectory(summaryFolder);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(markdown));
    } catch (error) {
      log.error(`Run summary: cannot write ${uri.fsPath}: ${(error as Error).message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The run summary could not be written to {0}. See the log for details.', uri.fsPath));
      return;
    }
    const groups = vscode.window.tabGroups;
    const options: vscode.TextDocumentShowOptions = {
      viewColumn: summaryColumn(groups.all.map((group) => group.viewColumn), columnShowing(program), groups.activeTabGroup.viewColumn),
      preserveFocus: !focus,
      preview: true,
    };
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, MARKDOWN_PREVIEW_EDITOR, options);
    } catch (error) {
      log.warn(`Run summary: Markdown preview failed, opening the text instead: ${(error as Error).message}`);
      await vscode.window.showTextDocument(uri, options);
    }
  };

  // ---- confirmation of real commands ----
  const confirmCommands = async (program: string, commands: string[]): Promise<boolean> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Commands of {0} were not run because this workspace is not trusted. Trust the workspace to run them; until then their steps are simulated.', path.basename(program)));
      return false;
    }
    const key = `agentDeadlock.run.confirmed:${program}`;
    const digest = crypto.createHash('sha256').update(JSON.stringify(commands)).digest('hex');
    if (context.workspaceState.get<string>(key) === digest) return true;
    const run = vscode.l10n.t('Run Commands');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Run the {0} commands of {1} in the workspace folder?', commands.length, path.basename(program)),
      { modal: true, detail: commands.map((command) => `$ ${command}`).join('\n') },
      run,
    );
    if (choice !== run) return false;
    await context.workspaceState.update(key, digest);
    log.info(`Run: the user allowed the commands of ${program}.`);
    return true;
  };

  // ---- the run's trace in the Agent Calls view ----
  const traceFolder = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'run-traces');
  let traceCount = 0;
  /** Returns a new trace path in the extension's storage, for runs whose launch sets none. */
  const defaultTracePath = async (program: string): Promise<string | undefined> => {
    try {
      await vscode.workspace.fs.createDirectory(traceFolder);
    } catch (error) {
      log.warn(`Run: cannot create ${traceFolder.fsPath} for run traces: ${(error as Error).message}`);
      return undefined;
    }
    return vscode.Uri.joinPath(traceFolder, `${path.basename(program)}-run-${Date.now().toString(36)}-${++traceCount}.jsonl`).fsPath;
  };
  /**
   * Shows a run's trace live in the Agent Calls view, where each running call shows its age.
   * The ages are measured on the run's clock, which the trace's times are on.
   */
  const followRunTrace = async (tracePath: string | undefined, clock: () => number): Promise<void> => {
    const hub = getTraceHub();
    if (tracePath === undefined || hub === undefined) return;
    try {
      await hub.follow(vscode.Uri.file(tracePath), clock);
      await vscode.commands.executeCommand('agentDeadlock.agentCalls.focus');
    } catch (error) {
      log.warn(`Run: following the run trace ${tracePath} failed: ${(error as Error).message}`);
    }
  };

  // ---- the debug type ----
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (debugSession) => {
        const config = debugSession.configuration as LaunchConfiguration;
        const program = vscode.Uri.file(String(config.program ?? ''));
        const folder = debugSession.workspaceFolder?.uri.fsPath ?? vscode.workspace.getWorkspaceFolder(program)?.uri.fsPath;
        return new vscode.DebugAdapterInlineImplementation(
          new RunDebugSession({
            ...(folder !== undefined ? { cwd: folder } : {}),
            confirmCommands,
            onSession: (session) => {
              log.info(`Run started: ${program.fsPath} (${session.source.calls.length} calls, ${session.clock.kind} clock).`);
              output.clear();
              const follow = vscode.workspace.getConfiguration('agentDeadlock.run', program).get<boolean>('followInAgentCalls', true);
              if (follow) void followRunTrace(config.traceOut, () => session.clock.now());
              session.engine.done.then(undefined, (error: unknown) => log.error(`Run of ${program.fsPath} failed: ${String(error)}`));
              controller.attach(session, program, config.traceOut);
            },
            onResult: (result) => {
              const s = result.summary;
              log.info(`Run ended: ${program.fsPath}: ${s.completed} completed, ${s.failed} failed, ${s.timedOut} timed out, ${s.killed} killed, ${s.stranded} stranded.`);
              for (const call of result.calls) {
                if (call.output !== undefined && call.output !== '') output.append(`[${call.id}]\n${call.output}${call.output.endsWith('\n') ? '' : '\n'}`);
              }
              controller.finish(result, program, config.traceOut);
              if (result.endedBy === 'rejected') {
                void offerAcyclicRun(result, program);
                return;
              }
              void showSummary(result, program, config.traceOut, false);
            },
          }),
        );
      },
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => [{ type: DEBUG_TYPE, request: 'launch', name: vscode.l10n.t('Run plan with watchdog'), program: '${file}' }],
      resolveDebugConfiguration: (folder, config: LaunchConfiguration) => {
        if (config.type === undefined && config.request === undefined && config.name === undefined) {
          const editor = vscode.window.activeTextEditor;
          if (editor === undefined) return undefined;
          config = { type: DEBUG_TYPE, request: 'launch', name: vscode.l10n.t('Run with Watchdog'), program: editor.document.uri.fsPath };
        }
        if (typeof config.program !== 'string' || config.program === '') {
          void vscode.window.showErrorMessage(vscode.l10n.t('The "agent-deadlock" launch configuration "{0}" needs "program": the plan or trace file to run.', config.name ?? ''));
          return undefined;
        }
        return withSettings(config, folder);
      },
      // Every run from the editor writes a trace: to `traceOut`, or else to the extension's storage.
      resolveDebugConfigurationWithSubstitutedVariables: async (_folder, config: LaunchConfiguration) => {
        if (config.traceOut === undefined) {
          const tracePath = await defaultTracePath(String(config.program));
          if (tracePath !== undefined) config.traceOut = tracePath;
        }
        return config;
      },
    }),
  );

  /** Explains a rejected run and offers to run the calls outside the cycles. */
  const offerAcyclicRun = async (result: RunResult, program: vscode.Uri): Promise<void> => {
    const reasons = result.problems.map((problem) => problem.message).join(' ');
    log.warn(`Run of ${program.fsPath} rejected before it started: ${reasons}`);
    const runPart = vscode.l10n.t('Run Acyclic Part');
    const openLog = vscode.l10n.t('Open Log');
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t('The run of {0} was rejected before it started. {1} Fix the plan, or run the steps outside the problem.', path.basename(program.fsPath), reasons),
      runPart,
      openLog,
    );
    if (choice === runPart) await runWithWatchdog(program, { runAcyclicPart: true });
    else if (choice === openLog) log.show();
  };

  // ---- commands ----
  const runWithWatchdog = async (uri?: vscode.Uri, options: Partial<AgentDeadlockLaunchArguments> = {}): Promise<boolean> => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (target === undefined || target.scheme !== 'file') {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run with Watchdog needs a plan or trace file saved on disk. Open one and run the command again.'));
      return false;
    }
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === target.toString());
    if (open?.isDirty) await open.save();
    const folder = vscode.workspace.getWorkspaceFolder(target);
    const config: LaunchConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      name: vscode.l10n.t('Run {0} with Watchdog', path.basename(target.fsPath)),
      ...options,
      program: target.fsPath,
      noDebug: true,
    };
    return vscode.debug.startDebugging(folder, config, { noDebug: true });
  };
  const stopRun = async (): Promise<void> => {
    const active = vscode.debug.activeDebugSession;
    if (active?.type === DEBUG_TYPE) await vscode.debug.stopDebugging(active);
    else controller.stop();
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('agentDeadlock.runWithWatchdog', (uri?: vscode.Uri) => runWithWatchdog(uri)),
    vscode.commands.registerCommand('agentDeadlock.stopRun', stopRun),
    vscode.commands.registerCommand('agentDeadlock.showRunSummary', async () => {
      const last = controller.lastResult;
      if (last === undefined) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No run has finished yet. Use "Run with Watchdog" on a plan or trace.'));
        return;
      }
      await showSummary(last.result, last.program, last.tracePath, true);
    }),
  );

  const api: RunApi = {
    runWithWatchdog,
    stopRun,
    onDidChangeRunState: controller.onDidChangeRunState,
    onDidFinishRun: controller.onDidFinishRun,
    get currentState() {
      return controller.currentState;
    },
    callAgesFor: (uri) => {
      const state = controller.currentState;
      if (state === undefined || state.program.toString() !== uri.toString()) return undefined;
      const wallNow = Date.now();
      const ages: GraphCallAge[] = [];
      for (const call of state.calls) {
        if (call.startedAt === undefined) continue;
        // Ages are kept on the run clock; anchoring them at the wall clock keeps them right at any speed.
        ages.push({ id: call.id, startedAt: wallNow - ((call.endedAt ?? state.now) - call.startedAt), timeoutMs: call.timeoutMs, status: NODE_STATUS[call.status] });
      }
      return ages;
    },
  };
  currentApi = api;
  context.subscriptions.push({ dispose: () => (currentApi = undefined) });
  return api;
}
