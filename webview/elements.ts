/**
 * Turns a `GraphModel` into the nodes and edges Cytoscape draws. Cytoscape ids are the model
 * id with a prefix (`n:` for nodes, `c` and the number for components, `e:` for edges), so
 * they stay the same across edits and an update can reuse the drawn elements. They are only
 * passed to `getElementById`, never written into a selector, because model ids are arbitrary
 * text. Labels are drawn on a canvas, so they are never parsed as HTML.
 */
import type { GraphModel, GraphNode, NodeStatus } from '../src/shared/graphModel';
import { formatString, type WebviewStrings } from '../src/shared/protocol';

/** Estimated width of one label character in graph units at the default font size. */
const CHARACTER_WIDTH = 7.6;
const MIN_NODE_WIDTH = 60;
const MAX_NODE_WIDTH = 260;

export interface ViewNode {
  /** Cytoscape id. */
  id: string;
  modelId: string;
  label: string;
  /** Text drawn in the node: the label, plus the live age on a second line when known. */
  display: string;
  width: number;
  textWidth: number;
  classes: string[];
  /** Cytoscape id of the compound parent drawn around a strongly connected component. */
  parent?: string;
  /** Model node, absent for compound parents and condensed components. */
  node?: GraphNode;
  /** Component number for compound parents and condensed components. */
  component?: number;
  /** Number of model nodes a condensed component stands for. */
  memberCount?: number;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  classes: string[];
  /** Index into `model.edges`, or -1 for an edge between condensed components. */
  modelIndex: number;
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Cytoscape id of each drawn model node; members of a condensed component map to it. */
  viewIdOfModel: Map<string, string>;
  /** Leaf nodes (not compound parents) in layout order. */
  leaves: ViewNode[];
  /** Components drawn as one node. */
  condensed: Set<number>;
  /** Number shown for each component id: its position in `model.components`, from 1. */
  componentNumber: Map<number, number>;
  /** True when components are drawn as box nodes behind their members instead of compound parents. */
  boxes: boolean;
}

export function statusClass(status: NodeStatus): string[] {
  const classes = [`status-${status}`];
  switch (status) {
    case 'cycle':
      classes.push('cycle');
      break;
    case 'blocked':
      classes.push('blocked');
      break;
    case 'missing':
      classes.push('missing');
      break;
    case 'running':
      classes.push('running');
      break;
    case 'timeout':
      classes.push('timed-out');
      break;
    case 'killed':
      classes.push('killed');
      break;
    case 'stranded':
      classes.push('stranded');
      break;
    default:
      break;
  }
  return classes;
}

export function nodeWidth(label: string): number {
  const longest = label.split('\n').reduce((max, line) => Math.max(max, line.length), 0);
  return Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH, Math.ceil(longest * CHARACTER_WIDTH) + 24));
}

/**
 * Builds the drawn graph. Components in `condensedComponents` become one node each, with
 * edges to and from their members merged. The rest of the components get a compound parent,
 * or with `boxes` a plain node that the caller sizes and places behind the members. Large
 * graphs use boxes because Cytoscape 3.35 rebuilds collections on every style change of
 * every element once any compound node exists, which made the first render of 5,000 steps
 * take seconds longer.
 */
export function buildViewGraph(
  model: GraphModel,
  condensedComponents: ReadonlySet<number>,
  strings: WebviewStrings,
  boxes = false,
): ViewGraph {
  const nodes: ViewNode[] = [];
  const leaves: ViewNode[] = [];
  const viewIdOfModel = new Map<string, string>();
  const componentOfModel = new Map<string, number>();
  const condensed = new Set<number>();

  for (const component of model.components) {
    for (const member of component.members) componentOfModel.set(member, component.id);
  }

  const componentNumber = new Map<number, number>();
  for (const [index, component] of model.components.entries()) {
    componentNumber.set(component.id, index + 1);
    const viewId = `c${component.id}`;
    const isCondensed = condensedComponents.has(component.id);
    const label = isCondensed
      ? formatString(strings.expandComponent, index + 1, component.members.length)
      : formatString(strings.cycleOf, index + 1, component.members.length);
    const viewNode: ViewNode = {
      id: viewId,
      modelId: viewId,
      label,
      display: label,
      width: isCondensed ? nodeWidth(label) : 0,
      // A compound parent's label sits above the box and may be as wide as it needs.
      textWidth: isCondensed ? nodeWidth(label) - 12 : 1000,
      classes: isCondensed ? ['condensed', 'cycle'] : boxes ? ['component', 'component-box'] : ['component'],
      component: component.id,
      memberCount: component.members.length,
    };
    nodes.push(viewNode);
    if (isCondensed) {
      condensed.add(component.id);
      leaves.push(viewNode);
      for (const member of component.members) viewIdOfModel.set(member, viewId);
    }
  }

  for (const node of model.nodes) {
    const component = componentOfModel.get(node.id) ?? node.component;
    if (component !== undefined && condensed.has(component)) continue;
    const classes = statusClass(node.status);
    if (node.kind === 'missing' && !classes.includes('missing')) classes.push('missing');
    if (node.lockInversion) classes.push('lock-inversion');
    classes.push(`kind-${node.kind}`);
    // A call that never started has no age, so its second line states that it never started.
    const display = node.neverStarted ? `${node.label}\n${strings.neverStarted}` : node.label;
    const width = nodeWidth(display);
    const viewNode: ViewNode = {
      id: `n:${node.id}`,
      modelId: node.id,
      label: node.label,
      display,
      width,
      textWidth: width - 12,
      classes,
      node,
    };
    if (!boxes && component !== undefined && componentOfModel.has(node.id)) viewNode.parent = `c${component}`;
    nodes.push(viewNode);
    leaves.push(viewNode);
    viewIdOfModel.set(node.id, viewNode.id);
  }

  const statusOf = new Map<string, NodeStatus>();
  for (const node of model.nodes) statusOf.set(node.id, node.kind === 'missing' ? 'missing' : node.status);

  const edges: ViewEdge[] = [];
  const mergedEdges = new Set<string>();
  // Parallel edges between the same pair are numbered in model order.
  const pairCount = new Map<string, number>();
  model.edges.forEach((edge, index) => {
    const source = viewIdOfModel.get(edge.source);
    const target = viewIdOfModel.get(edge.target);
    if (source === undefined || target === undefined) return;
    const classes = [`kind-${edge.kind}`];
    if (edge.onCycle) classes.push('on-cycle');
    if (statusOf.get(edge.target) === 'missing') classes.push('to-missing');
    const touchesCondensed = source.startsWith('c') || target.startsWith('c');
    if (touchesCondensed) {
      // Edges inside a condensed component vanish; parallel edges between the same pair merge.
      if (source === target) return;
      const key = `${source}\u0000${target}`;
      if (mergedEdges.has(key)) return;
      mergedEdges.add(key);
      edges.push({ id: `m:${key}`, source, target, classes, modelIndex: -1 });
      return;
    }
    const pair = `${source}\u0000${target}`;
    const count = pairCount.get(pair) ?? 0;
    pairCount.set(pair, count + 1);
    edges.push({ id: `e:${pair}\u0000${count}`, source, target, classes, modelIndex: index });
  });

  return { nodes, edges, viewIdOfModel, leaves, condensed, componentNumber, boxes };
}

/** Layers from the engine's stages, or undefined when they do not cover every leaf. */
export function stageLayers(model: GraphModel, graph: ViewGraph): Int32Array | undefined {
  if (!model.stages || graph.condensed.size > 0) return undefined;
  const stageOf = new Map<string, number>();
  model.stages.forEach((stage, index) => stage.forEach((id) => stageOf.set(id, index)));
  const layers = new Int32Array(graph.leaves.length);
  for (const [i, leaf] of graph.leaves.entries()) {
    const stage = stageOf.get(leaf.modelId);
    if (stage === undefined) return undefined;
    layers[i] = stage;
  }
  return layers;
}
