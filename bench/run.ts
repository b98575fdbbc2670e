/**
 * `npm run bench`: every benchmark in one run, with medians and ratios against the peers.
 * `--only NAME[,NAME]` picks some of: plans, traces, replay, editor, webview. `--full` also
 * runs the peer libraries on the 1,000,000-step plan, which takes several minutes.
 * The targets are checked here and printed as PASS or MISS, never in the timed tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machineSummary } from './common';
import { chainOverflowSizes, printPlanBench, runPlanBench, runYamlBench } from './plans';

async function main(): Promise<void> {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex === -1 ? undefined : new Set(process.argv[onlyIndex + 1].split(','));
  const wanted = (name: string) => !only || only.has(name);
  console.log(`Machine: ${machineSummary()}`);
  console.log(`Date: ${new Date().toISOString()}\n`);

  if (wanted('plans')) {
    console.log('## Plans: parse plus analysis, and graph plus strongly connected components\n');
    const rows = await runPlanBench(undefined, process.argv.includes('--full') ? Infinity : undefined);
    printPlanBench(rows);
    const at100k = rows.find((row) => row.steps === 100_000)!;
    const at10k = rows.find((row) => row.steps === 10_000)!;
    const at1m = rows.find((row) => row.steps === 1_000_000)!;
    // Time per step from 10,000 to 1,000,000 steps, for the check and for JSON.parse of the
    // same text. JSON.parse is linear, yet its time per step grows here too with the heap and
    // the caches. The target therefore compares the check's growth with it, and both are printed.
    const growth = at1m.checkMs / 100 / at10k.checkMs;
    const parseGrowth = at1m.jsonParseMs / 100 / at10k.jsonParseMs;
    const relativeGrowth = growth / parseGrowth;
    console.log('');
    target(`parse + analysis of 100,000 steps within 3× JSON.parse: ${(at100k.checkMs / at100k.jsonParseMs).toFixed(2)}×`, at100k.checkMs <= 3 * at100k.jsonParseMs);
    const speedUp = typeof at100k.graphologyMs === 'number' ? at100k.graphologyMs / at100k.ourSccMs : Infinity;
    target(`graph + SCC at least 10× faster than graphology at 100,000 steps: ${speedUp.toFixed(1)}×`, speedUp >= 10);
    target(
      `linear growth from 10,000 to 1,000,000 steps: time per step ×${growth.toFixed(2)}, JSON.parse ×${parseGrowth.toFixed(2)}, relative ×${relativeGrowth.toFixed(2)}`,
      relativeGrowth <= 1.5,
    );
    const overflow = await chainOverflowSizes();
    const describe = (size: number | undefined) => (size === undefined ? 'no overflow up to the largest size tried' : `stack overflow at ${size.toLocaleString('en-US')} steps`);
    console.log(`\nDependency chains: ours ${describe(overflow.ours)} (1,000,000 tried); graphology ${describe(overflow.graphology)}; graphlib ${describe(overflow.graphlib)} (50,000 tried)`);
    target('no stack overflow on a 1,000,000-step chain', overflow.ours === undefined);
    const yaml = runYamlBench();
    console.log(`\nYAML, ${yaml.steps.toLocaleString('en-US')} steps: yaml.parse ${yaml.yamlParseMs.toFixed(0)} ms, check ${yaml.checkMs.toFixed(0)} ms\n`);
  }

  // Benchmarks of other areas register as bench/<name>.ts exporting `runBench(): Promise<void>`.
  for (const name of ['traces', 'replay', 'editor', 'webview']) {
    if (!wanted(name)) continue;
    const file = path.join(__dirname, `${name}.ts`);
    if (!fs.existsSync(file)) continue;
    const module = (await import(file)) as { runBench?: () => Promise<void> };
    if (typeof module.runBench !== 'function') continue;
    console.log(`## ${name}\n`);
    await module.runBench();
    console.log('');
  }
}

export function target(description: string, met: boolean): void {
  console.log(`${met ? 'PASS' : 'MISS'}  ${description}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
