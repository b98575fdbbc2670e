/**
 * Force-directed layout for wait-for graphs after Fruchterman and Reingold ("Graph drawing by
 * force-directed placement", Software: Practice and Experience 21(11), 1991). Repulsion is
 * computed only between nodes in the same or adjacent cells of a uniform grid, as the paper
 * suggests, so one iteration costs about O(n + m) instead of O(n²). A weak pull towards the
 * origin keeps disconnected parts close. The start positions come from a seeded generator, so
 * the same graph always gets the same picture.
 */

/** Ideal edge length in graph units. */
const IDEAL_LENGTH = 120;
/** Share of its distance from the origin that a node is pulled back each iteration, before the temperature cap. */
const GRAVITY = 0.002;
const MAX_REPULSION_CHECKS = 96;

export interface ForceInput {
  nodeCount: number;
  sources: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Upper bound on iterations; large graphs get fewer so the layout ends in about a second. */
  maxIterations?: number;
}

export function forceLayout(input: ForceInput): Float64Array {
  const { nodeCount: n, sources, targets } = input;
  const positions = new Float64Array(n * 2);
  if (n === 0) return positions;

  const k = IDEAL_LENGTH;
  const cell = 2 * k;
  const spread = k * Math.sqrt(n);
  let seed = 0x9e3779b9;
  const random = (): number => {
    // Mulberry32: small, fast and good enough for start positions.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    positions[2 * i] = (random() - 0.5) * spread;
    positions[2 * i + 1] = (random() - 0.5) * spread;
  }

  const iterations = Math.min(input.maxIterations ?? 300, Math.max(50, Math.floor(2_000_000 / (n + sources.length))));
  const displacement = new Float64Array(n * 2);
  const cellOf = new Int32Array(n);
  const next = new Int32Array(n);
  let temperature = spread / 10;
  const cooling = Math.pow(0.01, 1 / iterations);

  for (let iteration = 0; iteration < iterations; iteration++) {
    displacement.fill(0);

    // Bucket the nodes into grid cells, as linked lists threaded through `next`.
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, positions[2 * i]);
      maxX = Math.max(maxX, positions[2 * i]);
      minY = Math.min(minY, positions[2 * i + 1]);
      maxY = Math.max(maxY, positions[2 * i + 1]);
    }
    const gridWidth = Math.max(1, Math.min(4096, Math.floor((maxX - minX) / cell) + 1));
    const gridHeight = Math.max(1, Math.min(4096, Math.floor((maxY - minY) / cell) + 1));
    const head = new Int32Array(gridWidth * gridHeight).fill(-1);
    for (let i = 0; i < n; i++) {
      const cx = Math.min(gridWidth - 1, Math.floor((positions[2 * i] - minX) / cell));
      const cy = Math.min(gridHeight - 1, Math.floor((positions[2 * i + 1] - minY) / cell));
      const c = cy * gridWidth + cx;
      cellOf[i] = c;
      next[i] = head[c];
      head[c] = i;
    }

    // Repulsion k²/d between nodes in neighbouring cells. In a dense cluster each node looks
    // at no more than MAX_REPULSION_CHECKS others, which keeps an iteration linear while the
    // cluster spreads out.
    for (let i = 0; i < n; i++) {
      const cx = cellOf[i] % gridWidth;
      const cy = (cellOf[i] - cx) / gridWidth;
      let checks = 0;
      for (let dy = -1; dy <= 1 && checks < MAX_REPULSION_CHECKS; dy++) {
        const y = cy + dy;
        if (y < 0 || y >= gridHeight) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const x = cx + dx;
          if (x < 0 || x >= gridWidth) continue;
          for (let j = head[y * gridWidth + x]; j !== -1 && checks < MAX_REPULSION_CHECKS; j = next[j]) {
            if (j === i) continue;
            checks++;
            let ddx = positions[2 * i] - positions[2 * j];
            let ddy = positions[2 * i + 1] - positions[2 * j + 1];
            let distanceSquared = ddx * ddx + ddy * ddy;
            if (distanceSquared < 1e-6) {
              ddx = random() - 0.5;
              ddy = random() - 0.5;
              distanceSquared = ddx * ddx + ddy * ddy;
            }
            if (distanceSquared > cell * cell) continue;
            const factor = (k * k) / distanceSquared;
            displacement[2 * i] += ddx * factor;
            displacement[2 * i + 1] += ddy * factor;
          }
        }
      }
    }

    // Attraction d²/k along edges.
    for (let e = 0; e < sources.length; e++) {
      const a = sources[e];
      const b = targets[e];
      if (a === b) continue;
      const ddx = positions[2 * a] - positions[2 * b];
      const ddy = positions[2 * a + 1] - positions[2 * b + 1];
      const distance = Math.sqrt(ddx * ddx + ddy * ddy) || 1e-3;
      const factor = distance / k;
      displacement[2 * a] -= ddx * factor;
      displacement[2 * a + 1] -= ddy * factor;
      displacement[2 * b] += ddx * factor;
      displacement[2 * b + 1] += ddy * factor;
    }

    // Move each node at most `temperature` along its displacement, with a pull to the origin.
    for (let i = 0; i < n; i++) {
      const dx = displacement[2 * i] - positions[2 * i] * GRAVITY;
      const dy = displacement[2 * i + 1] - positions[2 * i + 1] * GRAVITY;
      const length = Math.sqrt(dx * dx + dy * dy);
      if (length > 0) {
        const step = Math.min(length, temperature) / length;
        positions[2 * i] += dx * step;
        positions[2 * i + 1] += dy * step;
      }
    }
    temperature *= cooling;
  }
  return positions;
}
