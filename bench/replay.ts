/**
 * Benchmarks of the run engine: a virtual-clock replay of 100,000 calls, and the watchdog's
 * cost per in-flight call per tick. Run alone with `npx tsx --expose-gc bench/replay.ts`, as
 * part of `npm run bench` (`--only replay`), or call `benchReplay()` for the figures.
 */
import { VirtualClock } from '../src/core/run/clock';
import { RunEngine } from '../src/core/run/engine';
import { SimulatedExecutor } from '../src/core/run/executor';
import { runVirtual } from '../src/core/run/run';
import type { RunCall, RunSource } from '../src/core/run/types';

export interface ReplayBenchResult {
  name: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

/** Builds a layered plan in which each call depends on up to two calls of the previous layer of 1,000. */
function layeredSource(count: number): RunSource {
  const width = 1_000;
  const calls: RunCall[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const dependsOn: string[] = [];
    if (i >= width) dependsOn.push(`c${i - width}`);
    if (i >= width && i % width < width - 1) dependsOn.push(`c${i - width + 1}`);
    calls[i] = { id: `c${i}`, tool: `tool${i % 13}`, dependsOn, locks: [], durationMs: 1 + ((i * 31) % 50) };
  }
  return { kind: 'plan', calls };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function benchReplay(): ReplayBenchResult[] {
  const source = layeredSource(100_000);
  runVirtual(layeredSource(5_000)); // warm-up
  const replayTimes: number[] = [];
  const replayCpuTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = runVirtual(source, { concurrency: 256 });
    const cpu = process.cpuUsage(cpuBefore);
    replayTimes.push(performance.now() - started);
    replayCpuTimes.push((cpu.user + cpu.system) / 1000);
    if (result.summary.completed !== 100_000) throw new Error(`Replay completed ${result.summary.completed} of 100000 calls.`);
  }
  const replayMs = median(replayTimes);
  // CPU time includes the garbage collector's threads; it is less sensitive than wall time to other load on the machine.
  const replayCpuMs = median(replayCpuTimes);

  // Watchdog: 10,000 calls in flight that never end, then many ticks that kill none.
  const inflight = 10_000;
  const calls: RunCall[] = [];
  for (let i = 0; i < inflight; i++) calls.push({ id: `w${i}`, tool: 'slow', dependsOn: [], locks: [], behavior: 'lost', timeoutMs: 1e12 });
  const clock = new VirtualClock();
  const engine = new RunEngine({ kind: 'plan', calls }, { watchdog: { disabled: true } }, { clock, executor: new SimulatedExecutor() });
  engine.start();
  const ticks = 2_000;
  const tickTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let t = 0; t < ticks; t++) engine.watchdogTick(clock.now());
    tickTimes.push(performance.now() - started);
  }
  engine.stop();
  const perCallNs = (median(tickTimes) * 1e6) / (ticks * inflight);

  return [
    { name: 'virtual replay of 100,000 calls, wall time', value: Math.round(replayMs), unit: 'ms', target: '<= 1000 ms', pass: replayMs <= 1_000 },
    { name: 'virtual replay of 100,000 calls, CPU time', value: Math.round(replayCpuMs), unit: 'ms', target: '<= 1000 ms', pass: replayCpuMs <= 1_000 },
    { name: 'watchdog cost per in-flight call per tick', value: Number(perCallNs.toFixed(2)), unit: 'ns', target: '<= 1000 ns', pass: perCallNs <= 1_000 },
  ];
}

/** Prints the rows with PASS or MISS, the hook `bench/run.ts` calls. */
export async function runBench(): Promise<void> {
  for (const row of benchReplay()) {
    process.stdout.write(`${row.pass ? 'PASS' : 'MISS'}  ${row.name}: ${row.value} ${row.unit} (target ${row.target})\n`);
  }
}

if (require.main === module) {
  void runBench();
}
