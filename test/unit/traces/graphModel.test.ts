import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { checkTrace } from '../../../src/core/trace/check';
import type { GraphModel, GraphNode } from '../../../src/shared/graphModel';
import { parseHostMessage } from '../../../src/shared/protocol';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');

/** Checks a trace fixture; the run-stranded fixtures were written by `agent-deadlock run PLAN --out` from test/fixtures/run. */
function check(name: string) {
  return checkTrace(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), name);
}

function checkLines(lines: object[]) {
  return checkTrace(lines.map((line) => `${JSON.stringify(line)}\n`).join(''), 'inline.jsonl');
}

function nodeOf(graph: GraphModel, id: string): GraphNode {
  const node = graph.nodes.find((candidate) => candidate.id === id);
  assert.ok(node, `no node ${id} among ${graph.nodes.map((n) => n.id).join(', ')}`);
  return node;
}

/** Returns the edges leaving `source`, as `kind target` strings in model order. */
function edgesFrom(graph: GraphModel, source: string): string[] {
  return graph.edges.filter((edge) => edge.source === source).map((edge) => `${edge.kind} ${edge.target}`);
}

function assertValidModel(graph: GraphModel): void {
  const parsed = parseHostMessage({ type: 'update', model: JSON.parse(JSON.stringify(graph)) });
  assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.error);
}

describe('trace graph with stranded calls', () => {
  it('adds calls that never started', () => {
    const { graph } = check('run-stranded-deadlock.jsonl');

    const summarise = nodeOf(graph, 'call:summarise');
    assert.equal(summarise.status, 'stranded');
    assert.equal(summarise.kind, 'call');
    assert.equal(summarise.label, 'llm summarise');
    assert.equal(summarise.tool, 'llm');
    assert.equal(summarise.neverStarted, true);
    assert.equal(summarise.strandedReason, 'it waits for "fetch", which failed');
    assert.equal(summarise.startedAt, undefined, 'a call that never started has no start time');
    assert.ok(summarise.range, 'the node reveals its run.stranded line');

    assert.equal(nodeOf(graph, 'call:report').status, 'stranded');
    assert.equal(nodeOf(graph, 'call:report').strandedReason, 'it waits for "summarise", which was stranded');
    assert.equal(nodeOf(graph, 'call:publish').status, 'stranded');
    assert.equal(nodeOf(graph, 'call:publish').neverStarted, true);
    assertValidModel(graph);
  });

  it('draws an edge to each awaited call', () => {
    const { graph } = check('run-stranded-deadlock.jsonl');

    assert.deepEqual(edgesFrom(graph, 'call:summarise'), ['wait call:fetch']);
    assert.deepEqual(edgesFrom(graph, 'call:report'), ['wait call:summarise']);
    assert.deepEqual(edgesFrom(graph, 'call:publish'), ['wait call:writer', 'wait call:reader']);
    for (const id of ['summarise', 'report', 'publish']) {
      assert.ok(
        graph.edges.some((edge) => edge.kind === 'parent' && edge.source === 'agent:run' && edge.target === `call:${id}`),
        `agent run is the parent of ${id}`,
      );
    }
  });

  it('keeps the deadlock to the lock cycle', () => {
    const { graph, findings } = check('run-stranded-deadlock.jsonl');

    const deadlocks = findings.filter((finding) => finding.kind === 'deadlock');
    assert.equal(deadlocks.length, 1, deadlocks.map((finding) => finding.message).join('\n'));
    assert.deepEqual([...(deadlocks[0].calls ?? [])].sort(), ['reader', 'writer']);
    assert.equal(graph.components.length, 1);
    assert.deepEqual([...graph.components[0].members].sort(), ['call:reader', 'call:writer', 'lock:cache', 'lock:db']);

    for (const id of ['call:summarise', 'call:report', 'call:publish']) {
      assert.equal(nodeOf(graph, id).component, undefined, `${id} is in no component`);
      assert.ok(!graph.edges.some((edge) => (edge.source === id || edge.target === id) && edge.onCycle), `no edge of ${id} is on the cycle`);
    }
    assert.equal(nodeOf(graph, 'call:writer').status, 'cycle');
  });

  it('gives started strands their reason', () => {
    const { graph } = check('run-stranded-deadlock.jsonl');

    const writer = nodeOf(graph, 'call:writer');
    assert.equal(writer.strandedReason, 'it waits for lock "cache", held by "reader"');
    assert.equal(writer.neverStarted, undefined, 'writer started');
    assert.equal(nodeOf(graph, 'call:notes').strandedReason, undefined);
  });

  it('shows deadline strands without a deadlock', () => {
    const { graph, findings } = check('run-stranded-deadline.jsonl');

    assert.deepEqual(findings.filter((finding) => finding.kind === 'deadlock'), []);
    assert.deepEqual(graph.components, []);
    assert.equal(nodeOf(graph, 'call:index').status, 'stranded');
    assert.equal(nodeOf(graph, 'call:index').strandedReason, 'the run deadline of 600 ms passed before it started');
    assert.deepEqual(edgesFrom(graph, 'call:index'), ['wait call:crawl']);
    assert.deepEqual(edgesFrom(graph, 'call:summarise'), ['wait call:fetch']);
    assert.ok(graph.edges.every((edge) => !edge.onCycle));
    assertValidModel(graph);
  });

  it('finds no cycle through never-started waits', () => {
    const { graph, findings } = checkLines([
      { type: 'call.start', ts: '2026-05-01T10:00:00.000Z', call: 'root', tool: 'plan', agent: 'main' },
      { type: 'wait.start', ts: '2026-05-01T10:00:01.000Z', wait: 'w1', call: 'root', for: { call: 'first' } },
      { type: 'run.stranded', ts: '2026-05-01T10:00:02.000Z', call: 'first', tool: 'llm', agent: 'main', reason: 'it waits for "root" and "second"', waits_for: ['root', 'second'] },
      { type: 'run.stranded', ts: '2026-05-01T10:00:02.000Z', call: 'second', tool: 'llm', agent: 'main', reason: 'it waits for "first"', waits_for: ['first'] },
    ]);

    assert.deepEqual(findings.filter((finding) => finding.kind === 'deadlock'), []);
    assert.deepEqual(graph.components, []);
    assert.deepEqual(edgesFrom(graph, 'call:first'), ['wait call:root', 'wait call:second']);
    assert.deepEqual(edgesFrom(graph, 'call:second'), ['wait call:first']);
    assert.ok(
      graph.edges.some((edge) => edge.kind === 'wait' && edge.source === 'call:root' && edge.target === 'call:first'),
      'the explicit wait on a call that never started is drawn',
    );
    assert.ok(graph.edges.every((edge) => !edge.onCycle));
    assert.equal(nodeOf(graph, 'call:first').status, 'stranded');
    assertValidModel(graph);
  });

  it('names awaited calls the graph lacks', () => {
    const { graph } = checkLines([
      { type: 'call.start', ts: '2026-05-01T10:00:00.000Z', call: 'holder', tool: 'db', agent: 'main' },
      { type: 'lock.acquire', ts: '2026-05-01T10:00:00.000Z', lock: 'db', call: 'holder' },
      { type: 'run.stranded', ts: '2026-05-01T10:00:01.000Z', call: 'late', agent: 'main', waits_for: ['ghost', 'lock:db', 'holder', 'holder'] },
    ]);

    const late = nodeOf(graph, 'call:late');
    assert.equal(late.label, 'late', 'without a tool the label is the id');
    assert.equal(late.strandedReason, undefined);
    assert.deepEqual(edgesFrom(graph, 'call:late'), ['requests lock:db', 'wait call:holder']);
    assert.ok(late.details?.includes('waits for ghost, which the graph does not show'), late.details?.join('\n'));
    assertValidModel(graph);
  });

  it('marks a never-started waiter on a recorded cycle', () => {
    // The trace records the call's own wait, which closes a real cycle even though the call never started.
    const { graph, findings } = checkLines([
      { type: 'call.start', ts: '2026-05-01T10:00:00.000Z', call: 'other', tool: 'db', agent: 'main' },
      { type: 'wait.start', ts: '2026-05-01T10:00:01.000Z', wait: 'w1', call: 'other', for: { call: 'ghost' } },
      { type: 'wait.start', ts: '2026-05-01T10:00:01.000Z', wait: 'w2', call: 'ghost', for: { call: 'other' } },
      { type: 'run.stranded', ts: '2026-05-01T10:00:02.000Z', call: 'ghost', agent: 'main', waits_for: ['other'] },
    ]);

    assert.equal(findings.filter((finding) => finding.kind === 'deadlock').length, 1);
    const ghost = nodeOf(graph, 'call:ghost');
    assert.equal(ghost.status, 'cycle');
    assert.equal(ghost.component, 0);
    assert.equal(ghost.neverStarted, true);
    assertValidModel(graph);
  });
});
