import { forceLayout } from './force';
import { layeredLayout } from './layered';
import type { LayoutRequest, LayoutResult } from './types';

/** Runs one layout request synchronously. The worker and the main-thread fallback both call it. */
export function runLayout(request: LayoutRequest, now: () => number): LayoutResult {
  const started = now();
  const positions =
    request.algorithm === 'layered'
      ? layeredLayout({
          nodeCount: request.nodeCount,
          sources: request.sources,
          targets: request.targets,
          layers: request.layers,
          widths: request.widths,
        })
      : forceLayout({ nodeCount: request.nodeCount, sources: request.sources, targets: request.targets });
  return { requestId: request.requestId, algorithm: request.algorithm, positions, elapsedMs: now() - started };
}
