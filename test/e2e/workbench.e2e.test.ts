import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { withWorkbench } from './harness';

test('workbench opens the examples folder', { timeout: 180_000 }, () =>
  withWorkbench({ name: 'workbench-smoke', files: { 'broken.json': '{ "a": 1,, }\n' } }, async (workbench) => {
    const explorer = workbench.page.locator('.explorer-folders-view');
    await explorer.getByText('clean.plan.json').waitFor({ state: 'visible', timeout: 30_000 });

    await workbench.openFile('clean.plan.json');
    assert.match(await workbench.editorText(), /"fetch_orders"/);

    await workbench.screenshot('examples-open');

    // A JSON syntax error from the built-in JSON support shows that Problems rows are read.
    await workbench.openFile('broken.json');
    const rows = await workbench.waitForProblem(/expected/i);
    assert.ok(rows.some((row) => row.includes('broken.json')), `No Problems row names broken.json:\n${rows.join('\n')}`);
    await workbench.screenshot('problems');
  }),
);

test('webview frame of a Markdown preview', { timeout: 180_000 }, () =>
  withWorkbench({ name: 'workbench-webview', files: { 'notes.md': '# Preview heading\n\nSome text.\n' } }, async (workbench) => {
    // The built-in Markdown preview is a webview, so it exercises the frame lookup
    // without depending on this extension's own webviews.
    await workbench.openFile('notes.md');
    await workbench.runCommand('Markdown: Open Preview to the Side');

    const frame = await workbench.webviewFrame({ selector: 'h1' });
    assert.equal((await frame.locator('h1').innerText()).trim(), 'Preview heading');
    await workbench.screenshot('markdown-preview');
  }),
);

test('quick fix removes a problem', { timeout: 240_000 }, () =>
  withWorkbench(
    // The built-in TypeScript support reports a type error in a checked JavaScript file and
    // offers "Ignore this error message", which exercises the same flow as a plan quick fix.
    { name: 'workbench-quick-fix', files: { 'checked.js': '// @ts-check\nlet count = 1;\ncount = "many";\n' } },
    async (workbench) => {
      await workbench.openFile('checked.js');
      await workbench.openProblem(/not assignable/i, 90_000);
      assert.ok((await workbench.errorSquiggles()) > 0, 'The editor shows no error squiggle.');
      await workbench.screenshot('before-fix');

      await workbench.applyQuickFix(/Ignore this error message/i);
      await workbench.waitForNoProblem(/not assignable/i, 60_000);
      assert.match(await workbench.editorText(), /@ts-ignore/);
      await workbench.screenshot('after-fix');
    },
  ),
);
