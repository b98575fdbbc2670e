import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertEventually, withWorkbench } from './harness';

/** A plan whose three steps wait on each other, with a fourth step blocked behind them. */
const CYCLIC_PLAN = `{
  "steps": [
    { "id": "fetch", "tool": "http", "depends_on": ["validate"] },
    { "id": "parse", "tool": "jq", "depends_on": ["fetch"] },
    { "id": "validate", "tool": "schema", "depends_on": ["parse"] },
    { "id": "report", "tool": "llm", "depends_on": ["validate"] }
  ]
}
`;

test('graph panel draws the cyclic plan', { timeout: 180_000 }, () =>
  withWorkbench({ name: 'graph-panel', files: { 'cyclic.plan.json': CYCLIC_PLAN } }, async (workbench) => {
    await workbench.openFile('cyclic.plan.json');
    await workbench.runCommand('Agent Deadlock: Show Dependency Graph');

    // Cytoscape draws on canvases inside the graph container of the webview's content frame.
    const frame = await workbench.webviewFrame({ selector: '#graph canvas', timeoutMs: 60_000 });
    const canvases = await frame.locator('#graph canvas').count();
    assert.ok(canvases > 0, 'the graph container holds a canvas');
    const size = await frame.locator('#graph canvas').first().boundingBox();
    assert.ok(size, 'the canvas has a bounding box');
    assert.ok(size.width > 100, `the canvas is wide enough to use: ${size.width} px`);
    assert.ok(size.height > 100, `the canvas is tall enough to use: ${size.height} px`);

    // The toolbar and legend come from the host's translated strings.
    await frame.locator('.legend summary').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal((await frame.locator('.legend summary').innerText()).trim(), 'Legend');
    await frame.locator('.toolbar .status', { hasText: 'Cycles: 1' }).first().waitFor({ timeout: 15_000 });
    await workbench.screenshot('graph-panel');

    // Keyboard: the first step in reading order is "fetch", and Enter reveals it in the editor.
    await frame.locator('#graph').focus();
    await frame.locator('#graph').press('ArrowRight');
    await frame.locator('#graph').press('Enter');
    const selection = workbench.page.locator('[id="status.editor.selection"]');
    await assertEventually(
      async () => /Ln 3, Col \d+ \(\d+ selected\)/.test(await selection.innerText()),
      15_000,
      async () => `The editor selection is not on the id of "fetch" (line 3): ${await selection.innerText()}`,
    );

    // The serializer brings the panel back after a reload of the window.
    const reloaded = workbench.page.waitForEvent('framenavigated', { predicate: (navigated) => navigated === workbench.page.mainFrame(), timeout: 30_000 });
    await workbench.runCommand('Developer: Reload Window');
    await reloaded;
    await workbench.waitForReady();
    const restored = await workbench.webviewFrame({ selector: '#graph canvas', timeoutMs: 60_000 });
    assert.ok((await restored.locator('#graph canvas').count()) > 0, 'the restored panel draws the graph again');
    await workbench.screenshot('graph-panel-restored');
    assert.deepEqual(workbench.cspViolations(), [], 'the webview loads without Content-Security-Policy violations');
  }),
);
