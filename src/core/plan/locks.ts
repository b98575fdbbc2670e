/**
 * Lock-order inversions: steps that may run at the same time and take the same locks in
 * orders that form a cycle, the classic potential deadlock. A step that lists locks
 * [a, b, c] holds a while it requests b and c, and b while it requests c, so it adds the
 * lock-order edges a→b, a→c and b→c. A cycle in that lock-order graph is a deadlock risk
 * only when its edges come from distinct steps that can all run at the same time, which
 * means no two of them are ordered by the dependency graph.
 */
import type { Finding, OffsetRange, TextEdit } from '../findings';
import { buildCsr } from '../graph/csr';
import { stronglyConnectedComponents } from '../graph/scc';
import type { LockUse } from './model';
import { stepName, type PlanGraph } from './planGraph';

/** Lock cycles longer than this are not searched: they need that many steps in one deadlock. */
const MAX_LOCK_CYCLE_LENGTH = 8;
/** Lock cycles examined per strongly connected component of the lock-order graph. */
const MAX_LOCK_CYCLES = 500;
/** Step pairs examined for one two-lock inversion. */
const MAX_PAIRS = 10_000;

interface LockEdge {
  from: number;
  to: number;
  /** Steps that take `from` before `to`, with the ranges of both entries. */
  uses: { step: number; fromRange: OffsetRange; toRange: OffsetRange }[];
}

export function lockFindings(planGraph: PlanGraph, runnable: Uint8Array, stage: Int32Array): Finding[] {
  const { plan } = planGraph;
  const lockIndex = new Map<string, number>();
  const lockNames: string[] = [];
  const edges = new Map<number, LockEdge>();
  const edgeKey = (from: number, to: number): number => from * 1_000_003 + to;
  const findings: Finding[] = [];

  for (const step of plan.steps) {
    if (!runnable[step.index] || step.locks.length < 2) continue;
    const seen = new Map<string, OffsetRange>();
    const held: { lock: number; range: OffsetRange }[] = [];
    for (const use of step.locks) {
      const earlierUse = seen.get(use.name);
      if (earlierUse) {
        findings.push(repeatedLockFinding(planGraph, step.index, use.name, earlierUse, use.range));
        continue;
      }
      seen.set(use.name, use.range);
      let lock = lockIndex.get(use.name);
      if (lock === undefined) {
        lock = lockNames.length;
        lockIndex.set(use.name, lock);
        lockNames.push(use.name);
      }
      for (const earlier of held) {
        const key = edgeKey(earlier.lock, lock);
        let edge = edges.get(key);
        if (!edge) {
          edge = { from: earlier.lock, to: lock, uses: [] };
          edges.set(key, edge);
        }
        edge.uses.push({ step: step.index, fromRange: earlier.range, toRange: use.range });
      }
      held.push({ lock, range: use.range });
    }
  }
  if (edges.size === 0) return findings;

  // Lock ranks follow first appearance in the file: the global order the fixes move towards.
  const globalRank = globalLockRank(planGraph, lockIndex);
  const concurrency = new Concurrency(planGraph, stage);
  const edgeList = [...edges.values()];
  const { graph } = buildCsr(
    lockNames.length,
    edgeList.map((edge) => edge.from),
    edgeList.map((edge) => edge.to),
  );
  const components = stronglyConnectedComponents(graph);

  for (const lockCycle of lockCycles(lockNames.length, edgeList, components.component, components.size)) {
    const cycleEdges = lockCycle.map((from, k) => edges.get(edgeKey(from, lockCycle[(k + 1) % lockCycle.length]))!);
    const participants = cycleEdges.length === 2 ? allConcurrentPairs(cycleEdges, concurrency) : firstAssignment(cycleEdges, concurrency);
    if (participants.length === 0) continue;
    findings.push(inversionFinding(planGraph, runnable, lockCycle.map((lock) => lockNames[lock]), cycleEdges, participants, globalRank));
  }
  findings.push(...uncheckedComponents(planGraph, lockNames, edgeList, components));
  findings.sort((a, b) => a.range.start - b.range.start);
  return findings;
}

function repeatedLockFinding(planGraph: PlanGraph, stepIndex: number, lock: string, first: OffsetRange, second: OffsetRange): Finding {
  const name = stepName(planGraph.plan, stepIndex);
  return {
    kind: 'lock-order-inversion',
    severity: 'warning',
    message: `\`${name}\` takes the lock \`${lock}\` twice. A lock that is not re-entrant deadlocks on itself; list each lock once.`,
    steps: [name],
    locks: [lock],
    range: second,
    ranges: [first, second],
    related: [{ message: `\`${name}\` first takes \`${lock}\` here`, range: first }],
    fixes: [],
  };
}

/**
 * Reports lock-order cycles that are longer than the search covers, so that a clean result
 * is never claimed for locks that were not fully checked.
 */
function uncheckedComponents(
  planGraph: PlanGraph,
  lockNames: string[],
  edges: LockEdge[],
  components: { component: Int32Array; size: Int32Array },
): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<number>();
  for (const edge of edges) {
    const component = components.component[edge.from];
    if (components.size[component] <= MAX_LOCK_CYCLE_LENGTH || reported.has(component) || components.component[edge.to] !== component) continue;
    reported.add(component);
    const members = lockNames.filter((_, lock) => components.component[lock] === component);
    const use = edge.uses[0];
    findings.push({
      kind: 'lock-order-inversion',
      severity: 'info',
      message:
        `The locks ${members.map((lock) => `\`${lock}\``).join(', ')} are taken in orders that form cycles through more than ${MAX_LOCK_CYCLE_LENGTH} locks. ` +
        `Cycles that long were not checked for steps that can run together; take these locks in one global order.`,
      steps: [...new Set(edges.filter((other) => components.component[other.from] === component).flatMap((other) => other.uses.map((u) => stepName(planGraph.plan, u.step))))],
      locks: members,
      range: use.fromRange,
      related: [],
      fixes: [],
    });
  }
  return findings;
}

function globalLockRank(planGraph: PlanGraph, lockIndex: Map<string, number>): Map<string, number> {
  const rank = new Map<string, number>();
  for (const step of planGraph.plan.steps) {
    for (const use of step.locks) if (lockIndex.has(use.name) && !rank.has(use.name)) rank.set(use.name, rank.size);
  }
  return rank;
}

/** Simple cycles of the lock-order graph, each once, up to the length and count limits. */
function* lockCycles(
  lockCount: number,
  edges: LockEdge[],
  component: Int32Array,
  componentSize: Int32Array,
): Generator<number[]> {
  const successors: number[][] = Array.from({ length: lockCount }, () => []);
  for (const edge of edges) {
    if (component[edge.from] === component[edge.to] && componentSize[component[edge.from]] > 1) successors[edge.from].push(edge.to);
  }
  const perComponent = new Map<number, number>();
  for (let start = 0; start < lockCount; start++) {
    if (componentSize[component[start]] < 2) continue;
    // Each cycle is produced from its smallest lock, so rotations are not repeated.
    const path = [start];
    const onPath = new Set([start]);
    const cursor = [0];
    while (path.length > 0) {
      const top = path[path.length - 1];
      const next = successors[top][cursor[cursor.length - 1]++];
      if (next === undefined) {
        onPath.delete(path.pop()!);
        cursor.pop();
        continue;
      }
      if (next === start) {
        const count = (perComponent.get(component[start]) ?? 0) + 1;
        perComponent.set(component[start], count);
        if (count > MAX_LOCK_CYCLES) break;
        yield [...path];
        continue;
      }
      if (next < start || onPath.has(next) || path.length >= MAX_LOCK_CYCLE_LENGTH) continue;
      path.push(next);
      onPath.add(next);
      cursor.push(0);
    }
  }
}

/**
 * Decides whether two steps may run at the same time: neither depends on the other,
 * directly or transitively. Dependencies always point to a lower stage, so a search from
 * the later step stops below the earlier step's stage.
 */
class Concurrency {
  private readonly stamp: Int32Array;
  private readonly queue: Int32Array;
  private generation = 0;
  private readonly cache = new Map<string, boolean>();

  constructor(
    private readonly planGraph: PlanGraph,
    private readonly stage: Int32Array,
  ) {
    this.stamp = new Int32Array(planGraph.graph.nodeCount);
    this.queue = new Int32Array(planGraph.graph.nodeCount);
  }

  concurrent(a: number, b: number): boolean {
    if (a === b) return false;
    if (this.stage[a] === this.stage[b]) return true;
    const [later, earlier] = this.stage[a] > this.stage[b] ? [a, b] : [b, a];
    const key = `${later},${earlier}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const result = !this.reaches(later, earlier);
    this.cache.set(key, result);
    return result;
  }

  private reaches(from: number, to: number): boolean {
    const { graph } = this.planGraph;
    const floor = this.stage[to];
    const generation = ++this.generation;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = from;
    this.stamp[from] = generation;
    while (head < tail) {
      const v = this.queue[head++];
      for (let slot = graph.offsets[v]; slot < graph.offsets[v + 1]; slot++) {
        const w = graph.targets[slot];
        if (w === to) return true;
        if (this.stamp[w] === generation || this.stage[w] <= floor) continue;
        this.stamp[w] = generation;
        this.queue[tail++] = w;
      }
    }
    return false;
  }
}

type Participant = LockEdge['uses'][number] & { edge: number };

function allConcurrentPairs(cycleEdges: LockEdge[], concurrency: Concurrency): Participant[] {
  const chosen = new Map<string, Participant>();
  let examined = 0;
  for (const first of cycleEdges[0].uses) {
    for (const second of cycleEdges[1].uses) {
      if (++examined > MAX_PAIRS) break;
      if (!concurrency.concurrent(first.step, second.step)) continue;
      chosen.set(`0:${first.step}`, { ...first, edge: 0 });
      chosen.set(`1:${second.step}`, { ...second, edge: 1 });
    }
  }
  return [...chosen.values()];
}

/** Picks one step per lock-order edge, all distinct and pairwise concurrent, by backtracking. */
function firstAssignment(cycleEdges: LockEdge[], concurrency: Concurrency): Participant[] {
  const picked: Participant[] = [];
  let budget = MAX_PAIRS;
  const extend = (k: number): boolean => {
    if (k === cycleEdges.length) return true;
    for (const use of cycleEdges[k].uses) {
      if (--budget < 0) return false;
      if (picked.some((other) => !concurrency.concurrent(other.step, use.step))) continue;
      picked.push({ ...use, edge: k });
      if (extend(k + 1)) return true;
      picked.pop();
    }
    return false;
  };
  return extend(0) ? picked : [];
}

function inversionFinding(
  planGraph: PlanGraph,
  runnable: Uint8Array,
  locks: string[],
  cycleEdges: LockEdge[],
  participants: Participant[],
  globalRank: Map<string, number>,
): Finding {
  const { plan } = planGraph;
  const ordered = [...participants].sort((a, b) => a.step - b.step);
  const stepIds = [...new Set(ordered.map((participant) => stepName(plan, participant.step)))];
  const describe = (participant: Participant): string => {
    // Lock-order edge k goes from locks[k] to locks[k + 1].
    const from = locks[participant.edge];
    const to = locks[(participant.edge + 1) % locks.length];
    return `\`${stepName(plan, participant.step)}\` takes \`${from}\` then \`${to}\``;
  };
  const firstOfEach = cycleEdges.map((_, k) => ordered.find((participant) => participant.edge === k)!);
  const order = chooseLockOrder(planGraph, runnable, locks, globalRank);
  const message =
    `Possible deadlock: ${firstOfEach.map(describe).join('; ')}. These steps may run at the same time. ` +
    `Take the locks in one global order: ${order.map((lock) => `\`${lock}\``).join(', ')}.`;

  // One fix reorders every step that takes these locks out of the chosen order, so applying
  // it cannot leave an inversion between a fixed step and one that was not in this finding.
  const rank = new Map(order.map((lock, index) => [lock, index]));
  const edits: TextEdit[] = [];
  let changedSteps = 0;
  for (const step of plan.steps) {
    if (!runnable[step.index]) continue;
    const stepEdits = reorderEdits(plan.text, step.locks, rank);
    if (stepEdits.length === 0) continue;
    edits.push(...stepEdits);
    changedSteps++;
  }
  const fixes =
    edits.length === 0
      ? []
      : [{ title: `Take ${order.map((lock) => `\`${lock}\``).join(', ')} in this order in every step (${changedSteps} step${changedSteps === 1 ? '' : 's'})`, edits, preferred: true }];

  return {
    kind: 'lock-order-inversion',
    severity: 'warning',
    message,
    steps: stepIds,
    locks,
    range: firstOfEach[0].fromRange,
    ranges: ordered.flatMap((participant) => [participant.fromRange, participant.toRange]),
    related: ordered.map((participant) => ({ message: describe(participant), range: participant.fromRange })),
    fixes,
  };
}

/** Lock sets up to this size get the order that needs the fewest steps changed; larger ones keep file order. */
const MAX_PERMUTED_LOCKS = 6;

/**
 * Chooses the order for a set of locks that the fewest runnable steps violate, trying every
 * permutation of small sets. Ties go to the order of first appearance in the file.
 */
function chooseLockOrder(planGraph: PlanGraph, runnable: Uint8Array, locks: string[], globalRank: Map<string, number>): string[] {
  const byAppearance = [...new Set(locks)].sort((a, b) => (globalRank.get(a) ?? 0) - (globalRank.get(b) ?? 0));
  if (byAppearance.length > MAX_PERMUTED_LOCKS) return byAppearance;
  const lockSet = new Set(byAppearance);
  const sequences: string[][] = [];
  for (const step of planGraph.plan.steps) {
    if (!runnable[step.index]) continue;
    const seen = new Set<string>();
    const sequence = [];
    for (const use of step.locks) {
      if (lockSet.has(use.name) && !seen.has(use.name)) {
        seen.add(use.name);
        sequence.push(use.name);
      }
    }
    if (sequence.length > 1) sequences.push(sequence);
  }
  let best = byAppearance;
  let bestViolations = Infinity;
  for (const candidate of permutations(byAppearance)) {
    const rank = new Map(candidate.map((lock, index) => [lock, index]));
    let violations = 0;
    for (const sequence of sequences) {
      for (let i = 1; i < sequence.length; i++) {
        if (rank.get(sequence[i - 1])! > rank.get(sequence[i])!) {
          violations++;
          break;
        }
      }
    }
    if (violations < bestViolations) {
      best = candidate;
      bestViolations = violations;
    }
  }
  return best;
}

/** Yields every permutation of a short list, the identity first. */
function* permutations(items: string[]): Generator<string[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i], ...tail];
  }
}

/**
 * Edits that put the ranked locks of one `locks` list into rank order. Only the first use of
 * each ranked lock moves; other locks and repeated uses keep their places.
 */
function reorderEdits(text: string, uses: readonly LockUse[], rank: Map<string, number>): TextEdit[] {
  const seen = new Set<string>();
  const positions: number[] = [];
  for (let i = 0; i < uses.length; i++) {
    if (!rank.has(uses[i].name) || seen.has(uses[i].name)) continue;
    seen.add(uses[i].name);
    positions.push(i);
  }
  const sorted = positions.map((position) => uses[position]).sort((a, b) => rank.get(a.name)! - rank.get(b.name)!);
  const edits: TextEdit[] = [];
  positions.forEach((position, k) => {
    if (sorted[k] === uses[position]) return;
    edits.push({ range: uses[position].range, newText: text.slice(sorted[k].range.start, sorted[k].range.end) });
  });
  return edits;
}
