/**
 * Trace benchmarks:
 * 1. read throughput of a native trace of 1,000,000 events against JSON.parse of each line
 *    alone (same file, same chunked line splitting), target at least 70 %;
 * 2. heap used while following traces of growing size with a constant number of open calls;
 * 3. latency from appending an event to the file until the follower has analysed it.
 *
 * Run alone: `node --import tsx --expose-gc bench/traces.ts [--events N]`; `npm run bench`
 * calls `runBench`, and `runTraceBenchmarks` returns the figures to other callers.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FollowClock } from '../src/core/trace/follow';

type Bundle = typeof import('./traceBenchEntry');

/**
 * Bundles the trace code with esbuild, as the shipped extension and library are bundled, so the
 * timings do not include the per-import indirection of running TypeScript through tsx.
 */
function loadBundle(folder: string): Bundle {
  const outfile = path.join(folder, 'trace-bench-bundle.js');
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'traceBenchEntry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return require(outfile) as Bundle;
}

let bundle: Bundle;

export interface TraceBenchResult {
  events: number;
  fileBytes: number;
  /** Events per CPU second: JSON.parse of each line alone. */
  baselineEventsPerSecond: number;
  /** Events per CPU second: parse and normalise into trace events, without analysis. */
  readerEventsPerSecond: number;
  /** Events per CPU second: parse, normalise, fold into the trace state and analyse. */
  analysisEventsPerSecond: number;
  readerRatio: number;
  analysisRatio: number;
  followMemory: { events: number; fileBytes: number; heapUsedBytes: number; openCalls: number; keptCalls: number }[];
  appendLatencyMs: { p50: number; p95: number; max: number; samples: number; pollMs: number };
}

/** Writes a native trace: mostly call start/end pairs, with heartbeats, waits and locks mixed in. */
export function writeNativeTrace(file: string, events: number, openCalls = 100): number {
  const fd = fs.openSync(file, 'w');
  let buffer = '';
  let written = 0;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const flush = (): void => {
    fs.writeSync(fd, buffer);
    buffer = '';
  };
  // A fixed set of calls that never end, so the open state is the same at every size.
  for (let i = 0; i < openCalls; i++) {
    buffer += `{"ts":${t0},"type":"call.start","call":"open-${i}","tool":"long_task","agent":"agent-${i % 8}"}\n`;
    written++;
  }
  let call = 0;
  while (written < events) {
    const ts = t0 + written;
    const id = `c${call++}`;
    const agent = `agent-${call % 8}`;
    buffer += `{"ts":${ts},"type":"call.start","call":"${id}","tool":"search","agent":"${agent}","input":{"q":"term ${call % 1000}","page":${call % 7}}}\n`;
    written++;
    const kind = call % 10;
    if (kind === 0 && written < events) {
      buffer += `{"ts":${ts},"type":"heartbeat","call":"${id}"}\n`;
      written++;
    } else if (kind === 1 && written + 1 < events) {
      buffer += `{"ts":${ts},"type":"lock.acquire","lock":"db","call":"${id}"}\n{"ts":${ts},"type":"lock.release","lock":"db","call":"${id}"}\n`;
      written += 2;
    } else if (kind === 2 && written + 1 < events) {
      buffer += `{"ts":${ts},"type":"wait.start","wait":"w${call}","agent":"${agent}","for":{"call":"${id}"}}\n{"ts":${ts + 1},"type":"wait.end","wait":"w${call}","outcome":"delivered"}\n`;
      written += 2;
    }
    if (written < events) {
      buffer += `{"ts":${ts + 1},"type":"call.end","call":"${id}","status":"ok","output":{"hits":${call % 13}}}\n`;
      written++;
    }
    if (buffer.length > 1 << 20) flush();
  }
  flush();
  fs.closeSync(fd);
  return written;
}

/** CPU milliseconds (user and system) spent by `work`. */
async function cpuTime(work: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function stream(file: string): fs.ReadStream {
  return fs.createReadStream(file, { highWaterMark: 1 << 20 });
}

async function baselineMs(file: string): Promise<number> {
  return cpuTime(async () => {
    const splitter = new bundle.LineSplitter((line) => {
      if (line.length > 0) JSON.parse(line);
    });
    for await (const chunk of stream(file)) splitter.push(chunk as Buffer);
    splitter.end();
  });
}

async function readerMs(file: string, events: number): Promise<number> {
  class CountingBuilder extends bundle.TraceBuilder {
    override add(): void {
      this.eventCount++;
    }
  }
  const builder = new CountingBuilder();
  const ms = await cpuTime(async () => {
    await bundle.readTraceStream(stream(file), { format: 'native', builder });
  });
  if (builder.eventCount < events) throw new Error(`the reader produced ${builder.eventCount} events from ${events} lines`);
  return ms;
}

async function analysisMs(file: string, events: number): Promise<number> {
  let seen = 0;
  const ms = await cpuTime(async () => {
    const builder = await bundle.readTraceStream(stream(file), { format: 'native', retainClosedCalls: 2000 });
    bundle.analyzeTrace(builder);
    seen = builder.eventCount;
  });
  if (seen < events) throw new Error(`the analysis saw ${seen} events, expected ${events}`);
  return ms;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

const manualClock: FollowClock = { now: () => Date.now(), setInterval: () => ({ dispose() {} }) };

async function followMemory(folder: string, sizes: number[]): Promise<TraceBenchResult['followMemory']> {
  const results: TraceBenchResult['followMemory'] = [];
  for (const events of sizes) {
    const file = path.join(folder, `follow-${events}.jsonl`);
    writeNativeTrace(file, events);
    collectGarbage();
    const follower = new bundle.TraceFollower(file, bundle.nodeFollowFileSystem, manualClock, { chunkBytes: 1 << 20 });
    await follower.start();
    follower.stop();
    collectGarbage();
    const heapUsedBytes = process.memoryUsage().heapUsed;
    results.push({
      events,
      fileBytes: fs.statSync(file).size,
      heapUsedBytes,
      openCalls: follower.analyzer.builder.openCallCount,
      keptCalls: follower.analyzer.builder.calls.size,
    });
    fs.rmSync(file);
  }
  return results;
}

async function appendLatency(folder: string, samples: number, pollMs: number): Promise<TraceBenchResult['appendLatencyMs']> {
  const file = path.join(folder, 'latency.jsonl');
  writeNativeTrace(file, 10_000);
  const realClock: FollowClock = {
    now: () => Date.now(),
    setInterval: (callback, ms) => {
      const timer = setInterval(callback, ms);
      return { dispose: () => clearInterval(timer) };
    },
  };
  let seen: (() => void) | undefined;
  const follower = new bundle.TraceFollower(file, bundle.nodeFollowFileSystem, realClock, { pollMs }, {
    onAppend: () => {
      // What the editor does on each append: analyse and build the graph model.
      follower.analyzer.snapshot('latency.jsonl', Date.now());
      seen?.();
    },
  });
  await follower.start();

  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * pollMs));
    const arrived = new Promise<void>((resolve) => (seen = resolve));
    const start = performance.now();
    fs.appendFileSync(file, `{"ts":${Date.now()},"type":"call.start","call":"live-${i}","tool":"probe"}\n`);
    await arrived;
    latencies.push(performance.now() - start);
  }
  follower.stop();

  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1], samples, pollMs };
}

export async function runTraceBenchmarks(options: { events?: number; report?: (line: string) => void } = {}): Promise<TraceBenchResult> {
  const report = options.report ?? ((line: string) => process.stdout.write(`${line}\n`));
  const events = options.events ?? 1_000_000;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-bench-'));
  try {
    bundle = loadBundle(folder);
    const file = path.join(folder, 'native.jsonl');
    const written = writeNativeTrace(file, events);
    const fileBytes = fs.statSync(file).size;
    report(`traces: ${written} native events, ${(fileBytes / 1e6).toFixed(1)} MB`);

    // Warm up once, then keep the fastest of three runs of each, interleaved so that load from
    // other processes affects all three alike.
    await baselineMs(file);
    await readerMs(file, written);
    await analysisMs(file, written);
    let base = Infinity;
    let read = Infinity;
    let analyse = Infinity;
    for (let run = 0; run < 3; run++) {
      base = Math.min(base, await baselineMs(file));
      read = Math.min(read, await readerMs(file, written));
      analyse = Math.min(analyse, await analysisMs(file, written));
    }
    const perSecond = (ms: number): number => written / (ms / 1000);
    const readerRatio = base / read;
    const analysisRatio = base / analyse;
    report(`traces: JSON.parse per line alone ${(perSecond(base) / 1e3).toFixed(0)}k events per CPU second`);
    report(`traces: reading (parse and normalise) ${(perSecond(read) / 1e3).toFixed(0)}k events/s, ${(readerRatio * 100).toFixed(1)} % of JSON.parse (target >= 70 %)`);
    report(`traces: reading and analysing ${(perSecond(analyse) / 1e3).toFixed(0)}k events/s, ${(analysisRatio * 100).toFixed(1)} % of JSON.parse`);
    fs.rmSync(file);

    const memory = await followMemory(folder, [events / 10, events / 2, events].map(Math.round));
    for (const row of memory) {
      report(
        `traces: following ${row.events} events (${(row.fileBytes / 1e6).toFixed(1)} MB): heap ${(row.heapUsedBytes / 1e6).toFixed(1)} MB, ${row.openCalls} open calls, ${row.keptCalls} calls kept`,
      );
    }

    const latency = await appendLatency(folder, 40, 100);
    report(`traces: append to analysed view p50 ${latency.p50.toFixed(0)} ms, p95 ${latency.p95.toFixed(0)} ms, max ${latency.max.toFixed(0)} ms (poll ${latency.pollMs} ms, target < 250 ms)`);

    return {
      events: written,
      fileBytes,
      baselineEventsPerSecond: written / (base / 1000),
      readerEventsPerSecond: written / (read / 1000),
      analysisEventsPerSecond: written / (analyse / 1000),
      readerRatio,
      analysisRatio,
      followMemory: memory,
      appendLatencyMs: latency,
    };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const index = process.argv.indexOf('--events');
  const events = index >= 0 ? Number(process.argv[index + 1]) : undefined;
  runTraceBenchmarks({ events }).catch((error: unknown) => {
    process.stderr.write(`trace benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** Entry point of `npm run bench` (bench/run.ts): runs the trace benchmarks and prints each target as PASS or MISS. */
export async function runBench(): Promise<void> {
  const result = await runTraceBenchmarks();
  const verdict = (description: string, met: boolean): void => console.log(`${met ? 'PASS' : 'MISS'}  ${description}`);
  verdict(`reading a native trace at >= 70 % of JSON.parse per line: ${(result.readerRatio * 100).toFixed(1)} %`, result.readerRatio >= 0.7);
  const memory = result.followMemory;
  const growth = memory[memory.length - 1].heapUsedBytes / memory[0].heapUsedBytes;
  verdict(
    `memory while following stays flat from ${(memory[0].fileBytes / 1e6).toFixed(0)} MB to ${(memory[memory.length - 1].fileBytes / 1e6).toFixed(0)} MB: heap ×${growth.toFixed(2)}`,
    growth <= 1.5,
  );
  verdict(`appended event analysed within 250 ms: max ${result.appendLatencyMs.max.toFixed(0)} ms`, result.appendLatencyMs.max < 250);
}
