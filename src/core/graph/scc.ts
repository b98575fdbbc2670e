/**
 * Strongly connected components by Tarjan's algorithm (R. Tarjan, "Depth-first search and
 * linear graph algorithms", SIAM J. Computing 1(2), 1972), written with an explicit stack so
 * that a dependency chain of millions of nodes cannot overflow the call stack.
 */
import type { CsrGraph } from './csr';

export interface Components {
  /** Component number of each node. Components are numbered in reverse topological order: every edge goes from a higher or equal number to a lower or equal one. */
  component: Int32Array;
  /** Number of nodes in each component. */
  size: Int32Array;
  count: number;
}

export function stronglyConnectedComponents(graph: CsrGraph): Components {
  const { nodeCount, offsets, targets } = graph;
  const index = new Int32Array(nodeCount).fill(-1);
  const lowLink = new Int32Array(nodeCount);
  const component = new Int32Array(nodeCount).fill(-1);
  const stack = new Int32Array(nodeCount);
  const callStack = new Int32Array(nodeCount);
  const nextEdge = new Int32Array(nodeCount);
  let stackTop = 0;
  let nextIndex = 0;
  let count = 0;
  const sizes: number[] = [];

  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;

    let depth = 0;
    callStack[0] = root;
    index[root] = lowLink[root] = nextIndex++;
    nextEdge[root] = offsets[root];
    stack[stackTop++] = root;

    while (depth >= 0) {
      const v = callStack[depth];
      const edge = nextEdge[v];
      if (edge < offsets[v + 1]) {
        nextEdge[v] = edge + 1;
        const w = targets[edge];
        if (index[w] === -1) {
          index[w] = lowLink[w] = nextIndex++;
          nextEdge[w] = offsets[w];
          stack[stackTop++] = w;
          callStack[++depth] = w;
        } else if (component[w] === -1 && index[w] < lowLink[v]) {
          lowLink[v] = index[w];
        }
        continue;
      }

      if (lowLink[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--stackTop];
          component[w] = count;
          size++;
        } while (w !== v);
        sizes.push(size);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callStack[depth];
        if (lowLink[v] < lowLink[parent]) lowLink[parent] = lowLink[v];
      }
    }
  }

  return { component, size: Int32Array.from(sizes), count };
}

/** Returns true when node v lies on a cycle: in a component of two or more nodes, or with an edge to itself. */
export function isOnCycle(graph: CsrGraph, components: Components, v: number): boolean {
  if (components.size[components.component[v]] > 1) return true;
  for (let i = graph.offsets[v]; i < graph.offsets[v + 1]; i++) {
    if (graph.targets[i] === v) return true;
  }
  return false;
}
