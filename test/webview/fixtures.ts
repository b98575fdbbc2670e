/** Graph models for the webview tests and the benchmark, built by hand in the shape the engine produces. */
import type { GraphEdge, GraphModel, GraphNode } from '../../src/shared/graphModel';
import { WEBVIEW_STRING_KEYS, type WebviewStrings } from '../../src/shared/protocol';

export const HOSTILE_ID = '<img src=x onerror=alert(1)>';

/** English strings with the same placeholders as the host's, so labels read naturally in screenshots. */
export function testStrings(): WebviewStrings {
  const strings = Object.fromEntries(WEBVIEW_STRING_KEYS.map((key) => [key, key])) as WebviewStrings;
  return {
    ...strings,
    fit: 'Fit',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    layout: 'Layout',
    layoutLayered: 'Layered',
    layoutForce: 'Force-directed',
    layoutCose: 'CoSE (small graphs)',
    layoutBreadthfirst: 'Breadth-first',
    layoutCircle: 'Circle',
    layoutGrid: 'Grid',
    previousCycle: 'Previous cycle',
    nextCycle: 'Next cycle',
    noCycles: 'No cycles',
    cycleCount: 'Cycles: {0}',
    cyclePosition: 'Cycle {0} of {1}',
    cycleOf: 'Cycle {0} ({1} steps)',
    searchPlaceholder: 'Filter by id or tool',
    searchNoMatch: 'No match',
    searchMatches: '{0} matches',
    exportPng: 'PNG',
    exportSvg: 'SVG',
    copyDot: 'Copy DOT',
    copyMermaid: 'Copy Mermaid',
    legend: 'Legend',
    legendOk: 'Step',
    legendCycle: 'On a cycle',
    legendCycleGroup: 'Strongly connected component',
    legendSelectedCycle: 'Shortest cycle through the selected dependency',
    legendBlocked: 'Blocked: can never run',
    legendMissing: 'Unknown dependency',
    legendLockInversion: 'Lock-order inversion',
    legendRunning: 'Running',
    legendNearTimeout: 'Near its timeout',
    legendTimeout: 'Timed out',
    legendKilled: 'Killed',
    legendStranded: 'Stranded',
    legendDone: 'Done',
    legendFailed: 'Failed',
    legendCondensed: 'Cycle shown as one node',
    legendUpstream: 'Upstream of the match',
    legendDownstream: 'Downstream of the match',
    legendWait: 'Waits for',
    legendHolds: 'Holds',
    legendRequests: 'Requests',
    expandComponent: 'Cycle {0}: {1} steps',
    condensedNotice: 'Large graph: each cycle is one node. Click it to expand.',
    age: '{0}',
    ageOfTimeout: '{0} / {1}',
    neverStarted: 'never started',
    neverStartedBecause: 'Never started: {0}.',
    neverStartedNoReason: 'Never started, no reason given.',
    strandedBecause: 'Stranded: {0}.',
    keyboardHelp: 'Arrows move, Enter reveals, n/p cycles, / searches',
  };
}

function step(id: string, status: GraphNode['status'], extra: Partial<GraphNode> = {}): GraphNode {
  return { id, label: id, kind: 'step', status, tool: 'shell', ...extra };
}

function dependency(source: string, target: string, onCycle = false, cycle?: string[]): GraphEdge {
  const edge: GraphEdge = { id: `${source}->${target}`, source, target, kind: 'dependency', onCycle };
  if (cycle) edge.cycle = cycle;
  return edge;
}

/**
 * Builds a plan with a three-step cycle, a blocked tail behind it, an unknown dependency, a
 * lock-order inversion and a step whose id is an HTML injection attempt.
 */
export function cyclicPlan(): GraphModel {
  const cycle = ['fetch', 'parse', 'validate'];
  return {
    kind: 'plan',
    title: 'cyclic-plan.json',
    nodes: [
      step('setup', 'ok', { stage: 0, range: { start: 10, end: 40 }, tool: 'git' }),
      step('fetch', 'cycle', { component: 0, range: { start: 50, end: 90 }, tool: 'http' }),
      step('parse', 'cycle', { component: 0, range: { start: 100, end: 140 }, tool: 'jq' }),
      step('validate', 'cycle', { component: 0, range: { start: 150, end: 190 }, tool: 'schema' }),
      step('report', 'blocked', { blockedReason: 'waits on the cycle fetch → parse → validate', range: { start: 200, end: 240 } }),
      step('publish', 'blocked', { blockedReason: 'waits on report, which is blocked', range: { start: 250, end: 290 } }),
      step(HOSTILE_ID, 'blocked', {
        tool: '<script>alert(2)</script>',
        blockedReason: 'depends on "ghost", which no step defines',
        range: { start: 300, end: 340 },
      }),
      { id: 'ghost', label: 'ghost', kind: 'missing', status: 'missing' },
      step('lint', 'ok', { stage: 1, lockInversion: true, details: ['takes repo then cache'], range: { start: 350, end: 390 } }),
      step('test', 'ok', { stage: 1, lockInversion: true, details: ['takes cache then repo'], range: { start: 400, end: 440 } }),
    ],
    edges: [
      dependency('fetch', 'setup'),
      dependency('fetch', 'parse', true, ['fetch', 'parse', 'validate']),
      dependency('parse', 'validate', true, ['parse', 'validate', 'fetch']),
      dependency('validate', 'fetch', true, ['validate', 'fetch', 'parse']),
      dependency('report', 'validate'),
      dependency('publish', 'report'),
      dependency(HOSTILE_ID, 'ghost'),
      dependency('lint', 'setup'),
      dependency('test', 'setup'),
    ],
    components: [{ id: 0, members: cycle }],
  };
}

/** Builds an acyclic plan with stages, as the engine reports it. */
export function stagedPlan(): GraphModel {
  const nodes = ['checkout', 'install', 'build', 'unit', 'e2e', 'package'].map((id, index) =>
    step(id, 'ok', { stage: [0, 1, 2, 3, 3, 4][index], tool: index < 2 ? 'git' : 'npm' }),
  );
  return {
    kind: 'plan',
    title: 'staged-plan.yaml',
    nodes,
    edges: [
      dependency('install', 'checkout'),
      dependency('build', 'install'),
      dependency('unit', 'build'),
      dependency('e2e', 'build'),
      dependency('package', 'unit'),
      dependency('package', 'e2e'),
    ],
    stages: [['checkout'], ['install'], ['build'], ['unit', 'e2e'], ['package']],
    components: [],
  };
}

/** Builds a wait-for graph as a trace gives it: agents waiting on calls and a lock cycle, with calls running. */
export function waitForGraph(now: number): GraphModel {
  const call = (id: string, status: GraphNode['status'], startedAt: number, timeoutMs: number): GraphNode => ({
    id,
    label: id,
    kind: 'call',
    status,
    tool: 'mcp',
    startedAt,
    timeoutMs,
  });
  return {
    kind: 'wait-for',
    title: 'trace.jsonl',
    nodes: [
      { id: 'agent-a', label: 'agent-a', kind: 'agent', status: 'cycle', component: 0 },
      { id: 'agent-b', label: 'agent-b', kind: 'agent', status: 'cycle', component: 0 },
      { id: 'lock:db', label: 'lock:db', kind: 'lock', status: 'cycle', component: 0 },
      { id: 'lock:cache', label: 'lock:cache', kind: 'lock', status: 'cycle', component: 0 },
      call('call-1 search', 'running', now - 2_000, 10_000),
      call('call-2 fetch', 'running', now - 8_000, 10_000),
      call('call-3 shell', 'timeout', now - 40_000, 30_000),
      call('call-4 write', 'killed', now - 20_000, 15_000),
      call('call-5 read', 'done', now - 5_000, 10_000),
    ],
    edges: [
      { id: 'w1', source: 'agent-a', target: 'lock:db', kind: 'requests', onCycle: true, cycle: ['agent-a', 'lock:db', 'agent-b', 'lock:cache'] },
      { id: 'w2', source: 'lock:db', target: 'agent-b', kind: 'holds', onCycle: true },
      { id: 'w3', source: 'agent-b', target: 'lock:cache', kind: 'requests', onCycle: true },
      { id: 'w4', source: 'lock:cache', target: 'agent-a', kind: 'holds', onCycle: true },
      { id: 'w5', source: 'agent-a', target: 'call-1 search', kind: 'wait', onCycle: false },
      { id: 'w6', source: 'agent-b', target: 'call-2 fetch', kind: 'wait', onCycle: false },
      { id: 'w7', source: 'agent-b', target: 'call-3 shell', kind: 'wait', onCycle: false },
      { id: 'w8', source: 'agent-a', target: 'call-4 write', kind: 'wait', onCycle: false },
      { id: 'w9', source: 'agent-a', target: 'call-5 read', kind: 'wait', onCycle: false },
    ],
    components: [{ id: 0, members: ['agent-a', 'lock:db', 'agent-b', 'lock:cache'] }],
  };
}

/**
 * Builds the wait-for graph of a busier trace: `agents` agents each waiting on `callsPerAgent`
 * calls, the first two agents also deadlocked over two locks, as a run with parallel agents gives it.
 */
export function busyWaitForGraph(now: number, agents = 6, callsPerAgent = 5): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphModel['edges'] = [];
  for (let a = 0; a < agents; a++) {
    const agent = `agent-${a}`;
    nodes.push({ id: agent, label: agent, kind: 'agent', status: a < 2 ? 'cycle' : 'running', ...(a < 2 ? { component: 0 } : {}) });
    for (let c = 0; c < callsPerAgent; c++) {
      const id = `call-${a}-${c} web_fetch`;
      nodes.push({ id, label: id, kind: 'call', status: 'running', tool: 'web_fetch', startedAt: now - 1_000 * (c + 1), timeoutMs: 30_000 });
      edges.push({ id: `w-${a}-${c}`, source: agent, target: id, kind: 'wait', onCycle: false });
    }
  }
  nodes.push({ id: 'lock:db', label: 'lock:db', kind: 'lock', status: 'cycle', component: 0 });
  nodes.push({ id: 'lock:cache', label: 'lock:cache', kind: 'lock', status: 'cycle', component: 0 });
  const cycle = ['agent-0', 'lock:db', 'agent-1', 'lock:cache'];
  edges.push(
    { id: 'l1', source: 'agent-0', target: 'lock:db', kind: 'requests', onCycle: true, cycle },
    { id: 'l2', source: 'lock:db', target: 'agent-1', kind: 'holds', onCycle: true },
    { id: 'l3', source: 'agent-1', target: 'lock:cache', kind: 'requests', onCycle: true },
    { id: 'l4', source: 'lock:cache', target: 'agent-0', kind: 'holds', onCycle: true },
  );
  return { kind: 'wait-for', title: 'busy-trace.jsonl', nodes, edges, components: [{ id: 0, members: cycle }] };
}

/**
 * Builds a random plan of `size` steps with about `edgesPerNode` dependencies each, every dependency
 * on an earlier step, plus `cycles` planted cycles of three steps. Seeded, so runs compare.
 */
export function randomPlan(size: number, edgesPerNode = 3, cycles = 0, seed = 42): GraphModel {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const ids = Array.from({ length: size }, (_, i) => `step-${i}`);
  const nodes: GraphNode[] = ids.map((id, i) => step(id, 'ok', { tool: ['shell', 'http', 'llm', 'fs'][i % 4], range: { start: i * 10, end: i * 10 + 9 } }));
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (let v = 1; v < size; v++) {
    for (let e = 0; e < edgesPerNode; e++) {
      const window = Math.min(v, 60);
      const target = v - 1 - Math.floor(random() * window);
      const key = `${v}:${target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(dependency(ids[v], ids[target]));
    }
  }
  const components = [];
  for (let c = 0; c < cycles; c++) {
    const base = Math.floor((size / (cycles + 1)) * (c + 1));
    const members = [ids[base], ids[base + 1], ids[base + 2]];
    for (let i = 0; i < 3; i++) {
      const source = members[i];
      const target = members[(i + 1) % 3];
      edges.push(dependency(source, target, true, [source, target, members[(i + 2) % 3]]));
    }
    for (const member of members) {
      const node = nodes.find((candidate) => candidate.id === member)!;
      node.status = 'cycle';
      node.component = c;
    }
    components.push({ id: c, members });
  }
  return { kind: 'plan', title: `random-${size}.json`, nodes, edges, components };
}
