/**
 * Plan benchmark: parse plus full analysis against `JSON.parse` alone, and building the
 * graph plus strongly connected components against graphology and @dagrejs/graphlib, on
 * generated plans with about three dependencies per step.
 */
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents as graphologyScc } from 'graphology-components';
import { parse as parseYaml } from 'yaml';
import { stringify as stringifyYaml } from 'yaml';
import { checkPlan } from '../src/core/plan/check';
import { buildCsr } from '../src/core/graph/csr';
import { stronglyConnectedComponents } from '../src/core/graph/scc';
import { collectGarbage, formatMs, printTable, seededRandom, timeInterleavedMedians, timeMedian } from './common';

interface RawStep {
  id: string;
  tool: string;
  depends_on: string[];
}

/** Generates a plan in which each step depends on up to three earlier steps, mostly nearby ones. */
export function generatePlan(size: number, seed = 1): RawStep[] {
  const random = seededRandom(seed);
  const steps: RawStep[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const dependencies = new Set<number>();
    const wanted = Math.min(i, 3);
    while (dependencies.size < wanted) {
      const near = random() < 0.7;
      const target = near ? i - 1 - Math.floor(random() * Math.min(i, 20)) : Math.floor(random() * i);
      dependencies.add(target);
    }
    steps[i] = { id: `step_${i}`, tool: `tool_${i % 17}`, depends_on: [...dependencies].map((d) => `step_${d}`) };
  }
  return steps;
}

function ourGraphAndScc(steps: RawStep[]): number {
  const index = new Map<string, number>();
  for (let i = 0; i < steps.length; i++) index.set(steps[i].id, i);
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    for (const dependency of steps[i].depends_on) {
      const target = index.get(dependency);
      if (target !== undefined) {
        sources.push(i);
        targets.push(target);
      }
    }
  }
  const { graph } = buildCsr(steps.length, sources, targets);
  return stronglyConnectedComponents(graph).count;
}

function graphologyGraphAndScc(steps: RawStep[]): number {
  const graph = new DirectedGraph();
  for (const step of steps) graph.addNode(step.id);
  for (const step of steps) for (const dependency of step.depends_on) graph.mergeEdge(step.id, dependency);
  return graphologyScc(graph).length;
}

type Graphlib = typeof import('@dagrejs/graphlib', { with: { 'resolution-mode': 'import' } });

function graphlibGraphAndScc(graphlib: Graphlib, steps: RawStep[]): number {
  const graph = new graphlib.Graph({ directed: true });
  for (const step of steps) graph.setNode(step.id);
  for (const step of steps) for (const dependency of step.depends_on) graph.setEdge(step.id, dependency);
  return graphlib.alg.tarjan(graph).length;
}

/** Runs a peer, reporting a stack overflow instead of failing the whole benchmark. */
function timePeer(runs: number, work: () => unknown): number | 'overflow' {
  try {
    return timeMedian(runs, work);
  } catch (error) {
    if (error instanceof RangeError) return 'overflow';
    throw error;
  }
}

export interface PlanBenchRow {
  steps: number;
  jsonParseMs: number;
  checkMs: number;
  ourSccMs: number;
  graphologyMs: number | 'overflow' | undefined;
  graphlibMs: number | 'overflow' | undefined;
  retainedBytesPerStep: number;
}

/**
 * Peers run up to `peerLimit` steps: at 1,000,000 steps graphology and graphlib take minutes
 * per run on a 2-core machine, which would dominate the whole benchmark.
 */
export async function runPlanBench(sizes = [1_000, 10_000, 100_000, 1_000_000], peerLimit = 100_000): Promise<PlanBenchRow[]> {
  // graphlib is an ES module; a dynamic import loads it from this CommonJS file.
  const graphlib = await import('@dagrejs/graphlib');
  const rows: PlanBenchRow[] = [];
  for (const size of sizes) {
    const steps = generatePlan(size);
    const text = JSON.stringify({ steps }, null, 1);
    const large = size >= 100_000;
    let runs = large ? 11 : 21;
    if (size >= 1_000_000) runs = 5;
    const peerRuns = large ? 3 : 7;

    const [jsonParseMs, checkMs] = timeInterleavedMedians(runs, [() => JSON.parse(text), () => checkPlan(text, 'json')]);
    const parsed = (JSON.parse(text) as { steps: RawStep[] }).steps;
    const ourSccMs = timeMedian(runs, () => ourGraphAndScc(parsed));
    const peers = size <= peerLimit;
    const graphologyMs = peers ? timePeer(peerRuns, () => graphologyGraphAndScc(parsed)) : undefined;
    const graphlibMs = peers ? timePeer(peerRuns, () => graphlibGraphAndScc(graphlib, parsed)) : undefined;

    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const analysis = checkPlan(text, 'json');
    collectGarbage();
    const retained = process.memoryUsage().heapUsed - before;
    if (analysis.findings.length !== 0) throw new Error(`generated plan of ${size} steps has findings`);

    rows.push({ steps: size, jsonParseMs, checkMs, ourSccMs, graphologyMs, graphlibMs, retainedBytesPerStep: retained / size });
    console.error(`  plans: ${size} steps done`);
  }
  return rows;
}

/**
 * Finds, for each library, the shortest dependency chain (each step depending on the one
 * before it, visited from its start) on which its strongly connected components overflow
 * the stack, among a few sizes. Ours is included to show that it never does.
 */
export async function chainOverflowSizes(sizes = [1_000, 2_000, 3_000, 5_000, 8_000, 12_000, 20_000, 50_000, 1_000_000]): Promise<Record<string, number | undefined>> {
  const graphlib = await import('@dagrejs/graphlib');
  const result: Record<string, number | undefined> = { ours: undefined, graphology: undefined, graphlib: undefined };
  for (const size of sizes) {
    const chain: RawStep[] = Array.from({ length: size }, (_, i) => ({ id: `s${i}`, tool: 't', depends_on: i + 1 < size ? [`s${i + 1}`] : [] }));
    const attempts: [string, () => unknown][] = [
      ['ours', () => ourGraphAndScc(chain)],
      ['graphology', () => graphologyGraphAndScc(chain)],
      ['graphlib', () => graphlibGraphAndScc(graphlib, chain)],
    ];
    for (const [name, work] of attempts) {
      if (result[name] !== undefined) continue;
      // The peers are slow on huge chains; past 50,000 steps only ours is tried.
      if (name !== 'ours' && size > 50_000) continue;
      try {
        work();
      } catch (error) {
        if (error instanceof RangeError) result[name] = size;
        else throw error;
      }
    }
  }
  return result;
}

export function runYamlBench(size = 10_000): { steps: number; yamlParseMs: number; checkMs: number } {
  const steps = generatePlan(size);
  const text = stringifyYaml({ steps });
  const yamlParseMs = timeMedian(3, () => parseYaml(text));
  const checkMs = timeMedian(3, () => checkPlan(text, 'yaml'));
  return { steps: size, yamlParseMs, checkMs };
}

const ratio = (a: number | 'overflow' | undefined, b: number) => (typeof a === 'number' ? `${(a / b).toFixed(1)}×` : a ?? 'n/a');

export function printPlanBench(rows: PlanBenchRow[]): void {
  printTable(
    ['steps', 'JSON.parse ms', 'check ms', 'check/JSON.parse', 'ns/step', 'graph+SCC ms', 'graphology ms', 'speed-up', 'graphlib ms', 'speed-up', 'retained B/step'],
    rows.map((row) => [
      row.steps.toLocaleString('en-US'),
      formatMs(row.jsonParseMs),
      formatMs(row.checkMs),
      `${(row.checkMs / row.jsonParseMs).toFixed(2)}×`,
      ((row.checkMs * 1e6) / row.steps).toFixed(0),
      formatMs(row.ourSccMs),
      typeof row.graphologyMs === 'number' ? formatMs(row.graphologyMs) : row.graphologyMs ?? 'n/a',
      ratio(row.graphologyMs, row.ourSccMs),
      typeof row.graphlibMs === 'number' ? formatMs(row.graphlibMs) : row.graphlibMs ?? 'n/a',
      ratio(row.graphlibMs, row.ourSccMs),
      row.retainedBytesPerStep.toFixed(0),
    ]),
  );
}
