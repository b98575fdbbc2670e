import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { GraphModel } from '../../../src/shared/graphModel';
import {
  formatString,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
  WEBVIEW_STRING_KEYS,
  type WebviewStrings,
} from '../../../src/shared/protocol';

const model: GraphModel = {
  kind: 'plan',
  title: 'plan.json',
  nodes: [
    { id: 'a', label: 'a', kind: 'step', status: 'cycle', tool: 'search', component: 0, range: { start: 0, end: 4 } },
    { id: '__proto__', label: '<img src=x onerror=alert(1)>', kind: 'step', status: 'cycle', component: 0 },
    { id: 'ghost', label: 'ghost', kind: 'missing', status: 'missing' },
  ],
  edges: [
    { id: 'e1', source: 'a', target: '__proto__', kind: 'dependency', onCycle: true, cycle: ['a', '__proto__'] },
    { id: 'e2', source: '__proto__', target: 'a', kind: 'dependency', onCycle: true },
    { id: 'e3', source: 'a', target: 'ghost', kind: 'dependency', onCycle: false },
  ],
  components: [{ id: 0, members: ['a', '__proto__'] }],
};

const strings = Object.fromEntries(WEBVIEW_STRING_KEYS.map((key) => [key, key])) as WebviewStrings;
const options = { condenseThreshold: 5000, stockLayoutMaxNodes: 300 };

test('init message round-trips through JSON', () => {
  const message = { type: 'init', model, strings, options, state: { documentUri: 'file:///p.json', zoom: 1.5 } };
  const parsed = parseHostMessage(JSON.parse(JSON.stringify(message)));
  assert.equal(parsed.ok, true);
  assert.deepEqual(parsed.ok && parsed.value, message);
});

test('unknown edge endpoint is rejected', () => {
  const broken = { ...model, edges: [{ ...model.edges[0], target: 'nowhere' }] };
  const parsed = parseHostMessage({ type: 'update', model: broken });
  assert.equal(parsed.ok, false);
  assert.match(!parsed.ok ? parsed.error : '', /edges\[0\]\.target.*"nowhere"/);
});

test('stranded node fields are validated', () => {
  const stranded = {
    kind: 'wait-for',
    title: 'run.jsonl',
    nodes: [{ id: 'call:report', label: 'llm report', kind: 'call', status: 'stranded', neverStarted: true, strandedReason: 'it waits for "fetch", which failed' }],
    edges: [],
    components: [],
  };
  const parsed = parseHostMessage({ type: 'update', model: stranded });
  assert.deepEqual(parsed, { ok: true, value: { type: 'update', model: stranded } });

  const notBoolean = parseHostMessage({ type: 'update', model: { ...stranded, nodes: [{ ...stranded.nodes[0], neverStarted: 'yes' }] } });
  assert.equal(notBoolean.ok, false);
  assert.match(!notBoolean.ok ? notBoolean.error : '', /nodes\[0\]\.neverStarted/);
  const notString = parseHostMessage({ type: 'update', model: { ...stranded, nodes: [{ ...stranded.nodes[0], strandedReason: 3 }] } });
  assert.equal(notString.ok, false);
  assert.match(!notString.ok ? notString.error : '', /nodes\[0\]\.strandedReason/);
});

test('duplicate node id is rejected', () => {
  const broken = { ...model, nodes: [...model.nodes, model.nodes[0]], edges: [], components: [] };
  const parsed = parseHostMessage({ type: 'update', model: broken });
  assert.equal(parsed.ok, false);
});

test('missing string key is rejected', () => {
  const partial: Partial<WebviewStrings> = { ...strings };
  delete partial.legend;
  const parsed = parseHostMessage({ type: 'init', model, strings: partial, options, state: { documentUri: 'x' } });
  assert.equal(parsed.ok, false);
  assert.match(!parsed.ok ? parsed.error : '', /strings\.legend/);
});

test('ages message validates each call', () => {
  const good = parseHostMessage({ type: 'ages', now: 10, calls: [{ id: 'c', startedAt: 1, timeoutMs: 5, status: 'running' }] });
  assert.equal(good.ok, true);
  const bad = parseHostMessage({ type: 'ages', now: 10, calls: [{ id: 'c', startedAt: 'soon', status: 'running' }] });
  assert.equal(bad.ok, false);
  const badStatus = parseHostMessage({ type: 'ages', now: 10, calls: [{ id: 'c', startedAt: 1, status: 'sleeping' }] });
  assert.equal(badStatus.ok, false);
});

test('webview messages are validated', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
  assert.deepEqual(parseWebviewMessage({ type: 'reveal', nodeId: 'a' }), { ok: true, value: { type: 'reveal', nodeId: 'a' } });
  assert.equal(parseWebviewMessage({ type: 'reveal', nodeId: 3 }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'copyText', format: 'graphml' }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'launch' }).ok, false);
  assert.equal(parseWebviewMessage(null).ok, false);
  assert.equal(parseWebviewMessage('ready').ok, false);
});

test('export data must match its format', () => {
  assert.equal(parseWebviewMessage({ type: 'exportImage', format: 'png', data: 'data:image/png;base64,AAAA' }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'exportImage', format: 'png', data: 'javascript:alert(1)' }).ok, false);
  assert.equal(parseWebviewMessage({ type: 'exportImage', format: 'svg', data: '<?xml version="1.0"?><svg xmlns="x"></svg>' }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'exportImage', format: 'svg', data: '<html></html>' }).ok, false);
});

test('view state rejects a bad layout', () => {
  assert.equal(parseViewState({ documentUri: 'u', layout: 'layered' }).ok, true);
  assert.equal(parseViewState({ documentUri: 'u', layout: 'spiral' }).ok, false);
  assert.equal(parseViewState({ zoom: 1 }).ok, false);
  assert.equal(parseViewState({ documentUri: 'u', pan: { x: 1, y: Number.NaN } }).ok, false);
});

test('formatString fills placeholders', () => {
  assert.equal(formatString('{0} of {1}', 2, 5), '2 of 5');
  assert.equal(formatString('{0} and {1}', 'a'), 'a and {1}');
});
