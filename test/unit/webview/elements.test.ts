import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { GraphModel } from '../../../src/shared/graphModel';
import { buildViewGraph, nodeWidth, stageLayers } from '../../../webview/elements';
import { cyclicPlan, HOSTILE_ID, stagedPlan, testStrings } from '../../webview/fixtures';

test('view ids are prefixed model ids', () => {
  const graph = buildViewGraph(cyclicPlan(), new Set(), testStrings());
  for (const node of graph.nodes) assert.ok(node.id === `n:${node.modelId}` || /^c\d+$/.test(node.id), node.id);
  assert.equal(graph.viewIdOfModel.get(HOSTILE_ID), `n:${HOSTILE_ID}`);
  const edgeIds = graph.edges.map((edge) => edge.id);
  assert.equal(new Set(edgeIds).size, edgeIds.length, 'edge ids are unique');
  const hostile = graph.nodes.find((node) => node.modelId === HOSTILE_ID);
  assert.equal(hostile?.label, HOSTILE_ID);
});

test('cycle members get a compound parent', () => {
  const graph = buildViewGraph(cyclicPlan(), new Set(), testStrings());
  const parent = graph.nodes.find((node) => node.id === 'c0');
  assert.deepEqual(parent?.classes, ['component']);
  for (const id of ['fetch', 'parse', 'validate']) {
    const node = graph.nodes.find((candidate) => candidate.modelId === id);
    assert.equal(node?.parent, 'c0');
    assert.ok(node.classes.includes('cycle'));
  }
  assert.equal(graph.leaves.some((leaf) => leaf.id === 'c0'), false, 'a compound parent is not laid out');
});

test('condensed component merges its edges', () => {
  const graph = buildViewGraph(cyclicPlan(), new Set([0]), testStrings());
  assert.equal(graph.viewIdOfModel.get('fetch'), 'c0');
  assert.equal(graph.viewIdOfModel.get('parse'), 'c0');
  const condensed = graph.nodes.find((node) => node.id === 'c0');
  assert.ok(condensed);
  assert.ok(condensed.classes.includes('condensed'));
  assert.equal(condensed.memberCount, 3);
  assert.equal(condensed.label, 'Cycle 1: 3 steps');
  assert.ok(graph.leaves.includes(condensed));
  const touching = graph.edges.filter((edge) => edge.source === 'c0' || edge.target === 'c0');
  assert.deepEqual(
    touching.map((edge) => `${edge.source}->${edge.target}`).sort(),
    ['c0->n:setup', 'n:report->c0'],
    'the three cycle edges vanish and the edges to setup and from report remain once',
  );
  for (const edge of touching) assert.equal(edge.modelIndex, -1);
});

test('never-started call says so', () => {
  const model: GraphModel = {
    kind: 'wait-for',
    title: 'run.jsonl',
    nodes: [
      { id: 'call:fetch', label: 'web_fetch fetch', kind: 'call', status: 'failed' },
      { id: 'call:summarise', label: 'llm sum', kind: 'call', status: 'stranded', neverStarted: true, strandedReason: 'it waits for "fetch", which failed' },
      { id: 'call:writer', label: 'db writer', kind: 'call', status: 'stranded', strandedReason: 'it waits for lock "cache"' },
    ],
    edges: [{ id: 'e1', source: 'call:summarise', target: 'call:fetch', kind: 'wait', onCycle: false }],
    components: [],
  };
  const graph = buildViewGraph(model, new Set(), testStrings());
  const summarise = graph.nodes.find((node) => node.modelId === 'call:summarise');
  assert.ok(summarise);
  assert.equal(summarise.label, 'llm sum');
  assert.equal(summarise.display, 'llm sum\nnever started');
  assert.ok(summarise.classes.includes('stranded'), summarise.classes.join(' '));
  assert.equal(summarise.width, nodeWidth('never started'), 'the node is as wide as its longer second line');

  const writer = graph.nodes.find((node) => node.modelId === 'call:writer');
  assert.equal(writer?.display, 'db writer', 'a call stranded after it started keeps its age line free');
});

test('edges to unknown steps are marked', () => {
  const graph = buildViewGraph(cyclicPlan(), new Set(), testStrings());
  const toGhost = graph.edges.filter((edge) => edge.classes.includes('to-missing'));
  assert.equal(toGhost.length, 1);
  assert.equal(toGhost[0].target, graph.viewIdOfModel.get('ghost'));
});

test('stage layers need every node', () => {
  const model = stagedPlan();
  const layers = stageLayers(model, buildViewGraph(model, new Set(), testStrings()));
  assert.deepEqual(Array.from(layers ?? []), [0, 1, 2, 3, 3, 4]);

  const partial: GraphModel = { ...model, stages: model.stages!.slice(0, 2) };
  assert.equal(stageLayers(partial, buildViewGraph(partial, new Set(), testStrings())), undefined);
});

test('node width follows the label', () => {
  assert.equal(nodeWidth('a'), 60);
  assert.ok(nodeWidth('a-rather-long-step-name') > nodeWidth('short'));
  assert.equal(nodeWidth('x'.repeat(500)), 260);
});

test('boxes replace compound parents', () => {
  const graph = buildViewGraph(cyclicPlan(), new Set(), testStrings(), true);
  const box = graph.nodes.find((node) => node.id === 'c0');
  assert.deepEqual(box?.classes, ['component', 'component-box']);
  for (const node of graph.nodes) assert.equal(node.parent, undefined);
  assert.equal(graph.boxes, true);
});

test('cycles are numbered by position', () => {
  const model = cyclicPlan();
  model.components = [{ id: 7, members: model.components[0].members }];
  for (const node of model.nodes) if (node.component !== undefined) node.component = 7;
  const graph = buildViewGraph(model, new Set(), testStrings());
  assert.equal(graph.nodes.find((node) => node.id === 'c7')?.label, 'Cycle 1 (3 steps)');
  assert.equal(graph.componentNumber.get(7), 1);
});
