/**
 * Web Worker that computes the layered and force-directed layouts off the UI thread. It
 * receives a `LayoutRequest` and posts back a `LayoutResult` with the positions transferred,
 * or a `LayoutFailure`.
 */
import { runLayout } from './layout/run';
import type { LayoutFailure, LayoutRequest } from './layout/types';

interface WorkerScope {
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

function isRequest(value: unknown): value is LayoutRequest {
  if (typeof value !== 'object' || value === null) return false;
  const request = value as Partial<LayoutRequest>;
  return (
    typeof request.requestId === 'number' &&
    (request.algorithm === 'layered' || request.algorithm === 'force') &&
    Number.isSafeInteger(request.nodeCount) &&
    request.sources instanceof Int32Array &&
    request.targets instanceof Int32Array &&
    request.sources.length === request.targets.length
  );
}

scope.onmessage = (event) => {
  const request = event.data;
  if (!isRequest(request)) {
    const failure: LayoutFailure = { requestId: -1, error: 'layout worker: invalid request' };
    scope.postMessage(failure);
    return;
  }
  try {
    const result = runLayout(request, () => performance.now());
    scope.postMessage(result, [result.positions.buffer]);
  } catch (error) {
    const failure: LayoutFailure = { requestId: request.requestId, error: String(error) };
    scope.postMessage(failure);
  }
};
