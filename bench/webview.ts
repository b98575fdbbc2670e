/**
 * Graph webview benchmark: first render of 1,000- and 5,000-step plans with the layered
 * layout in headless Chromium, the restyle of 1,000 nodes by a live-age refresh, and the
 * layouts alone in Node. Run with `npm run bench -- --only webview`, or alone with
 * `node --import tsx bench/webview.ts`. Needs `node scripts/build.mjs` first.
 * Targets, printed as PASS or MISS: 1,000 steps within 1 s, 5,000 within 4 s, and a
 * 1,000-node restyle within 5 ms in the batch and 120 ms to the next painted frame.
 */
import * as os from 'node:os';

import type { HostMessage } from '../src/shared/protocol';
import { openGraphPage, startHarness, type GraphPage } from '../test/webview/browser';
import { randomPlan, testStrings } from '../test/webview/fixtures';
import { THEMES } from '../test/webview/themes';
import { forceLayout } from '../webview/layout/force';
import { layeredLayout } from '../webview/layout/layered';

interface RenderSample {
  totalMs: number;
  layoutMs: number;
  cytoscapeMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function report(description: string, met: boolean): void {
  console.log(`${met ? 'PASS' : 'MISS'}  ${description}`);
}

/** Posts `init` (or `update`) and measures, inside the page, the time until the frame after the render is painted. */
async function firstRender(graph: GraphPage, message: HostMessage): Promise<RenderSample> {
  return graph.page.evaluate(
    (data) =>
      new Promise<RenderSample>((resolve) => {
        const started = performance.now();
        document.addEventListener(
          'agent-deadlock:rendered',
          (event) => {
            const detail = (event as CustomEvent<{ layoutMs: number; cytoscapeMs: number }>).detail;
            requestAnimationFrame(() =>
              requestAnimationFrame(() => resolve({ totalMs: performance.now() - started, layoutMs: detail.layoutMs, cytoscapeMs: detail.cytoscapeMs })),
            );
          },
          { once: true },
        );
        window.postMessage(data, '*');
      }),
    message as unknown,
  );
}

/** Applies live ages to every node: returns the synchronous batch time and the time to the next painted frame. */
async function restyle(graph: GraphPage, ids: string[], now: number): Promise<{ batchMs: number; frameMs: number }> {
  return graph.page.evaluate(
    ({ ids, now }) =>
      new Promise<{ batchMs: number; frameMs: number }>((resolve) => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { applyAges(now: number, calls: unknown[]): void } } }).__agentDeadlockGraph.view();
        const calls = ids.map((id, index) => ({ id, startedAt: now - (index % 10) * 1000, timeoutMs: 10_000, status: 'running' }));
        const started = performance.now();
        view.applyAges(now, calls);
        const batchMs = performance.now() - started;
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({ batchMs, frameMs: performance.now() - started })));
      }),
    { ids, now },
  );
}

/** Builds an `init` for a random plan. `grid` is Cytoscape's own grid layout, measured as the floor to compare with. */
function initFor(steps: number, layout: 'layered' | 'grid' = 'layered'): HostMessage {
  const model = randomPlan(steps, 3, Math.max(1, Math.floor(steps / 500)));
  return {
    type: 'init',
    model,
    strings: testStrings(),
    options: { condenseThreshold: 100_000, stockLayoutMaxNodes: layout === 'grid' ? 1_000_000 : 300 },
    state: { documentUri: `file:///bench/${model.title}`, layout },
  };
}

function layoutsInNode(): void {
  console.log('Layouts alone in Node (median of 3, ms):');
  console.log('   steps  layered    force');
  for (const steps of [1_000, 5_000, 20_000]) {
    const model = randomPlan(steps, 3, Math.max(1, Math.floor(steps / 500)));
    const index = new Map(model.nodes.map((node, i) => [node.id, i]));
    const sources = Int32Array.from(model.edges.map((edge) => index.get(edge.source)!));
    const targets = Int32Array.from(model.edges.map((edge) => index.get(edge.target)!));
    const time = (work: () => void): number => {
      const samples: number[] = [];
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        work();
        samples.push(performance.now() - started);
      }
      return median(samples);
    };
    const layered = time(() => layeredLayout({ nodeCount: steps, sources, targets }));
    const force = time(() => forceLayout({ nodeCount: steps, sources, targets }));
    console.log(`${String(steps).padStart(8)}  ${layered.toFixed(0).padStart(7)}  ${force.toFixed(0).padStart(7)}`);
  }
  console.log('');
}

export async function runBench(): Promise<void> {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  layoutsInNode();

  const harness = await startHarness();
  try {
    console.log(`Chromium: ${harness.browser.version()}, viewport 1280 × 800`);
    const results = new Map<number, RenderSample>();
    const runs = 3;
    for (const steps of [1_000, 5_000]) {
      // Layered and grid runs alternate, so a change in machine load hits both alike.
      const samples = { layered: [] as RenderSample[], grid: [] as RenderSample[] };
      for (let run = 0; run < runs; run++) {
        for (const layout of ['layered', 'grid'] as const) {
          const graph = await openGraphPage(harness, THEMES.dark, { width: 1280, height: 800 });
          try {
            samples[layout].push(await firstRender(graph, initFor(steps, layout)));
          } finally {
            await graph.close();
          }
        }
      }
      for (const layout of ['layered', 'grid'] as const) {
        const pick = (key: keyof RenderSample): number => median(samples[layout].map((sample) => sample[key]));
        const sample = { totalMs: pick('totalMs'), layoutMs: pick('layoutMs'), cytoscapeMs: pick('cytoscapeMs') };
        if (layout === 'layered') results.set(steps, sample);
        console.log(
          `first render, ${steps.toLocaleString('en-US')} steps, ${layout} (median of ${runs}): ${sample.totalMs.toFixed(0)} ms ` +
            `(worker layout ${sample.layoutMs.toFixed(0)} ms, Cytoscape with any stock layout ${sample.cytoscapeMs.toFixed(0)} ms, ` +
            'the rest is message validation, element building and paint)',
        );
      }
    }

    const graph = await openGraphPage(harness, THEMES.dark, { width: 1280, height: 800 });
    let batch = 0;
    let frame = 0;
    try {
      const message = initFor(1_000);
      await firstRender(graph, message);
      const ids = message.type === 'init' ? message.model.nodes.map((node) => node.id) : [];
      const batches: number[] = [];
      const frames: number[] = [];
      const now = Date.now();
      for (let run = 0; run < 7; run++) {
        const sample = await restyle(graph, ids, now + run * 1500);
        batches.push(sample.batchMs);
        frames.push(sample.frameMs);
      }
      batch = median(batches);
      frame = median(frames);
      console.log(`restyle of 1,000 nodes (median of 7): ${batch.toFixed(1)} ms in the batch, ${frame.toFixed(0)} ms to the painted frame`);
    } finally {
      await graph.close();
    }
    // A live update after an edit: one step changes its status, so the drawn graph is patched.
    const updatePage = await openGraphPage(harness, THEMES.dark, { width: 1280, height: 800 });
    try {
      const message = initFor(5_000);
      await firstRender(updatePage, message);
      if (message.type === 'init') {
        const edited = structuredClone(message.model);
        edited.nodes[10].status = 'blocked';
        const sample = await firstRender(updatePage, { type: 'update', model: edited });
        console.log(`update of 5,000 steps after an edit: ${sample.totalMs.toFixed(0)} ms to the painted frame (layout ${sample.layoutMs.toFixed(0)} ms)`);
      }
    } finally {
      await updatePage.close();
    }

    console.log('');
    report(`first render of 1,000 steps within 1 s: ${results.get(1_000)!.totalMs.toFixed(0)} ms`, results.get(1_000)!.totalMs <= 1000);
    report(`first render of 5,000 steps within 4 s: ${results.get(5_000)!.totalMs.toFixed(0)} ms`, results.get(5_000)!.totalMs <= 4000);
    report(`restyle of 1,000 nodes within 5 ms in the batch: ${batch.toFixed(1)} ms`, batch <= 5);
    report(`restyle of 1,000 nodes within 120 ms to the frame: ${frame.toFixed(0)} ms`, frame <= 120);
  } finally {
    await harness.close();
  }
}

if (require.main === module) {
  runBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
