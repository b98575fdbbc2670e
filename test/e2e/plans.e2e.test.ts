/**
 * The cycle workflow as a user performs it in a real VS Code (code-server in headless Chromium):
 * open the cyclic example, read the cycle in the Problems panel, apply the quick fix from the
 * editor's light bulb menu, and see the problem disappear. Screenshots of each step are saved
 * under `test-output/`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { assertEventually, withWorkbench } from './harness';

test('quick fix removes a cycle problem', { timeout: 240_000 }, () =>
  withWorkbench({ name: 'plan-cycle-quick-fix' }, async (workbench) => {
    const { page } = workbench;
    await workbench.openFile('cyclic.plan.json');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 30_000 });
    // The lenses above the steps name the cycle and the step it blocks.
    await page.locator('.codelens-decoration', { hasText: 'in cycle: plan_queries → merge_results' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.codelens-decoration', { hasText: 'blocked by plan_queries' }).first().waitFor({ state: 'visible', timeout: 15_000 });

    const before = await workbench.waitForProblem(/Cycle: `plan_queries` → `merge_results`/);
    // Six cycle diagnostics (one per cycle through each entry) and the blocked write_summary step.
    assert.ok(before.includes('7 problems in file cyclic.plan.json of folder .'), `The file row does not count 7 problems:\n${before.join('\n')}`);
    await workbench.screenshot('cycle-in-problems');

    // Put the cursor on the first problem of the file, the "merge_results" entry of plan_queries,
    // then open the quick fix menu there, as Ctrl+. does.
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await workbench.runCommand('Go to Next Problem (Error, Warning, Info)');
    await page.keyboard.press('Escape');
    await workbench.runCommand('Quick Fix...');

    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Remove `merge_results` from the depends_on of `plan_queries`' }).first();
    await fix.waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.screenshot('quick-fix-menu');
    // The menu focuses its first entry; Enter applies it, as a keyboard user would.
    await page.keyboard.press('Enter');

    // With the cycle gone, write_summary is no longer blocked, so the file has no problem left.
    const after = await workbench.waitForNoProblem(/in file cyclic\.plan\.json/);
    assert.ok(!after.some((row) => /Cycle:/.test(row)), `A cycle is still listed:\n${after.join('\n')}`);
    await assertEventually(
      async () => /"id": "plan_queries", "tool": "plan_queries", "depends_on": \[\]/.test(await workbench.editorText()),
      15_000,
      async () => `The editor does not show the emptied depends_on list:\n${await workbench.editorText()}`,
    );
    await workbench.screenshot('cycle-fixed');

    // The fix is only in the editor until saved; the file on disk is unchanged.
    const onDisk = fs.readFileSync(path.join(workbench.workspace, 'cyclic.plan.json'), 'utf8');
    assert.match(onDisk, /"depends_on": \["merge_results"\]/);
  }),
);
