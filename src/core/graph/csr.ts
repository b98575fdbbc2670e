/**
 * A directed graph over the nodes 0..n-1 in compressed sparse row form: the successors of
 * node v are `targets[offsets[v] .. offsets[v + 1])`. Edge i is the i-th entry of `targets`.
 * Typed arrays keep million-node graphs compact and the traversals cache-friendly.
 */
export interface CsrGraph {
  readonly nodeCount: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/**
 * Builds a graph from parallel arrays of edge sources and targets. Edges keep their input
 * order within each source, so the edge index of input edge k is `edgeIndex[k]`.
 */
export function buildCsr(
  nodeCount: number,
  sources: ArrayLike<number>,
  destinations: ArrayLike<number>,
): { graph: CsrGraph; edgeIndex: Int32Array } {
  if (sources.length !== destinations.length) {
    throw new RangeError(`buildCsr: ${sources.length} sources but ${destinations.length} destinations`);
  }
  const edgeCount = sources.length;
  const offsets = new Int32Array(nodeCount + 1);
  for (let k = 0; k < edgeCount; k++) offsets[sources[k] + 1]++;
  for (let v = 0; v < nodeCount; v++) offsets[v + 1] += offsets[v];

  const cursor = offsets.slice(0, nodeCount);
  const targets = new Int32Array(edgeCount);
  const edgeIndex = new Int32Array(edgeCount);
  for (let k = 0; k < edgeCount; k++) {
    const slot = cursor[sources[k]]++;
    targets[slot] = destinations[k];
    edgeIndex[k] = slot;
  }
  return { graph: { nodeCount, offsets, targets }, edgeIndex };
}

/** Returns the graph with every edge reversed. Edge slot i of the result maps back through `original`. */
export function reverseCsr(graph: CsrGraph): { graph: CsrGraph; original: Int32Array } {
  const { nodeCount, offsets, targets } = graph;
  const reverseOffsets = new Int32Array(nodeCount + 1);
  for (let i = 0; i < targets.length; i++) reverseOffsets[targets[i] + 1]++;
  for (let v = 0; v < nodeCount; v++) reverseOffsets[v + 1] += reverseOffsets[v];

  const cursor = reverseOffsets.slice(0, nodeCount);
  const reverseTargets = new Int32Array(targets.length);
  const original = new Int32Array(targets.length);
  for (let v = 0; v < nodeCount; v++) {
    for (let i = offsets[v]; i < offsets[v + 1]; i++) {
      const slot = cursor[targets[i]]++;
      reverseTargets[slot] = v;
      original[slot] = i;
    }
  }
  return { graph: { nodeCount, offsets: reverseOffsets, targets: reverseTargets }, original };
}
