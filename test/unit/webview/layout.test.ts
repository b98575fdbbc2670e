import assert from 'node:assert/strict';
import { test } from 'node:test';

import { forceLayout } from '../../../webview/layout/force';
import { countCrossings, layeredLayout, ROW_HEIGHT } from '../../../webview/layout/layered';

function y(positions: Float64Array, v: number): number {
  return positions[2 * v + 1];
}

/** Returns true when no two node centres are closer than `minimum` in both axes. */
function overlapping(positions: Float64Array, minimum: number): [number, number] | undefined {
  const n = positions.length / 2;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (Math.abs(positions[2 * a] - positions[2 * b]) < minimum && Math.abs(y(positions, a) - y(positions, b)) < minimum / 3) {
        return [a, b];
      }
    }
  }
  return undefined;
}

test('layered puts dependencies above dependents', () => {
  // 1 -> 0, 2 -> 1, 3 -> 0: edges point from a step to its dependency.
  const positions = layeredLayout({ nodeCount: 4, sources: [1, 2, 3], targets: [0, 1, 0] });
  assert.ok(y(positions, 0) < y(positions, 1));
  assert.ok(y(positions, 1) < y(positions, 2));
  assert.ok(y(positions, 0) < y(positions, 3));
  assert.equal(y(positions, 1), y(positions, 3), 'steps at the same depth share a layer');
});

test('layered keeps a cycle in one block', () => {
  // 0 <-> 1 <-> 2 form a cycle, 3 depends on 0, and 0 depends on 4.
  const positions = layeredLayout({ nodeCount: 5, sources: [0, 1, 2, 3, 0], targets: [1, 2, 0, 0, 4] });
  for (const v of [0, 1, 2]) assert.ok(y(positions, v) > y(positions, 4), `member ${v} sits below its dependency`);
  for (const v of [0, 1, 2]) assert.ok(y(positions, v) < y(positions, 3), `member ${v} sits above its dependent`);
  const span = Math.max(y(positions, 0), y(positions, 1), y(positions, 2)) - Math.min(y(positions, 0), y(positions, 1), y(positions, 2));
  assert.ok(span <= ROW_HEIGHT, 'a three-member block spans at most two grid rows');
  assert.equal(overlapping(positions, 100), undefined);
});

test('layered uses complete stages', () => {
  const positions = layeredLayout({ nodeCount: 3, sources: [1], targets: [0], layers: [0, 1, 3] });
  assert.ok(y(positions, 2) > y(positions, 1), 'a stage-3 node sits below a stage-1 node');
});

test('layered handles a self-loop and isolated nodes', () => {
  const positions = layeredLayout({ nodeCount: 3, sources: [0], targets: [0] });
  assert.equal(positions.length, 6);
  for (const value of positions) assert.ok(Number.isFinite(value));
  assert.equal(overlapping(positions, 100), undefined);
});

test('barycentre sweeps remove avoidable crossings', () => {
  // Two chains whose initial order crosses: a0 <- b1, a1 <- b0 with a ladder below.
  const sources = [2, 3, 4, 5];
  const targets = [1, 0, 2, 3];
  const positions = layeredLayout({ nodeCount: 6, sources, targets });
  assert.equal(countCrossings(positions, sources, targets), 0);
});

test('layered lays out 5,000 nodes without overlap in rows', () => {
  const n = 5000;
  const sources: number[] = [];
  const targets: number[] = [];
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let v = 1; v < n; v++) {
    for (let e = 0; e < 3; e++) {
      sources.push(v);
      targets.push(Math.floor(random() * v));
    }
  }
  const started = performance.now();
  const positions = layeredLayout({ nodeCount: n, sources, targets });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  const seen = new Set<string>();
  for (let v = 0; v < n; v++) {
    const key = `${positions[2 * v]},${positions[2 * v + 1]}`;
    assert.ok(!seen.has(key), `two nodes share the centre ${key}`);
    seen.add(key);
  }
  for (let k = 0; k < sources.length; k++) assert.ok(y(positions, sources[k]) > y(positions, targets[k]));
});

test('force layout is deterministic and spreads nodes', () => {
  const sources = [0, 1, 2, 3];
  const targets = [1, 2, 3, 0];
  const first = forceLayout({ nodeCount: 5, sources, targets });
  const second = forceLayout({ nodeCount: 5, sources, targets });
  assert.deepEqual(first, second);
  for (const value of first) assert.ok(Number.isFinite(value));
  assert.equal(overlapping(first, 20), undefined);
});
