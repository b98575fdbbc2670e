/**
 * Runtime library for agents written on `@anthropic-ai/sdk`. It wraps tool functions with
 * per-tool timeouts and a watchdog, and turns a timeout into an error tool result the model can
 * read. It appends native trace events that the extension can follow while the agent runs.
 *
 * In-process tools cannot be killed the way a process can. A timeout therefore settles the
 * wrapped call with an error straight away and aborts the `AbortSignal` the tool received; the
 * watchdog keeps watching the abandoned work and, past its maximum duration, records a kill and
 * calls the tool's `onKill` hook, which can end a child process or a socket.
 */
import * as fs from 'node:fs';
import type { BetaRunnableTool, BetaToolRunContext } from '@anthropic-ai/sdk/lib/tools/BetaRunnableTool';
import { ToolError } from '@anthropic-ai/sdk/lib/tools/ToolError';
import type { BetaToolResultBlockParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { runVirtual } from '../core/run/run';
import { sourceFromRecording } from '../core/run/source';
import { recordingFromTranscript, transcriptMessages, type TranscriptMessage } from '../core/run/transcript';
import { RunTraceEncoder } from '../core/run/traceOut';
import type { RunEvent, RunOptions, RunResult } from '../core/run/types';
import { DEFAULT_TIMEOUT_MS } from '../core/run/types';

export type { RunEvent, RunOptions, RunResult } from '../core/run/types';
export { formatRunText } from '../core/run/report';

export interface ToolWatchdogOptions {
  /** Timeouts by tool name, in ms. */
  toolTimeouts?: Record<string, number> | ReadonlyMap<string, number>;
  /** Timeout for tools not in `toolTimeouts`, in ms. Default 30,000. */
  defaultTimeoutMs?: number;
  /** Interval between watchdog checks, in ms. Default 500. */
  watchdogIntervalMs?: number;
  /** Time the abandoned work of a timed-out call may go on before the watchdog records a kill, in ms. Default 1,000. */
  watchdogGraceMs?: number;
  /** Native trace file to append events to, one JSON line each, flushed as they happen. */
  tracePath?: string;
  onEvent?: (event: RunEvent) => void;
  /** Name written into the trace's `trace.start` line. */
  name?: string;
}

/** The error a wrapped tool call ends with when it passes its timeout. */
export class ToolTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(
    readonly tool: string,
    readonly limitMs: number,
  ) {
    super(`TIMEOUT: tool "${tool}" did not finish within ${limitMs} ms and was cancelled. Try again later, with a smaller request, or without this tool.`);
    this.name = 'ToolTimeoutError';
  }
}

/** Context a wrapped tool function receives besides its input. */
export interface WatchedCallContext {
  /** Aborted when the call times out. */
  signal: AbortSignal;
  /** Reports progress, which the trace records as a `heartbeat`. */
  progress(note?: string): void;
  callId: string;
}

export interface WrapOptions {
  /** Called when the watchdog gives up on work that ignored the abort signal. */
  onKill?: (callId: string) => void;
}

interface InFlight {
  id: string;
  tool: string;
  startedAt: number;
  /** Watchdog deadline: timeout plus grace. */
  deadline: number;
  controller: AbortController;
  onKill?: (callId: string) => void;
}

/**
 * Wraps tool functions with timeouts and watches them. One instance serves one agent run; call
 * `close()` at the end to stop the watchdog timer and write `run.end`.
 */
export class ToolWatchdog {
  private readonly timeouts: Map<string, number>;
  private readonly defaultTimeoutMs: number;
  private readonly graceMs: number;
  private readonly inflight = new Map<string, InFlight>();
  private readonly encoder: RunTraceEncoder;
  private readonly startedAt = Date.now();
  private readonly interval: ReturnType<typeof setInterval>;
  private nextCall = 1;
  private closed = false;
  /** Counts of outcomes so far. */
  readonly counts = { ok: 0, error: 0, timeout: 0, killed: 0 };
  readonly kills: { id: string; tool: string; ageMs: number }[] = [];

  constructor(private readonly options: ToolWatchdogOptions = {}) {
    this.timeouts = new Map(options.toolTimeouts instanceof Map ? options.toolTimeouts : Object.entries(options.toolTimeouts ?? {}));
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.graceMs = options.watchdogGraceMs ?? 1_000;
    this.encoder = new RunTraceEncoder(`agent-${this.startedAt.toString(36)}`);
    if (options.tracePath !== undefined) fs.writeFileSync(options.tracePath, '');
    this.emit({ type: 'run_start', t: 0, source: 'trace', clock: 'real', calls: 0, startedAt: this.startedAt, ...(options.name !== undefined ? { name: options.name } : {}) });
    this.interval = setInterval(() => this.tick(), options.watchdogIntervalMs ?? 500);
    // The watchdog alone must not keep the agent's process alive.
    this.interval.unref();
  }

  timeoutFor(tool: string): number {
    return this.timeouts.get(tool) ?? this.defaultTimeoutMs;
  }

  /** Wraps `run` so that each call times out after the tool's limit with a `ToolTimeoutError`. */
  wrap<Input, Output>(tool: string, run: (input: Input, context: WatchedCallContext) => Promise<Output> | Output, wrapOptions: WrapOptions = {}): (input: Input, callId?: string) => Promise<Output> {
    return (input, callId) => this.call(tool, callId ?? `${tool}-${this.nextCall++}`, (context) => run(input, context), wrapOptions);
  }

  /**
   * Wraps a runnable tool for `client.beta.messages.toolRunner`. A timeout throws the SDK's
   * `ToolError`, so the runner sends an `is_error` tool result with the timeout text.
   */
  wrapRunnableTool<Input>(tool: BetaRunnableTool<Input>, wrapOptions: WrapOptions = {}): BetaRunnableTool<Input> {
    const name = tool.name;
    return {
      ...tool,
      run: async (args: Input, context?: BetaToolRunContext) => {
        const callId = context?.toolUse.id ?? `${name}-${this.nextCall++}`;
        try {
          return await this.call(
            name,
            callId,
            (watched) => {
              // The tool stops when either the runner or the timeout aborts it.
              const runnerSignal = context?.signal ?? undefined;
              const signal = runnerSignal !== undefined ? AbortSignal.any([runnerSignal, watched.signal]) : watched.signal;
              return tool.run(args, { ...(context ?? ({} as BetaToolRunContext)), signal });
            },
            wrapOptions,
          );
        } catch (error) {
          if (error instanceof ToolTimeoutError) throw new ToolError(error.message);
          throw error;
        }
      },
    };
  }

  /** Stops the watchdog and writes the `run.end` line. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.interval);
    const ok = this.counts.error + this.counts.timeout + this.counts.killed === 0;
    this.emit({ type: 'run_end', t: Date.now() - this.startedAt, ok });
  }

  /** Ids of the calls still running or abandoned after a timeout. */
  inflightCalls(): string[] {
    return [...this.inflight.keys()];
  }

  private async call<Output>(tool: string, id: string, body: (context: WatchedCallContext) => Promise<Output> | Output, wrapOptions: WrapOptions): Promise<Output> {
    const limitMs = this.timeoutFor(tool);
    const startedAt = Date.now();
    const controller = new AbortController();
    const entry: InFlight = { id, tool, startedAt, deadline: startedAt + limitMs + this.graceMs, controller, ...(wrapOptions.onKill !== undefined ? { onKill: wrapOptions.onKill } : {}) };
    this.inflight.set(id, entry);
    this.emit({ type: 'call_start', t: startedAt - this.startedAt, id, tool, dependsOn: [], timeoutMs: limitMs });

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.emit({ type: 'call_timeout', t: Date.now() - this.startedAt, id, tool, limitMs, code: 'TIMEOUT' });
        controller.abort(new ToolTimeoutError(tool, limitMs));
        reject(new ToolTimeoutError(tool, limitMs));
      }, limitMs);
    });
    const work = Promise.resolve().then(() =>
      body({ signal: controller.signal, callId: id, progress: (note) => this.emit({ type: 'call_progress', t: Date.now() - this.startedAt, id, ...(note !== undefined ? { note } : {}) }) }),
    );
    // The work may still settle after a timeout; it then leaves the watchdog's list quietly.
    work.then(
      () => this.inflight.delete(id),
      () => this.inflight.delete(id),
    );
    try {
      const output = await Promise.race([work, timedOut]);
      this.end(id, tool, startedAt, 'ok');
      return output;
    } catch (error) {
      if (error instanceof ToolTimeoutError) {
        this.end(id, tool, startedAt, 'timeout', { code: 'TIMEOUT', limitMs, message: error.message });
      } else {
        this.inflight.delete(id);
        this.end(id, tool, startedAt, 'error', { code: 'TOOL_ERROR', message: error instanceof Error ? error.message : String(error) });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private end(id: string, tool: string, startedAt: number, outcome: 'ok' | 'error' | 'timeout', error?: { code: 'TIMEOUT' | 'TOOL_ERROR'; message: string; limitMs?: number }): void {
    this.counts[outcome]++;
    const now = Date.now();
    this.emit({ type: 'call_end', t: now - this.startedAt, id, tool, outcome, ageMs: now - startedAt, ...(error !== undefined ? { error } : {}) });
  }

  /** Runs one watchdog pass over the calls in flight, including abandoned work of timed-out calls. */
  private tick(): void {
    const now = Date.now();
    for (const entry of this.inflight.values()) {
      if (now < entry.deadline) continue;
      this.inflight.delete(entry.id);
      const ageMs = now - entry.startedAt;
      this.counts.killed++;
      this.kills.push({ id: entry.id, tool: entry.tool, ageMs });
      this.emit({ type: 'watchdog_kill', t: now - this.startedAt, id: entry.id, tool: entry.tool, ageMs, maxDurationMs: entry.deadline - entry.startedAt });
      entry.controller.abort();
      entry.onKill?.(entry.id);
    }
  }

  private emit(event: RunEvent): void {
    if (this.options.tracePath !== undefined) fs.appendFileSync(this.options.tracePath, this.encoder.encode(event));
    this.options.onEvent?.(event);
  }
}

/** Builds the error `tool_result` block a model reads when a call times out, for manual tool loops. */
export function timeoutToolResult(toolUseId: string, error: ToolTimeoutError): ToolResultBlockParam & BetaToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: toolUseId, is_error: true, content: error.message };
}

export interface ReplayOptions extends RunOptions {
  /** Duration of each call when the transcript has no timestamps, in ms. Default 0. */
  defaultDurationMs?: number;
  name?: string;
}

/**
 * Replays the tool calls of an Anthropic transcript through the engine on a virtual clock.
 * Accepts `MessageParam[]`, an object with `messages`, or JSON Lines entries with `message`.
 */
export function replayTranscript(transcript: readonly MessageParam[] | TranscriptMessage[] | unknown, options: ReplayOptions = {}): RunResult {
  const messages = transcriptMessages(transcript);
  if (messages === undefined) throw new TypeError('Invalid transcript: expected a list of messages with "role" and "content", or an object with "messages".');
  return runVirtual(sourceFromRecording(recordingFromTranscript(messages, options.defaultDurationMs ?? 0, options.name)), options);
}
