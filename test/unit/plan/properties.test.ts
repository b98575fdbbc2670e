/**
 * Property tests: the analysis of thousands of random small plans is compared with a
 * brute-force reference built on a transitive closure.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { checkPlan } from '../../../src/core/plan/check';
import type { PlanAnalysis } from '../../../src/core/plan/analysisTypes';

interface RandomPlan {
  size: number;
  /** Dependencies per step, as indices; `size` and above stand for unknown ids. */
  dependencies: number[][];
  locks: string[][];
}

const randomPlan: fc.Arbitrary<RandomPlan> = fc.integer({ min: 1, max: 8 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    dependencies: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: size + 1 }), { maxLength: 4 }), { minLength: size, maxLength: size }),
    locks: fc.array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), { minLength: size, maxLength: size }),
  }),
);

function idOf(index: number): string {
  return `s${index}`;
}

function planText(plan: RandomPlan, withLocks: boolean): string {
  return JSON.stringify({
    steps: plan.dependencies.map((dependencies, index) => ({
      id: idOf(index),
      tool: 't',
      depends_on: dependencies.map((dependency) => (dependency < plan.size ? idOf(dependency) : `missing${dependency}`)),
      ...(withLocks ? { locks: plan.locks[index] } : {}),
    })),
  });
}

/** Reachability over dependency edges between distinct known steps. */
function closure(plan: RandomPlan): boolean[][] {
  const n = plan.size;
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  plan.dependencies.forEach((dependencies, u) => {
    for (const v of dependencies) if (v < n && v !== u) reach[u][v] = true;
  });
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (reach[i][k] && reach[k][j]) reach[i][j] = true;
  return reach;
}

function reference(plan: RandomPlan) {
  const n = plan.size;
  const reach = closure(plan);
  const onCycle = new Set<number>();
  for (let v = 0; v < n; v++) if (reach[v][v]) onCycle.add(v);
  const self = new Set<number>();
  const missing = new Set<number>();
  plan.dependencies.forEach((dependencies, u) => {
    if (dependencies.includes(u)) self.add(u);
    if (dependencies.some((dependency) => dependency >= n)) missing.add(u);
  });
  const neverRuns = (v: number) => onCycle.has(v) || self.has(v) || missing.has(v);
  const blocked = new Set<number>();
  for (let u = 0; u < n; u++) {
    if (onCycle.has(u) || self.has(u)) continue;
    if (missing.has(u)) blocked.add(u);
    for (let v = 0; v < n; v++) if (reach[u][v] && neverRuns(v)) blocked.add(u);
  }
  const cyclicEdges: [number, number][] = [];
  plan.dependencies.forEach((dependencies, u) => {
    for (const v of dependencies) if (v < n && v !== u && reach[v][u]) cyclicEdges.push([u, v]);
  });
  return { reach, onCycle, self, blocked, cyclicEdges };
}

function stepsOf(analysis: PlanAnalysis, kind: string): Set<string> {
  return new Set(analysis.findings.filter((finding) => finding.kind === kind).flatMap((finding) => finding.steps));
}

describe('plan analysis properties', () => {
  it('finds exactly the steps on cycles', () => {
    fc.assert(
      fc.property(randomPlan, (plan) => {
        const expected = reference(plan);
        const analysis = checkPlan(planText(plan, false), 'json');
        assert.deepEqual([...stepsOf(analysis, 'cycle')].sort(), [...expected.onCycle].map(idOf).sort());
      }),
      { numRuns: 3000 },
    );
  });

  it('finds exactly the blocked steps', () => {
    fc.assert(
      fc.property(randomPlan, (plan) => {
        const expected = reference(plan);
        const analysis = checkPlan(planText(plan, false), 'json');
        assert.deepEqual([...stepsOf(analysis, 'blocked')].sort(), [...expected.blocked].map(idOf).sort());
      }),
      { numRuns: 3000 },
    );
  });

  it('covers every cyclic dependency with a real cycle', () => {
    fc.assert(
      fc.property(randomPlan, (plan) => {
        const expected = reference(plan);
        const text = planText(plan, false);
        const analysis = checkPlan(text, 'json');
        const cycles = analysis.findings.filter((finding) => finding.kind === 'cycle');
        const covered = new Set(cycles.flatMap((finding) => (finding.ranges ?? []).map((range) => range.start)));
        const parsed = JSON.parse(text) as { steps: { depends_on: string[] }[] };
        // Every dependency on a cycle is marked by some cycle finding.
        for (const [u, v] of expected.cyclicEdges) {
          const marked = cycles.some((finding) => (finding.ranges ?? []).some((range) => text.slice(range.start, range.end) === JSON.stringify(idOf(v)) && stepAt(text, range.start) === u));
          assert.ok(marked, `dependency ${idOf(u)} -> ${idOf(v)} is not marked`);
        }
        assert.ok(covered.size >= expected.cyclicEdges.length);
        // Each reported cycle is a real cycle: every step depends on the next one.
        for (const finding of cycles) {
          if (finding.data?.exampleCycle !== undefined) continue;
          finding.steps.forEach((step, k) => {
            const next = finding.steps[(k + 1) % finding.steps.length];
            assert.ok(parsed.steps[Number(step.slice(1))].depends_on.includes(next), `${step} does not depend on ${next}`);
          });
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('produces stages consistent with dependencies', () => {
    fc.assert(
      fc.property(randomPlan, (plan) => {
        const expected = reference(plan);
        const analysis = checkPlan(planText(plan, false), 'json');
        const clean = expected.onCycle.size === 0 && expected.self.size === 0 && expected.blocked.size === 0;
        assert.equal(analysis.stages !== undefined, clean);
        if (!analysis.stages) return;
        const stageOf = new Map<string, number>();
        analysis.stages.forEach((stage, index) => stage.forEach((id) => stageOf.set(id, index)));
        assert.equal(stageOf.size, plan.size);
        plan.dependencies.forEach((dependencies, u) => {
          const own = stageOf.get(idOf(u))!;
          if (dependencies.length === 0) assert.equal(own, 0);
          else assert.equal(own, Math.max(...dependencies.map((v) => stageOf.get(idOf(v))!)) + 1);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('reports two-lock inversions exactly between concurrent steps', () => {
    fc.assert(
      fc.property(randomPlan, (plan) => {
        const expected = reference(plan);
        const analysis = checkPlan(planText(plan, true), 'json');
        const runnable = (v: number) => !expected.onCycle.has(v) && !expected.self.has(v) && !expected.blocked.has(v);
        const before = (v: number, first: string, second: string) => {
          const list = plan.locks[v];
          return list.indexOf(first) !== -1 && list.indexOf(second) !== -1 && list.indexOf(first) < list.indexOf(second);
        };
        const involved = new Set<string>();
        for (let u = 0; u < plan.size; u++) {
          for (let v = 0; v < plan.size; v++) {
            if (u === v || !runnable(u) || !runnable(v) || expected.reach[u][v] || expected.reach[v][u]) continue;
            for (const [first, second] of [['a', 'b'], ['a', 'c'], ['b', 'c'], ['b', 'a'], ['c', 'a'], ['c', 'b']]) {
              if (before(u, first, second) && before(v, second, first)) {
                involved.add(idOf(u));
                involved.add(idOf(v));
              }
            }
          }
        }
        const twoLock = analysis.findings.filter((finding) => finding.kind === 'lock-order-inversion' && finding.locks?.length === 2);
        assert.deepEqual([...new Set(twoLock.flatMap((finding) => finding.steps))].sort(), [...involved].sort());
      }),
      { numRuns: 3000 },
    );
  });
});

/** Index of the step whose object contains the offset, in the generated JSON. */
function stepAt(text: string, offset: number): number {
  const before = text.slice(0, offset);
  return (before.match(/"id":/g)?.length ?? 0) - 1;
}
