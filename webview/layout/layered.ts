/**
 * Layered layout for dependency graphs, in the spirit of Sugiyama et al. ("Methods for visual
 * understanding of hierarchical system structures", IEEE SMC 11(2), 1981), cut down to what
 * stays fast at thousands of nodes:
 *
 * 1. Strongly connected components are condensed, so a cycle does not break layering. Each
 *    component becomes one block in which its members sit in a small grid.
 * 2. Blocks get layers from the engine's stages when those cover every node, otherwise from
 *    the longest dependency chain below them (dependencies on top, stage 0 first).
 * 3. Crossings are reduced with barycentre sweeps: each block moves towards the mean
 *    position of its neighbours in the layers already swept. Long edges get no dummy nodes,
 *    which keeps every sweep linear in the number of edges at the cost of some crossings.
 * 4. Rows wider than a limit wrap, and x coordinates pull each block towards its neighbours
 *    above without overlapping its left neighbour.
 *
 * Every pass is iterative over typed arrays. For n nodes and m edges it runs in
 * O(SWEEPS * (n log n + m)).
 */
import { buildCsr } from '../../src/core/graph/csr';
import { stronglyConnectedComponents } from '../../src/core/graph/scc';

/** Horizontal distance between node centres inside a block, in graph units. */
export const COLUMN_WIDTH = 150;
/** Vertical distance between node centres inside a block. */
export const ROW_HEIGHT = 70;
const BLOCK_GAP = 40;
const LAYER_GAP = 60;
const SWEEPS = 8;

export interface LayeredInput {
  nodeCount: number;
  sources: ArrayLike<number>;
  targets: ArrayLike<number>;
  layers?: ArrayLike<number>;
  widths?: ArrayLike<number>;
}

export function layeredLayout(input: LayeredInput): Float64Array {
  const { nodeCount, sources, targets } = input;
  const positions = new Float64Array(nodeCount * 2);
  if (nodeCount === 0) return positions;

  const { graph } = buildCsr(nodeCount, sources, targets);
  const scc = stronglyConnectedComponents(graph);
  const blockCount = scc.count;
  const blockOf = scc.component;

  // Members of each block, in node order.
  const memberStart = new Int32Array(blockCount + 1);
  for (let v = 0; v < nodeCount; v++) memberStart[blockOf[v] + 1]++;
  for (let b = 0; b < blockCount; b++) memberStart[b + 1] += memberStart[b];
  const members = new Int32Array(nodeCount);
  const fill = memberStart.slice(0, blockCount);
  for (let v = 0; v < nodeCount; v++) members[fill[blockOf[v]]++] = v;

  // Condensed edges between distinct blocks; duplicates are harmless for barycentres.
  const blockSources: number[] = [];
  const blockTargets: number[] = [];
  for (let k = 0; k < sources.length; k++) {
    const from = blockOf[sources[k]];
    const to = blockOf[targets[k]];
    if (from !== to) {
      blockSources.push(from);
      blockTargets.push(to);
    }
  }

  const layerOfBlock = assignLayers(blockCount, blockOf, blockSources, blockTargets, input.layers);
  const { columns, widthOf, heightOf } = blockSizes(blockCount, memberStart, members, input.widths);
  const rows = orderLayers(blockCount, layerOfBlock, blockSources, blockTargets);
  const wrapped = wrapRows(rows, widthOf, nodeCount);
  placeBlocks(wrapped, blockSources, blockTargets, blockCount, widthOf, heightOf, memberStart, members, columns, positions);
  return positions;
}

/**
 * Returns the layer of every block. Dependencies (edge targets) sit in lower layers than
 * their dependents. Tarjan numbers components in reverse topological order, so every
 * condensed edge goes from a higher block number to a lower one and one pass in increasing
 * order sees each block's dependencies first.
 */
function assignLayers(
  blockCount: number,
  blockOf: Int32Array,
  blockSources: number[],
  blockTargets: number[],
  stageLayers: ArrayLike<number> | undefined,
): Int32Array {
  const layer = new Int32Array(blockCount);
  if (stageLayers && stageLayers.length === blockOf.length) {
    const fromStages = new Int32Array(blockCount).fill(-1);
    let complete = true;
    for (let v = 0; v < blockOf.length && complete; v++) {
      const stage = stageLayers[v];
      if (stage < 0) complete = false;
      else if (stage > fromStages[blockOf[v]]) fromStages[blockOf[v]] = stage;
    }
    if (complete) return fromStages;
  }

  const { graph } = buildCsr(blockCount, blockSources, blockTargets);
  for (let b = 0; b < blockCount; b++) {
    let max = -1;
    for (let i = graph.offsets[b]; i < graph.offsets[b + 1]; i++) {
      const dependencyLayer = layer[graph.targets[i]];
      if (dependencyLayer > max) max = dependencyLayer;
    }
    layer[b] = max + 1;
  }
  return layer;
}

function blockSizes(
  blockCount: number,
  memberStart: Int32Array,
  members: Int32Array,
  widths: ArrayLike<number> | undefined,
): { columns: Int32Array; widthOf: Float64Array; heightOf: Float64Array } {
  const columns = new Int32Array(blockCount);
  const widthOf = new Float64Array(blockCount);
  const heightOf = new Float64Array(blockCount);
  for (let b = 0; b < blockCount; b++) {
    const size = memberStart[b + 1] - memberStart[b];
    const cols = Math.max(1, Math.ceil(Math.sqrt(size)));
    columns[b] = cols;
    let columnWidth = COLUMN_WIDTH;
    if (widths) {
      for (let i = memberStart[b]; i < memberStart[b + 1]; i++) {
        columnWidth = Math.max(columnWidth, widths[members[i]] + 20);
      }
    }
    widthOf[b] = cols * columnWidth;
    heightOf[b] = Math.ceil(size / cols) * ROW_HEIGHT;
  }
  return { columns, widthOf, heightOf };
}

/** Orders the blocks of every layer with alternating barycentre sweeps. */
function orderLayers(
  blockCount: number,
  layerOfBlock: Int32Array,
  blockSources: number[],
  blockTargets: number[],
): Int32Array[] {
  let layerCount = 0;
  for (let b = 0; b < blockCount; b++) layerCount = Math.max(layerCount, layerOfBlock[b] + 1);

  const counts = new Int32Array(layerCount);
  for (let b = 0; b < blockCount; b++) counts[layerOfBlock[b]]++;
  const layers = Array.from(counts, (count) => new Int32Array(count));
  const cursor = new Int32Array(layerCount);
  // Initial order: decreasing block number, which follows Tarjan's depth-first finishing order.
  for (let b = blockCount - 1; b >= 0; b--) layers[layerOfBlock[b]][cursor[layerOfBlock[b]]++] = b;

  // Undirected adjacency of the condensed graph.
  const doubledSources = new Int32Array(blockSources.length * 2);
  const doubledTargets = new Int32Array(blockSources.length * 2);
  for (let k = 0; k < blockSources.length; k++) {
    doubledSources[2 * k] = blockSources[k];
    doubledTargets[2 * k] = blockTargets[k];
    doubledSources[2 * k + 1] = blockTargets[k];
    doubledTargets[2 * k + 1] = blockSources[k];
  }
  const { graph: adjacency } = buildCsr(blockCount, doubledSources, doubledTargets);

  // Position of each block as a fraction of its layer's width, so layers of different sizes compare.
  const position = new Float64Array(blockCount);
  const updatePositions = (layer: Int32Array): void => {
    const scale = layer.length > 1 ? 1 / (layer.length - 1) : 0;
    for (let i = 0; i < layer.length; i++) position[layer[i]] = layer.length > 1 ? i * scale : 0.5;
  };
  layers.forEach(updatePositions);

  const barycentre = new Float64Array(blockCount);
  const sweepLayer = (l: number, fromBelow: boolean): void => {
    const layer = layers[l];
    for (let i = 0; i < layer.length; i++) {
      const b = layer[i];
      let sum = 0;
      let count = 0;
      for (let e = adjacency.offsets[b]; e < adjacency.offsets[b + 1]; e++) {
        const other = adjacency.targets[e];
        const otherLayer = layerOfBlock[other];
        if (fromBelow ? otherLayer < l : otherLayer > l) {
          sum += position[other];
          count++;
        }
      }
      // A block with no neighbours on the swept side keeps its place.
      barycentre[b] = count > 0 ? sum / count : position[b];
    }
    const sorted = Array.from(layer).sort((a, b) => barycentre[a] - barycentre[b] || position[a] - position[b]);
    layer.set(sorted);
    updatePositions(layer);
  };

  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    if (sweep % 2 === 0) {
      for (let l = 1; l < layerCount; l++) sweepLayer(l, true);
    } else {
      for (let l = layerCount - 2; l >= 0; l--) sweepLayer(l, false);
    }
  }
  return layers;
}

/** Splits layers wider than a limit into several rows, keeping the order. */
function wrapRows(layers: Int32Array[], widthOf: Float64Array, nodeCount: number): Int32Array[] {
  const limit = COLUMN_WIDTH * Math.max(24, Math.ceil(Math.sqrt(nodeCount) * 2));
  const rows: Int32Array[] = [];
  for (const layer of layers) {
    let start = 0;
    let width = 0;
    for (let i = 0; i < layer.length; i++) {
      const next = width + widthOf[layer[i]] + BLOCK_GAP;
      if (next > limit && i > start) {
        rows.push(layer.subarray(start, i));
        start = i;
        width = widthOf[layer[i]] + BLOCK_GAP;
      } else {
        width = next;
      }
    }
    if (start < layer.length) rows.push(layer.subarray(start));
  }
  return rows;
}

/**
 * Gives every block an x and y and every member its centre. Each row after the first pulls
 * its blocks towards the mean x of their neighbours in earlier rows, then shifts as a whole
 * so the pull is balanced left and right.
 */
function placeBlocks(
  rows: Int32Array[],
  blockSources: number[],
  blockTargets: number[],
  blockCount: number,
  widthOf: Float64Array,
  heightOf: Float64Array,
  memberStart: Int32Array,
  members: Int32Array,
  columns: Int32Array,
  positions: Float64Array,
): void {
  const doubledSources = new Int32Array(blockSources.length * 2);
  const doubledTargets = new Int32Array(blockSources.length * 2);
  for (let k = 0; k < blockSources.length; k++) {
    doubledSources[2 * k] = blockSources[k];
    doubledTargets[2 * k] = blockTargets[k];
    doubledSources[2 * k + 1] = blockTargets[k];
    doubledTargets[2 * k + 1] = blockSources[k];
  }
  const { graph: adjacency } = buildCsr(blockCount, doubledSources, doubledTargets);

  const centreX = new Float64Array(blockCount);
  const placed = new Uint8Array(blockCount);
  let top = 0;
  for (const row of rows) {
    // Desired centres from already placed neighbours.
    const desired = new Float64Array(row.length);
    let totalWidth = 0;
    for (let i = 0; i < row.length; i++) totalWidth += widthOf[row[i]] + BLOCK_GAP;
    let cursor = -totalWidth / 2;
    for (let i = 0; i < row.length; i++) {
      const b = row[i];
      let sum = 0;
      let count = 0;
      for (let e = adjacency.offsets[b]; e < adjacency.offsets[b + 1]; e++) {
        const other = adjacency.targets[e];
        if (placed[other]) {
          sum += centreX[other];
          count++;
        }
      }
      desired[i] = count > 0 ? sum / count : cursor + widthOf[b] / 2;
      cursor += widthOf[b] + BLOCK_GAP;
    }

    // Greedy left-to-right placement that never overlaps, then a shift that balances the pull.
    let right = -Infinity;
    let drift = 0;
    for (let i = 0; i < row.length; i++) {
      const b = row[i];
      const left = Math.max(right + BLOCK_GAP, desired[i] - widthOf[b] / 2);
      centreX[b] = left + widthOf[b] / 2;
      right = left + widthOf[b];
      drift += centreX[b] - desired[i];
    }
    const shift = row.length > 0 ? drift / row.length : 0;

    let rowHeight = 0;
    for (let i = 0; i < row.length; i++) {
      const b = row[i];
      centreX[b] -= shift;
      placed[b] = 1;
      rowHeight = Math.max(rowHeight, heightOf[b]);
      const cols = columns[b];
      const columnWidth = widthOf[b] / cols;
      const left = centreX[b] - widthOf[b] / 2;
      for (let m = memberStart[b]; m < memberStart[b + 1]; m++) {
        const slot = m - memberStart[b];
        const v = members[m];
        positions[2 * v] = left + (slot % cols) * columnWidth + columnWidth / 2;
        positions[2 * v + 1] = top + Math.floor(slot / cols) * ROW_HEIGHT + ROW_HEIGHT / 2;
      }
    }
    top += rowHeight + LAYER_GAP;
  }
}

/** Counts pairs of edges whose straight lines cross between adjacent layers, for tests and benchmarks. */
export function countCrossings(
  positions: Float64Array,
  sources: ArrayLike<number>,
  targets: ArrayLike<number>,
): number {
  // Only edges between two distinct rows are counted; each is oriented top to bottom.
  const segments: Array<[number, number, number, number]> = [];
  for (let k = 0; k < sources.length; k++) {
    let a = sources[k];
    let b = targets[k];
    if (positions[2 * a + 1] === positions[2 * b + 1]) continue;
    if (positions[2 * a + 1] > positions[2 * b + 1]) [a, b] = [b, a];
    segments.push([positions[2 * a], positions[2 * a + 1], positions[2 * b], positions[2 * b + 1]]);
  }
  let crossings = 0;
  for (let i = 0; i < segments.length; i++) {
    const [ax1, ay1, ax2, ay2] = segments[i];
    for (let j = i + 1; j < segments.length; j++) {
      const [bx1, by1, bx2, by2] = segments[j];
      if (ay1 !== by1 || ay2 !== by2) continue;
      if ((ax1 - bx1) * (ax2 - bx2) < 0) crossings++;
    }
  }
  return crossings;
}
