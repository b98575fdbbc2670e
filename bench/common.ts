/** Shared helpers for the benchmarks: a seeded random generator, medians and table output. */

/** Mulberry32: a small seeded generator, so every run measures the same inputs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `work` `runs` times after one warm-up and returns the median in milliseconds. */
export function timeMedian(runs: number, work: () => unknown): number {
  work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Times several pieces of work in alternation, `runs` rounds after one warm-up round, and
 * returns each one's median in milliseconds. The order is reversed every other round. The
 * development machine's speed drifts by up to half within seconds, so work timed in separate
 * blocks can meet different speeds. Alternating lets a ratio between the pieces compare like
 * with like.
 */
export function timeInterleavedMedians(runs: number, works: readonly (() => unknown)[]): number[] {
  for (const work of works) work();
  const times: number[][] = works.map(() => []);
  for (let round = 0; round < runs; round++) {
    const order = works.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) {
      const start = performance.now();
      works[index]();
      times[index].push(performance.now() - start);
    }
  }
  return times.map(median);
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function formatMs(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column])).join('  ');
  console.log(line(headers));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function machineSummary(): string {
  const os = require('node:os') as typeof import('node:os');
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
