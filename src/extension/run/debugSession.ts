/**
 * An inline debug adapter that runs a plan or trace under the watchdog. In-flight calls are
 * the threads; pause freezes the run clock (and stops commands with SIGSTOP), continue resumes
 * it, and stop cancels everything. It imports no `vscode`, so unit tests can drive it with
 * protocol messages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InitializedEvent, LoggingDebugSession, OutputEvent, StoppedEvent, TerminatedEvent, ThreadEvent, Thread, StackFrame, Source, Scope } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RunRejectedError } from '../../core/run/engine';
import { loadRunSource } from '../../core/run/load';
import { escapeControlCharacters as clean } from '../../core/report/escape';
import { formatRunText } from '../../core/run/report';
import type { RunEvent, RunResult, RunSource } from '../../core/run/types';
import { LineIndex } from '../../core/text/lineIndex';
import { RunSession, type SessionOptions } from '../../node/run/session';
import type { AgentDeadlockLaunchArguments } from './launchArguments';

/** Thread id used while no call is in flight, so the UI can still show a paused run. */
const RUN_THREAD_ID = 1;

export interface RunDebugHooks {
  /** Folder commands run in. Default: the program's folder. */
  cwd?: string;
  /** Asks the user to allow these commands. Without it, commands are refused. */
  confirmCommands?: (program: string, commands: string[]) => Promise<boolean>;
  /** Receives each session as it starts, for live views. */
  onSession?: (session: RunSession, program: string) => void;
  /** Receives each result as the run ends. */
  onResult?: (result: RunResult, program: string) => void;
}

export class RunDebugSession extends LoggingDebugSession {
  private session: RunSession | undefined;
  private source: RunSource | undefined;
  private program = '';
  private lines: LineIndex | undefined;
  private readonly threadOfCall = new Map<string, number>();
  private readonly callOfThread = new Map<number, number>();
  private variableHandles = new Map<number, number>();
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));

  constructor(private readonly hooks: RunDebugHooks = {}) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** The run in progress, for tests and live views. */
  get runSession(): RunSession | undefined {
    return this.session;
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone();
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: AgentDeadlockLaunchArguments): Promise<void> {
    const program = typeof args.program === 'string' ? args.program : '';
    this.program = program;
    let text: string;
    try {
      text = fs.readFileSync(program, 'utf8');
    } catch (error) {
      this.sendErrorResponse(response, { id: 1001, format: `Cannot read the program "${program}": ${(error as Error).message}. Set "program" in launch.json to a plan or trace file.`, showUser: true });
      return;
    }
    this.lines = new LineIndex(text);
    const loaded = loadRunSource(text, program);
    if (loaded.source === undefined) {
      const first = loaded.problems[0];
      const at = first !== undefined ? this.lines.positionAt(first.range.start) : { line: 0, character: 0 };
      this.sendErrorResponse(response, { id: 1002, format: `${path.basename(program)}:${at.line + 1}:${at.character + 1}: ${first?.message ?? 'invalid input'}`, showUser: true });
      return;
    }
    this.source = loaded.source;

    const commands = loaded.source.calls.flatMap((call) => (call.command !== undefined ? [call.command] : []));
    let allowCommands = args.allowCommands === true && commands.length > 0;
    if (allowCommands) {
      const confirm = this.hooks.confirmCommands;
      allowCommands = confirm !== undefined && (await confirm(program, commands));
      if (!allowCommands) this.sendEvent(new OutputEvent('Commands were not allowed, so their steps are simulated from duration_ms and behavior.\n', 'important'));
    }

    const options: SessionOptions = {
      clock: args.clock ?? 'real',
      ...(args.speed !== undefined ? { speed: args.speed } : {}),
      toolTimeouts: new Map(Object.entries(args.timeouts ?? {})),
      ...(args.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: args.defaultTimeoutMs } : {}),
      ...(args.idleTimeoutMs !== undefined ? { idleTimeoutMs: args.idleTimeoutMs } : {}),
      ...(args.deadlineMs !== undefined ? { deadlineMs: args.deadlineMs } : {}),
      ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
      watchdog: {
        ...(args.watchdogIntervalMs !== undefined ? { intervalMs: args.watchdogIntervalMs } : {}),
        ...(args.watchdogGraceMs !== undefined ? { graceMs: args.watchdogGraceMs } : {}),
      },
      ...(args.lockOrdering ? { lockOrdering: true } : {}),
      ...(Array.isArray(args.lockOrder) ? { lockOrder: args.lockOrder.filter((name): name is string => typeof name === 'string') } : {}),
      ...(args.runAcyclicPart ? { runAcyclicPart: true } : {}),
      allowCommands,
      cwd: this.hooks.cwd ?? path.dirname(program),
      ...(args.traceOut !== undefined ? { tracePath: args.traceOut } : {}),
      onEvent: (event) => this.onRunEvent(event),
    };
    let session: RunSession;
    try {
      session = new RunSession(loaded.source, options);
    } catch (error) {
      this.sendErrorResponse(response, { id: 1003, format: (error as Error).message, showUser: true });
      return;
    }
    this.session = session;
    loaded.source.calls.forEach((call, index) => {
      this.threadOfCall.set(call.id, index + 2);
      this.callOfThread.set(index + 2, index);
    });
    this.hooks.onSession?.(session, program);
    this.sendResponse(response);

    await this.configured;
    session.done.then((result) => this.onRunEnd(result));
    const stopOnEntry = args.stopOnEntry === true && args.noDebug !== true;
    try {
      session.start(stopOnEntry);
    } catch (error) {
      if (!(error instanceof RunRejectedError)) {
        this.sendEvent(new OutputEvent(`The run failed to start: ${(error as Error).message}\n`, 'stderr'));
        this.sendEvent(new TerminatedEvent());
        return;
      }
    }
    if (stopOnEntry && !session.engine.isDone) this.sendEvent(new StoppedEvent('entry', RUN_THREAD_ID));
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const threads: Thread[] = [new Thread(RUN_THREAD_ID, 'run')];
    const session = this.session;
    if (session !== undefined) {
      const state = session.engine.state();
      for (const id of session.engine.inflightCalls()) {
        const call = state.calls.find((entry) => entry.id === id);
        const ageMs = call?.startedAt !== undefined ? Math.round(state.now - call.startedAt) : 0;
        threads.push(new Thread(this.threadOfCall.get(id) as number, `${id} (${call?.tool ?? '?'}) ${ageMs} ms of ${call?.timeoutMs ?? '?'} ms`));
      }
    }
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const index = this.callOfThread.get(args.threadId);
    const source = new Source(path.basename(this.program), this.program);
    if (index === undefined || this.source === undefined || this.session === undefined) {
      response.body = { stackFrames: [new StackFrame(RUN_THREAD_ID, 'run', source, 1, 1)], totalFrames: 1 };
      this.sendResponse(response);
      return;
    }
    const call = this.source.calls[index];
    const state = this.session.engine.state().calls[index];
    const at = call.range !== undefined && this.lines !== undefined ? this.lines.positionAt(call.range.start) : { line: 0, character: 0 };
    const ageMs = state.startedAt !== undefined ? Math.round((state.endedAt ?? this.session.engine.state().now) - state.startedAt) : 0;
    const frame = new StackFrame(args.threadId, `${call.tool} ${call.id}: ${state.status}, ${ageMs} ms of ${state.timeoutMs} ms`, source, at.line + 1, at.character + 1);
    response.body = { stackFrames: [frame], totalFrames: 1 };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const reference = args.frameId + 1_000_000;
    this.variableHandles.set(reference, args.frameId);
    response.body = { scopes: [new Scope('Call', reference, false)] };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const threadId = this.variableHandles.get(args.variablesReference);
    const index = threadId !== undefined ? this.callOfThread.get(threadId) : undefined;
    const variables: DebugProtocol.Variable[] = [];
    if (index !== undefined && this.source !== undefined && this.session !== undefined) {
      const call = this.source.calls[index];
      const state = this.session.engine.state();
      const live = state.calls[index];
      const value = (name: string, text: string): DebugProtocol.Variable => ({ name, value: text, variablesReference: 0 });
      variables.push(value('id', call.id), value('tool', call.tool), value('status', live.status), value('timeoutMs', String(live.timeoutMs)));
      if (live.startedAt !== undefined) variables.push(value('ageMs', String(Math.round((live.endedAt ?? state.now) - live.startedAt))));
      variables.push(value('dependsOn', call.dependsOn.join(', ')));
      if (call.locks.length > 0) variables.push(value('locks', call.locks.join(', ')));
      if (call.command !== undefined) variables.push(value('command', call.command));
    }
    response.body = { variables };
    this.sendResponse(response);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.session?.pause();
    this.sendResponse(response);
    this.sendEvent(new StoppedEvent('pause', RUN_THREAD_ID));
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.session?.resume();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.session?.stop('the debug session was stopped');
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.session?.stop('the debug session was stopped');
    this.sendResponse(response);
  }

  /**
   * Writes a line to the Debug Console for each live event. Ids, tools and messages are escaped
   * as in the run summary, so a line feed in an id cannot split or fake a line. Command output
   * is passed as written.
   */
  private onRunEvent(event: RunEvent): void {
    switch (event.type) {
      case 'call_start':
        this.sendEvent(new ThreadEvent('started', this.threadOfCall.get(event.id) as number));
        break;
      case 'call_end':
        this.sendEvent(new ThreadEvent('exited', this.threadOfCall.get(event.id) as number));
        if (event.outcome !== 'ok') this.sendEvent(new OutputEvent(`${clean(event.error?.message ?? `Call "${event.id}" ended: ${event.outcome}.`)}\n`, 'stderr'));
        break;
      case 'call_output':
        this.sendEvent(new OutputEvent(`[${clean(event.id)}] ${event.text}${event.text.endsWith('\n') ? '' : '\n'}`, event.stream));
        break;
      case 'watchdog_kill':
        this.sendEvent(new OutputEvent(`Watchdog killed "${clean(event.id)}" (tool "${clean(event.tool)}") at age ${Math.round(event.ageMs)} ms.\n`, 'important'));
        break;
      case 'deadlock':
        this.sendEvent(new OutputEvent(`Deadlock: ${event.cycles.map((cycle) => cycle.map(clean).join(' -> ')).join('; ')}\n`, 'important'));
        break;
      default:
        break;
    }
  }

  private onRunEnd(result: RunResult): void {
    const lines = this.lines;
    this.sendEvent(new OutputEvent(formatRunText(result, lines !== undefined ? (range) => {
      const at = lines.positionAt(range.start);
      return `${path.basename(this.program)}:${at.line + 1}:${at.character + 1}`;
    } : undefined), 'console'));
    this.hooks.onResult?.(result, this.program);
    this.sendEvent(new TerminatedEvent());
  }
}
