/**
 * The graph the webview draws, for a plan or for a wait-for graph built from a trace.
 * It is plain data, so the host can post it to the webview and tests can build it by hand.
 * Edges point from the waiting node to what it waits for: a step to its dependency,
 * an agent or call to the call, agent or lock it waits on.
 */
import type { OffsetRange } from '../core/findings';

export type GraphKind = 'plan' | 'wait-for';

export type NodeKind = 'step' | 'missing' | 'agent' | 'call' | 'lock' | 'component';

/** Status of a node, which sets its colour. Plans use the first four; traces and runs the rest. */
export type NodeStatus =
  | 'ok'
  | 'cycle'
  | 'blocked'
  | 'missing'
  | 'pending'
  | 'running'
  | 'done'
  | 'failed'
  | 'timeout'
  | 'killed'
  | 'stranded';

export interface GraphNode {
  id: string;
  label: string;
  kind: NodeKind;
  status: NodeStatus;
  tool?: string;
  /** Execution stage of a step in an acyclic plan, from 0. */
  stage?: number;
  /** Strongly connected component number, for nodes on a cycle. */
  component?: number;
  /** The reason a blocked step can never run. */
  blockedReason?: string;
  /** True for a call that a run stranded before it started, so it never ran at all. */
  neverStarted?: boolean;
  /** The run's explanation of why it stranded the call, such as `it waits for "fetch", which failed`. */
  strandedReason?: string;
  /** True when the node takes part in a lock-order inversion. */
  lockInversion?: boolean;
  /** Epoch milliseconds when a call started; with `timeoutMs`, drives the live age. */
  startedAt?: number;
  endedAt?: number;
  timeoutMs?: number;
  /** The node's definition in its file, revealed on click. */
  range?: OffsetRange;
  /** Extra lines for the tooltip. */
  details?: string[];
}

export type EdgeKind = 'dependency' | 'wait' | 'holds' | 'requests' | 'parent';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  label?: string;
  /** True when the edge lies on a cycle. */
  onCycle: boolean;
  /** Node ids of a shortest cycle through this edge, in order, when it lies on one. */
  cycle?: string[];
  range?: OffsetRange;
}

export interface GraphComponent {
  id: number;
  members: string[];
}

export interface GraphModel {
  kind: GraphKind;
  /** File or run the graph comes from, shown in the panel title. */
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Stages of an acyclic plan (or of the condensation), as node ids per layer. */
  stages?: string[][];
  /** Strongly connected components with more than one node, or with a self-loop. */
  components: GraphComponent[];
}
