/**
 * A run session for Node hosts (the CLI and the extension): picks the clock and the executor,
 * drives a virtual clock, writes the native trace file and exposes pause, resume and stop.
 */
import * as fs from 'node:fs';
import { RealClock, VirtualClock, type PausableClock } from '../../core/run/clock';
import { RunEngine } from '../../core/run/engine';
import { SimulatedExecutor, type CallExecutor } from '../../core/run/executor';
import { RunTraceEncoder } from '../../core/run/traceOut';
import type { RunCall, RunEvent, RunOptions, RunResult, RunSource } from '../../core/run/types';
import { ProcessExecutor } from './processExecutor';

export type ClockKind = 'virtual' | 'real';

export interface SessionOptions extends RunOptions {
  clock: ClockKind;
  /** Speed factor of the real clock. Default 1. */
  speed?: number;
  /** Run each step's `command` for real. Needs the real clock. */
  allowCommands?: boolean;
  /** Working folder of commands. */
  cwd?: string;
  /** Real ms between SIGTERM and SIGKILL of a cancelled command. */
  killGraceMs?: number;
  /** Path of the native trace file to write. */
  tracePath?: string;
  runId?: string;
  onEvent?: (event: RunEvent) => void;
  onSpawn?: (call: RunCall, pid: number) => void;
  /** Replaces the executor, for tests. */
  executor?: CallExecutor;
}

export class RunSession {
  readonly engine: RunEngine;
  readonly clock: PausableClock;
  /** Resolves once the run has ended and the trace file is closed. */
  readonly done: Promise<RunResult>;
  private readonly virtual: VirtualClock | undefined;
  private driving = false;

  constructor(
    readonly source: RunSource,
    options: SessionOptions,
  ) {
    const commands = source.calls.filter((call) => call.command !== undefined);
    if (options.allowCommands && commands.length > 0 && options.clock !== 'real') {
      throw new Error('Running commands needs the real clock: pass --clock real, or leave commands off to simulate the steps.');
    }
    this.virtual = options.clock === 'virtual' ? new VirtualClock(Date.now()) : undefined;
    this.clock = this.virtual ?? new RealClock(options.speed ?? 1);

    const simulated = new SimulatedExecutor();
    const executor =
      options.executor ??
      (options.allowCommands
        ? new ProcessExecutor({
            cwd: options.cwd ?? process.cwd(),
            fallback: simulated,
            ...(options.killGraceMs !== undefined ? { graceMs: options.killGraceMs } : {}),
            ...(options.onSpawn !== undefined ? { onSpawn: options.onSpawn } : {}),
          })
        : simulated);

    const encoder = new RunTraceEncoder(options.runId ?? `run-${Date.now().toString(36)}`);
    const trace = options.tracePath !== undefined ? fs.createWriteStream(options.tracePath, { encoding: 'utf8' }) : undefined;
    const traceClosed = new Promise<void>((resolve, reject) => {
      if (trace === undefined) return resolve();
      trace.once('error', reject);
      trace.once('finish', () => resolve());
    });
    this.engine = new RunEngine(source, options, {
      clock: this.clock,
      executor,
      onEvent: (event) => {
        trace?.write(encoder.encode(event));
        options.onEvent?.(event);
      },
    });
    this.done = this.engine.done.then(async (result) => {
      trace?.end();
      await traceClosed;
      return result;
    });
  }

  /**
   * Starts the run, or with `paused` waits for `resume()` before any call starts. Throws
   * `RunRejectedError` for a source with a cycle unless `runAcyclicPart` is set.
   */
  start(paused = false): void {
    this.engine.start(paused);
    this.drive();
  }

  pause(): void {
    this.engine.pause();
  }

  resume(): void {
    this.engine.resume();
    this.drive();
  }

  stop(reason?: string): void {
    this.engine.stop(reason);
  }

  /** Fires the virtual clock's timers in slices, yielding to the event loop between them so that pause and stop can act. */
  private drive(): void {
    const clock = this.virtual;
    if (clock === undefined || this.driving) return;
    this.driving = true;
    const slice = (): void => {
      if (this.engine.isDone || clock.paused) {
        this.driving = false;
        return;
      }
      const fired = clock.run(Infinity, 10_000);
      if (fired === 0 && !this.engine.isDone) this.engine.abandonHungCalls();
      setImmediate(slice);
    };
    setImmediate(slice);
  }
}

