/**
 * Input and output of the layouts that run in the layout worker (or on the main thread when
 * a worker cannot start). Nodes are numbered 0..nodeCount-1; edges are parallel index arrays.
 */

export type WorkerLayoutName = 'layered' | 'force';

export interface LayoutRequest {
  /** Echoed in the result, so a stale result can be told from the current one. */
  requestId: number;
  algorithm: WorkerLayoutName;
  nodeCount: number;
  /** Edge sources: for plans, the step that depends on the target. */
  sources: Int32Array;
  targets: Int32Array;
  /**
   * Layer of each node from the engine's stages, or -1 when unknown. When any node of a
   * component is -1, layers are computed from the condensed graph instead.
   */
  layers?: Int32Array;
  /** Width of each node's box in graph units, so wide labels do not overlap. */
  widths?: Float32Array;
}

export interface LayoutResult {
  requestId: number;
  algorithm: WorkerLayoutName;
  /** Centre of node i at `[2 * i, 2 * i + 1]`. */
  positions: Float64Array;
  /** Time spent in the layout itself, in milliseconds. */
  elapsedMs: number;
}

export interface LayoutFailure {
  requestId: number;
  error: string;
}
