/**
 * Totals of a finished run and its critical path: the longest chain of dependent calls by
 * their measured durations, which bounds how fast any schedule of these calls can be.
 */
import type { CsrGraph } from '../graph/csr';
import type { CallResult, CriticalPathResult, RunSummary } from './types';

/**
 * Computes the critical path over the calls that ran, in dependency order (Kahn's algorithm on
 * the wait-for graph restricted to those calls), so it needs no recursion and no sort by time.
 */
export function criticalPath(calls: readonly CallResult[], waitFor: CsrGraph): CriticalPathResult {
  const n = calls.length;
  const ran = new Uint8Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const age = calls[i].ageMs;
    if (age !== undefined) {
      ran[i] = 1;
      weight[i] = age;
    }
  }
  const { offsets, targets } = waitFor;
  // Count, for each ran call, how many ran calls depend on it, then walk from calls nothing depends on.
  const dependentsLeft = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!ran[i]) continue;
    for (let e = offsets[i]; e < offsets[i + 1]; e++) if (ran[targets[e]]) dependentsLeft[targets[e]]++;
  }
  // Reverse topological order: dependents before dependencies.
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (ran[i] && dependentsLeft[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    const v = order[head];
    for (let e = offsets[v]; e < offsets[v + 1]; e++) {
      const w = targets[e];
      if (ran[w] && --dependentsLeft[w] === 0) order.push(w);
    }
  }
  // Longest chain ending at each call, computed dependencies first.
  const best = new Float64Array(n);
  const previous = new Int32Array(n).fill(-1);
  let end = -1;
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    let chosen = -1;
    let longest = 0;
    for (let e = offsets[v]; e < offsets[v + 1]; e++) {
      const w = targets[e];
      if (ran[w] && (chosen === -1 || best[w] > longest)) {
        chosen = w;
        longest = best[w];
      }
    }
    best[v] = longest + weight[v];
    previous[v] = chosen;
    // On ties the later call wins, which is the longer chain when some durations are 0.
    if (end === -1 || best[v] >= best[end]) end = v;
  }
  if (end === -1) return { steps: [], durationMs: 0 };
  const steps: string[] = [];
  for (let v = end; v !== -1; v = previous[v]) steps.push(calls[v].id);
  steps.reverse();
  return { steps, durationMs: best[end] };
}

export function summarizeRun(calls: readonly CallResult[], waitFor: CsrGraph, totalMs: number): RunSummary {
  const summary: RunSummary = {
    total: calls.length,
    completed: 0,
    failed: 0,
    timedOut: 0,
    killed: 0,
    stranded: 0,
    totalMs,
    sequentialMs: 0,
    criticalPath: criticalPath(calls, waitFor),
  };
  for (const call of calls) {
    if (call.ageMs !== undefined) summary.sequentialMs += call.ageMs;
    if (call.outcome === 'ok') summary.completed++;
    else if (call.outcome === 'error') summary.failed++;
    else if (call.outcome === 'timeout') summary.timedOut++;
    else if (call.outcome === 'killed') summary.killed++;
    else summary.stranded++;
  }
  return summary;
}
