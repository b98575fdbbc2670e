/**
 * The graph webview in Chromium: fixture graphs are posted to the built bundle and the
 * assertions read Cytoscape's state through the test hook that only test pages enable.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkTrace } from '../../src/core/trace/check';

import type { GraphModel } from '../../src/shared/graphModel';
import { parseWebviewMessage, type HostMessage, type ViewOptions } from '../../src/shared/protocol';
import { openGraphPage, screenshot, startHarness, type GraphPage, type WebviewHarness } from './browser';
import { busyWaitForGraph, cyclicPlan, HOSTILE_ID, randomPlan, stagedPlan, testStrings, waitForGraph } from './fixtures';
import { THEMES } from './themes';

const OPTIONS: ViewOptions = { condenseThreshold: 5000, stockLayoutMaxNodes: 300 };

let harness: WebviewHarness;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

function init(model: GraphModel, options = OPTIONS): HostMessage {
  return { type: 'init', model, strings: testStrings(), options, state: { documentUri: `file:///work/${model.title}` } };
}

interface NodeFacts {
  classes: string[];
  label: string;
  display: string;
  borderColor: string;
  borderStyle: string;
  backgroundColor: string;
  opacity: number;
  parent: string | undefined;
  rendered: { x: number; y: number };
}

/** Reads Cytoscape's state for the node drawn for a model id. */
function nodeFacts(graph: GraphPage, modelId: string): Promise<NodeFacts | undefined> {
  return graph.page.evaluate((id) => {
    type Node = {
      data(key: string): unknown;
      classes(): string[];
      style(name: string): string;
      parent(): { empty(): boolean; id(): string };
      renderedPosition(): { x: number; y: number };
    };
    const hook = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { nodes(): { filter(f: (n: Node) => boolean): Node[] } } } } }).__agentDeadlockGraph;
    const node = hook.view().cy.nodes().filter((candidate) => candidate.data('modelId') === id)[0];
    if (!node) return undefined;
    const parent = node.parent();
    const box = document.getElementById('graph')!.getBoundingClientRect();
    const rendered = node.renderedPosition();
    return {
      classes: node.classes(),
      label: String(node.data('label')),
      display: String(node.data('display')),
      borderColor: node.style('border-color'),
      borderStyle: node.style('border-style'),
      backgroundColor: node.style('background-color'),
      opacity: Number(node.style('opacity')),
      parent: parent.empty() ? undefined : parent.id(),
      rendered: { x: rendered.x + box.left, y: rendered.y + box.top },
    };
  }, modelId);
}

describe('graph webview', () => {
  test('cyclic plan marks cycle and blocked steps', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));

      for (const id of ['fetch', 'parse', 'validate']) {
        const facts = await nodeFacts(graph, id);
        assert.ok(facts, `node ${id} is drawn`);
        assert.ok(facts.classes.includes('cycle'), `${id} has the cycle class: ${facts.classes.join(' ')}`);
        assert.equal(facts.parent, 'c0', `${id} sits in the component's compound parent`);
        assert.equal(facts.borderColor, 'rgb(229,20,0)', `${id} has the theme's error colour`);
      }
      for (const id of ['report', 'publish', HOSTILE_ID]) {
        const facts = await nodeFacts(graph, id);
        assert.ok(facts?.classes.includes('blocked'), `${id} has the blocked class`);
        assert.ok(facts);
        assert.ok(facts.opacity < 1, `${id} is dimmed`);
      }
      const ghost = await nodeFacts(graph, 'ghost');
      assert.ok(ghost?.classes.includes('missing'), 'the unknown dependency is a ghost node');
      const lint = await nodeFacts(graph, 'lint');
      assert.ok(lint?.classes.includes('lock-inversion'));
      const setup = await nodeFacts(graph, 'setup');
      assert.ok(setup);
      assert.ok(!setup.classes.includes('cycle'), 'setup is not on the cycle');
      assert.ok(!setup.classes.includes('blocked'), 'setup is not blocked');

      const cycleEdges = await graph.page.evaluate(() => {
        const hook = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { edges(selector: string): { length: number } } } } }).__agentDeadlockGraph;
        return hook.view().cy.edges('.on-cycle').length;
      });
      assert.equal(cycleEdges, 3);

      const legend = await graph.page.locator('.legend li').allTextContents();
      assert.ok(legend.includes('On a cycle'));
      assert.ok(legend.includes('Blocked: can never run'));
      assert.ok(legend.includes('Unknown dependency'));
      await screenshot(graph.page, 'cyclic-plan-light');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('hostile step name renders as text', async () => {
    const graph = await openGraphPage(harness, THEMES.dark);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      const facts = await nodeFacts(graph, HOSTILE_ID);
      assert.equal(facts?.label, HOSTILE_ID);

      // Hover shows the tooltip, built from text nodes.
      await graph.page.mouse.move(facts.rendered.x, facts.rendered.y);
      await graph.page.waitForSelector('.tooltip:not([hidden])');
      const tooltip = graph.page.locator('.tooltip');
      assert.match((await tooltip.textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
      assert.match((await tooltip.textContent()) ?? '', /<script>alert\(2\)<\/script>/);
      assert.equal(await graph.page.locator('img, script:not([src])').count(), 0, 'no element was created from the label');

      // Searching for the hostile text shows it in the status line as plain text too.
      await graph.page.fill('input.search', '<img');
      await graph.page.waitForFunction(() => document.querySelector('.toolbar .grow .status')?.textContent === '1 matches');
      await screenshot(graph.page, 'hostile-name-dark');

      await graph.page.waitForTimeout(200);
      assert.deepEqual(graph.dialogs, [], 'no alert fired');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('clicking a node posts reveal', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      const facts = await nodeFacts(graph, 'parse');
      assert.ok(facts);
      await graph.page.mouse.click(facts.rendered.x, facts.rendered.y);
      await graph.page.waitForFunction(() =>
        (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'reveal'),
      );
      const reveals = (await graph.posted()).filter((message) => message.type === 'reveal');
      assert.deepEqual(reveals, [{ type: 'reveal', nodeId: 'parse' }]);
    } finally {
      await graph.close();
    }
  });

  test('theme change restyles the graph', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      const light = await nodeFacts(graph, 'fetch');
      const lightSetup = await nodeFacts(graph, 'setup');
      await graph.setTheme(THEMES.dark);
      const dark = await nodeFacts(graph, 'fetch');
      const darkSetup = await nodeFacts(graph, 'setup');
      assert.equal(light?.borderColor, 'rgb(229,20,0)');
      assert.equal(dark?.borderColor, 'rgb(241,76,76)', 'the cycle border follows --vscode-editorError-foreground');
      assert.notEqual(lightSetup?.backgroundColor, darkSetup?.backgroundColor);
      await screenshot(graph.page, 'cyclic-plan-dark');

      await graph.setTheme(THEMES.highContrast);
      const contrast = await nodeFacts(graph, 'fetch');
      assert.equal(contrast?.borderColor, 'rgb(255,50,50)');
      const setupContrast = await nodeFacts(graph, 'setup');
      assert.equal(setupContrast?.borderColor, 'rgb(111,195,223)', 'high contrast uses --vscode-contrastBorder');
      await screenshot(graph.page, 'cyclic-plan-high-contrast');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('selected edge emphasises its cycle', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      const emphasised = await graph.page.evaluate(() => {
        type Edge = { data(key: string): unknown; emit(event: string): void };
        const hook = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { edges(): { filter(f: (e: Edge) => boolean): Edge[] }; elements(s: string): { map(f: (e: { data(k: string): unknown }) => unknown): unknown[] } }; emphasiseCycle(edge: Edge): void } } }).__agentDeadlockGraph;
        const view = hook.view();
        const edge = view.cy.edges().filter((candidate) => candidate.data('source') !== candidate.data('target'))[1];
        view.emphasiseCycle(edge);
        return view.cy.elements('.cycle-path').map((element) => element.data('modelId') ?? `${element.data('source')}->${element.data('target')}`);
      });
      assert.equal(emphasised.length, 6, `three nodes and three edges: ${JSON.stringify(emphasised)}`);
      await screenshot(graph.page, 'cycle-path');
    } finally {
      await graph.close();
    }
  });

  test('ages recolour running nodes', async () => {
    const graph = await openGraphPage(harness, THEMES.dark);
    try {
      const now = Date.now();
      await graph.rendered(() => graph.send(init(waitForGraph(now))));
      const calls = [
        { id: 'call-1 search', startedAt: now - 2_000, timeoutMs: 10_000, status: 'running' as const },
        { id: 'call-2 fetch', startedAt: now - 8_000, timeoutMs: 10_000, status: 'running' as const },
        { id: 'call-3 shell', startedAt: now - 40_000, timeoutMs: 30_000, status: 'timeout' as const },
        { id: 'call-4 write', startedAt: now - 20_000, timeoutMs: 15_000, status: 'killed' as const },
      ];
      await graph.send({ type: 'ages', now, calls });
      await graph.page.waitForFunction(() => true);
      const early = await nodeFacts(graph, 'call-1 search');
      const near = await nodeFacts(graph, 'call-2 fetch');
      assert.ok(early);
      assert.ok(near);
      assert.ok(early.classes.includes('running'), 'a young call is running');
      assert.ok(!early.classes.includes('near-timeout'), 'a call at 20% of its timeout is not near it');
      assert.equal(early.borderColor, 'rgb(55,148,255)', 'a young call has the info colour');
      assert.ok(near?.classes.includes('near-timeout'), 'a call at 80% of its timeout is near it');
      assert.equal(near.borderColor, 'rgb(204,167,0)');
      assert.equal(near.display, 'call-2 fetch\n8.0 s / 10 s');

      // One second later the first call passes 75% and the second its timeout.
      await graph.send({
        type: 'ages',
        now: now + 6_000,
        calls: calls.slice(0, 2),
      });
      await graph.page.waitForFunction(() => true);
      const later = await nodeFacts(graph, 'call-1 search');
      const over = await nodeFacts(graph, 'call-2 fetch');
      assert.ok(later?.classes.includes('near-timeout'));
      assert.ok(over?.classes.includes('over-timeout'));
      assert.ok(over);
      assert.equal(over.borderColor, 'rgb(241,76,76)');

      const timedOut = await nodeFacts(graph, 'call-3 shell');
      const killed = await nodeFacts(graph, 'call-4 write');
      assert.ok(timedOut?.classes.includes('timed-out'), 'a timed-out call stays marked');
      assert.ok(killed?.classes.includes('killed'), 'a killed call stays marked');
      await screenshot(graph.page, 'wait-for-ages-dark');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('stranded calls read as never started', async () => {
    // The model comes from a trace that `agent-deadlock run` wrote for a plan with a failed
    // call, a lock deadlock and calls stranded behind both.
    const name = 'run-stranded-deadlock.jsonl';
    const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'traces', name), 'utf8');
    const { graph: model } = checkTrace(text, name);
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(model)));

      const publish = await nodeFacts(graph, 'call:publish');
      assert.ok(publish, 'the call that never started is drawn');
      assert.ok(publish.classes.includes('stranded'), publish.classes.join(' '));
      assert.equal(publish.display, 'http publish\nnever started');
      assert.equal(publish.borderColor, 'rgb(191,136,3)', 'the border follows --vscode-editorWarning-foreground');
      assert.equal(publish.borderStyle, 'dashed');
      const writer = await nodeFacts(graph, 'call:writer');
      assert.ok(writer, 'the deadlocked call is drawn');
      assert.ok(writer.classes.includes('cycle'), 'the deadlocked call stays on its cycle');
      assert.ok(!publish.classes.includes('cycle'));

      const legend = await graph.page.locator('.legend li:not([hidden])').allTextContents();
      assert.ok(legend.includes('Stranded'), legend.join(', '));

      await graph.page.mouse.move(publish.rendered.x, publish.rendered.y);
      await graph.page.waitForSelector('.tooltip:not([hidden])');
      const tooltip = (await graph.page.locator('.tooltip').textContent()) ?? '';
      assert.ok(tooltip.includes('Never started: it waits for "writer", "reader", which cannot finish.'), tooltip);
      await screenshot(graph.page, 'stranded-calls-light');

      await graph.page.mouse.move(writer.rendered.x, writer.rendered.y);
      await graph.page.waitForFunction(() => document.querySelector('.tooltip')?.textContent?.includes('db writer') === true);
      const writerTooltip = (await graph.page.locator('.tooltip').textContent()) ?? '';
      assert.ok(writerTooltip.includes('Stranded: it waits for lock "cache", held by "reader".'), writerTooltip);
      assert.ok(!writerTooltip.includes('Never started'), 'writer started');

      await graph.setTheme(THEMES.dark);
      const dark = await nodeFacts(graph, 'call:publish');
      assert.equal(dark?.borderColor, 'rgb(204,167,0)', 'the border follows the dark theme');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('wait-for graph opens layered and readable', async () => {
    const readLayout = (graph: GraphPage) =>
      graph.page.evaluate(() => {
        type Node = { data(key: string): unknown; position(): { x: number; y: number }; numericStyle(name: string): number };
        type Edge = { data(key: string): unknown; source(): Node; target(): Node; hasClass(name: string): boolean };
        const view = (window as unknown as {
          __agentDeadlockGraph: { view(): { lastRender?: { layout: string }; cy: { zoom(): number; nodes(): { filter(f: (n: Node) => boolean): Node[] }; edges(): { toArray(): Edge[] } } } };
        }).__agentDeadlockGraph.view();
        const nodes = view.cy.nodes().filter((node) => Boolean(node.data('node')));
        const fontSize = nodes[0].numericStyle('font-size');
        const upward = view.cy
          .edges()
          .toArray()
          .filter((edge) => !edge.hasClass('on-cycle'))
          .map((edge) => edge.target().position().y < edge.source().position().y);
        return {
          layout: view.lastRender?.layout,
          selected: (document.querySelector('.toolbar select') as HTMLSelectElement | null)?.value,
          renderedFontSize: fontSize * view.cy.zoom(),
          fontSize,
          upward,
        };
      });

    const plan = await openGraphPage(harness, THEMES.light);
    const trace = await openGraphPage(harness, THEMES.light);
    try {
      await plan.rendered(() => plan.send(init(stagedPlan())));
      await trace.rendered(() => trace.send(init(busyWaitForGraph(Date.now()))));
      const planLayout = await readLayout(plan);
      const traceLayout = await readLayout(trace);
      await screenshot(trace.page, 'wait-for-layered-light');

      assert.equal(traceLayout.layout, 'layered', 'the wait-for graph opens in the layered layout');
      assert.equal(traceLayout.selected, 'layered', 'the toolbar names the layout in use');
      assert.equal(traceLayout.layout, planLayout.layout, 'trace and plan graphs open in the same layout');
      // Labels are drawn at the theme's font size times the zoom. Below 75 % of it they are hard to read.
      assert.ok(traceLayout.renderedFontSize >= 0.75 * traceLayout.fontSize, `labels are drawn at ${traceLayout.renderedFontSize.toFixed(1)} px`);
      assert.ok(
        traceLayout.renderedFontSize >= Math.min(planLayout.renderedFontSize, 0.75 * planLayout.fontSize),
        `trace labels at ${traceLayout.renderedFontSize.toFixed(1)} px are smaller than the plan graph's ${planLayout.renderedFontSize.toFixed(1)} px`,
      );
      // In layers, every wait points up to what it waits for, so the graph reads top to bottom.
      assert.ok(traceLayout.upward.length > 0);
      assert.ok(traceLayout.upward.every(Boolean), `${traceLayout.upward.filter((up) => !up).length} waits point down`);
      assert.deepEqual(trace.problems, []);
    } finally {
      await plan.close();
      await trace.close();
    }
  });

  test('update keeps zoom and selection', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(stagedPlan())));
      await graph.send({ type: 'select', nodeId: 'build' });
      const before = await graph.page.evaluate(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { zoom(z?: number): number; pan(): { x: number; y: number } } } } }).__agentDeadlockGraph.view();
        view.cy.zoom(1.7);
        (window as unknown as { __firstCy: unknown }).__firstCy = view.cy;
        return { zoom: view.cy.zoom(), pan: view.cy.pan() };
      });
      const changed = stagedPlan();
      changed.nodes.push({ id: 'deploy', label: 'deploy', kind: 'step', status: 'ok', stage: 5 });
      changed.edges.push({ id: 'deploy->package', source: 'deploy', target: 'package', kind: 'dependency', onCycle: false });
      changed.stages!.push(['deploy']);
      await graph.rendered(() => graph.send({ type: 'update', model: changed }));
      const after = await graph.page.evaluate(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { zoom(): number; pan(): { x: number; y: number }; nodes(s: string): Array<{ data(k: string): unknown }> } } } }).__agentDeadlockGraph.view();
        return { zoom: view.cy.zoom(), pan: view.cy.pan(), selected: view.cy.nodes(':selected').map((node) => node.data('modelId')) };
      });
      assert.equal(after.zoom, before.zoom);
      assert.deepEqual(after.pan, before.pan);
      assert.deepEqual(after.selected, ['build']);
      assert.ok(await nodeFacts(graph, 'deploy'));
      const reused = await graph.page.evaluate(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: unknown } } }).__agentDeadlockGraph.view();
        return view.cy === (window as unknown as { __firstCy: unknown }).__firstCy;
      });
      assert.equal(reused, true, 'the update patched the drawn graph instead of rebuilding it');

      // A second edit removes "deploy" and blocks "unit": the drawn elements follow.
      const edited = stagedPlan();
      edited.nodes.find((node) => node.id === 'unit')!.status = 'blocked';
      await graph.rendered(() => graph.send({ type: 'update', model: edited }));
      assert.equal(await nodeFacts(graph, 'deploy'), undefined, 'a removed step is no longer drawn');
      assert.ok((await nodeFacts(graph, 'unit'))?.classes.includes('blocked'));
      assert.ok(!(await nodeFacts(graph, 'build'))?.classes.includes('blocked'));

      // Stages become layers: each stage sits lower than the one before.
      const ys = [];
      for (const id of ['checkout', 'install', 'build', 'unit', 'package']) ys.push((await nodeFacts(graph, id))!.rendered.y);
      for (let i = 1; i < ys.length; i++) assert.ok(ys[i] > ys[i - 1], `stage ${i} is below stage ${i - 1}`);
      // The state is saved 300 ms after the view settles.
      await graph.page.waitForFunction(() =>
        (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'state'),
      );
      const states = (await graph.posted()).filter((message) => message.type === 'state');
      const last = states.at(-1);
      assert.ok(last?.type === 'state', 'the view state is posted for restore');
      assert.equal(last.state.selectedId, 'build');
      assert.equal(last.state.zoom, before.zoom);
    } finally {
      await graph.close();
    }
  });

  test('search highlights upstream and downstream', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(stagedPlan())));
      await graph.page.fill('input.search', 'build');
      await graph.page.waitForFunction(() => document.querySelector('.toolbar .grow .status')?.textContent === '1 matches');
      assert.ok((await nodeFacts(graph, 'build'))?.classes.includes('match'));
      assert.ok((await nodeFacts(graph, 'checkout'))?.classes.includes('upstream'));
      assert.ok((await nodeFacts(graph, 'package'))?.classes.includes('downstream'));
      await graph.page.fill('input.search', 'npm');
      await graph.page.waitForFunction(() => document.querySelector('.toolbar .grow .status')?.textContent === '4 matches');
      await screenshot(graph.page, 'search-by-tool');
    } finally {
      await graph.close();
    }
  });

  test('large graph opens condensed and expands', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      const model = randomPlan(400, 2, 3);
      await graph.rendered(() => graph.send(init(model, { condenseThreshold: 300, stockLayoutMaxNodes: 300 })));
      const condensed = await graph.page.evaluate(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { nodes(s: string): { length: number } } } } }).__agentDeadlockGraph.view();
        return view.cy.nodes('.condensed').length;
      });
      assert.equal(condensed, 3);
      assert.equal(await nodeFacts(graph, model.components[0].members[0]), undefined, 'members of a condensed cycle are not drawn');
      assert.equal(await graph.page.locator('#notice').isVisible(), true);
      await screenshot(graph.page, 'large-condensed');

      await graph.rendered(() =>
        graph.page.evaluate(() => {
          const view = (window as unknown as { __agentDeadlockGraph: { view(): { expandComponent(id: number): Promise<void> } } }).__agentDeadlockGraph.view();
          void view.expandComponent(0);
        }),
      );
      const member = await nodeFacts(graph, model.components[0].members[0]);
      assert.ok(member?.classes.includes('cycle'), 'an expanded component shows its members');
      assert.deepEqual(graph.problems, []);
    } finally {
      await graph.close();
    }
  });

  test('large graph groups cycles in boxes', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      const model = randomPlan(900, 2, 2);
      await graph.rendered(() => graph.send(init(model)));
      const facts = await graph.page.evaluate(() => {
        type Node = { data(key: string): unknown; position(): { x: number; y: number }; width(): number; height(): number };
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { nodes(selector: string): Node[] & { length: number } } } } }).__agentDeadlockGraph.view();
        const box = view.cy.nodes('.component-box')[0];
        return {
          parents: view.cy.nodes(':parent').length,
          boxes: view.cy.nodes('.component-box').length,
          box: box ? { x: box.position().x, y: box.position().y, width: box.width(), height: box.height() } : undefined,
        };
      });
      assert.equal(facts.parents, 0, 'no compound parents in a large graph');
      assert.equal(facts.boxes, 2);
      assert.ok(facts.box);
      const member = await nodeFacts(graph, model.components[0].members[0]);
      assert.ok(member?.classes.includes('cycle'));
      assert.deepEqual(graph.problems, []);
      await screenshot(graph.page, 'large-boxes');
      await graph.page.locator('#graph').focus();
      await graph.page.keyboard.press('n');
      assert.equal(await graph.page.locator('.toolbar .status').first().textContent(), 'Cycle 1 of 2');
      await screenshot(graph.page, 'large-boxes-first-cycle');
    } finally {
      await graph.close();
    }
  });

  test('keyboard steps through cycles and reveals', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      const status = graph.page.locator('.toolbar .status').first();
      assert.equal(await status.textContent(), 'Cycles: 1');

      await graph.page.locator('#graph').focus();
      await graph.page.keyboard.press('n');
      assert.equal(await status.textContent(), 'Cycle 1 of 1');
      const selected = await graph.page.evaluate(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { nodes(s: string): Array<{ id(): string }> } } } }).__agentDeadlockGraph.view();
        return view.cy.nodes(':selected').map((node) => node.id());
      });
      assert.deepEqual(selected, ['c0'], 'the cycle group is selected');

      // Down from "setup" goes to a step that depends on it; Enter reveals that step.
      await graph.send({ type: 'focus', nodeId: 'setup' });
      // The page handles the message asynchronously, so the key must wait for the selection.
      await graph.page.waitForFunction(() => {
        const view = (window as unknown as { __agentDeadlockGraph: { view(): { cy: { nodes(s: string): Array<{ id(): string }> } } } }).__agentDeadlockGraph.view();
        // The cycle group was selected before; the step's own node replaces it.
        const ids = view.cy.nodes(':selected').map((node) => node.id());
        return ids.length > 0 && !ids.includes('c0');
      });
      await graph.page.keyboard.press('ArrowDown');
      await graph.page.keyboard.press('Enter');
      await graph.page.waitForFunction(() =>
        (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'reveal'),
      );
      const reveal = (await graph.posted()).find((message) => message.type === 'reveal');
      assert.ok(reveal?.type === 'reveal');
      assert.ok(['fetch', 'lint', 'test'].includes(reveal.nodeId), `revealed a dependent of setup: ${reveal.nodeId}`);
    } finally {
      await graph.close();
    }
  });

  test('invalid host message is reported', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.page.evaluate(() => window.postMessage({ type: 'update', model: { nodes: 'none' } }, '*'));
      await graph.page.waitForFunction(() =>
        (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'error'),
      );
      const errors = (await graph.posted()).filter((message) => message.type === 'error');
      assert.match(errors[0].type === 'error' ? errors[0].message : '', /invalid message.*message\.model/);
    } finally {
      await graph.close();
    }
  });

  test('export posts PNG and SVG', async () => {
    const graph = await openGraphPage(harness, THEMES.light);
    try {
      await graph.rendered(() => graph.send(init(cyclicPlan())));
      await graph.send({ type: 'requestExport', format: 'png' });
      await graph.send({ type: 'requestExport', format: 'svg' });
      await graph.page.waitForFunction(() =>
        (window as unknown as { __posted: Array<{ type: string }> }).__posted.filter((m) => m.type === 'exportImage').length === 2,
      );
      const images = (await graph.posted()).filter((message) => message.type === 'exportImage');
      const png = images.find((message) => message.type === 'exportImage' && message.format === 'png');
      const svg = images.find((message) => message.type === 'exportImage' && message.format === 'svg');
      assert.ok(png?.type === 'exportImage', 'a PNG is posted');
      assert.ok(png.data.startsWith('data:image/png;base64,'));
      assert.ok(svg?.type === 'exportImage', 'an SVG is posted');
      assert.ok(svg.data.includes('<svg'));
      assert.equal(parseWebviewMessage(png).ok, true, 'the host accepts the PNG');
      assert.equal(parseWebviewMessage(svg).ok, true, `the host accepts the SVG: ${svg.data.slice(0, 160)}`);
      assert.ok(svg.data.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the hostile label is escaped in the SVG');
      assert.ok(!svg.data.includes('<img'), 'no element is created from the label');
    } finally {
      await graph.close();
    }
  });
});
