/**
 * Entry points that wire the engine to a clock and an executor.
 */
import { VirtualClock } from './clock';
import { RunEngine, RunRejectedError } from './engine';
import { SimulatedExecutor, type CallExecutor } from './executor';
import type { RunEvent, RunOptions, RunResult, RunSource } from './types';

export interface VirtualRunDeps {
  executor?: CallExecutor;
  onEvent?: (event: RunEvent) => void;
  /** Epoch ms the virtual clock starts at. Default 0. */
  startMs?: number;
}

/**
 * Runs a source on a virtual clock to the end, synchronously, and returns the result. A source
 * the engine rejects returns its rejected result (with `endedBy: 'rejected'` and the problems).
 */
export function runVirtual(source: RunSource, options: RunOptions = {}, deps: VirtualRunDeps = {}): RunResult {
  const clock = new VirtualClock(deps.startMs ?? 0);
  const engine = new RunEngine(source, options, {
    clock,
    executor: deps.executor ?? new SimulatedExecutor(),
    ...(deps.onEvent !== undefined ? { onEvent: deps.onEvent } : {}),
  });
  try {
    engine.start();
  } catch (error) {
    if (error instanceof RunRejectedError) return error.result;
    throw error;
  }
  clock.run();
  if (!engine.isDone) engine.abandonHungCalls();
  return engine.getResult() as RunResult;
}
