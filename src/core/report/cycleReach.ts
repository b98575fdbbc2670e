/**
 * The steps that a cycle keeps from running, for the text report's "Blocks:" line. The plan
 * analysis gives each blocked step only its nearest cause, so a step behind two cycles, or
 * behind a cycle and an unknown id, counts for one of them only. Here a breadth-first search
 * over the dependents of the cycle's component finds every step that depends on it, directly
 * or through other steps.
 */
import type { StepInfo } from '../plan/analysisTypes';

/** A step that a cycle keeps from running, and how many dependencies separate it from the cycle. */
export interface StepBehindCycle {
  id: string;
  /** 1 for a step that depends on a member of the cycle itself. */
  distance: number;
}

/**
 * Returns every step outside strongly connected component `component` that depends on one of
 * its members, directly or through other steps, nearest first and in file order within one
 * distance. Members of the component itself are left out, because each of them is on a cycle
 * of its own. Steps of other components behind this one are included.
 *
 * `steps` is the analysis' per-step map, whose iteration order is the file order.
 * NOTE: one search per component costs O(steps + dependencies), so a plan with very many
 * separate cycles costs that many times over.
 */
export function stepsBehindCycle(steps: ReadonlyMap<string, StepInfo>, component: number): StepBehindCycle[] {
  const distance = new Map<string, number>();
  const queue: string[] = [];
  for (const [id, info] of steps) {
    if (info.component !== component) continue;
    distance.set(id, 0);
    queue.push(id);
  }

  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    const next = (distance.get(id) as number) + 1;
    for (const dependent of steps.get(id)?.dependents ?? []) {
      if (distance.has(dependent)) continue;
      distance.set(dependent, next);
      queue.push(dependent);
    }
  }

  const behind: StepBehindCycle[] = [];
  for (const id of steps.keys()) {
    const hops = distance.get(id);
    if (hops !== undefined && hops > 0) behind.push({ id, distance: hops });
  }
  // The sort is stable, so steps at one distance stay in file order.
  return behind.sort((a, b) => a.distance - b.distance);
}
