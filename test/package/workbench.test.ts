/**
 * Installs the packaged `.vsix` (`npm run package` first) into code-server and checks, in
 * headless Chromium, that the Command Palette shows the command titles from package.nls.json
 * and that a command runs. The package's package.json names its titles only as `%key%`, so a
 * missing or unread package.nls.json shows up here as raw keys.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { withWorkbench } from '../e2e/harness';
import { readZipEntries } from '../support/zip';

const repoRoot = path.resolve(__dirname, '..', '..');
const vsixPath = process.env.VSIX_PATH ?? path.join(repoRoot, 'dist-package', 'agent-deadlock-debugger.vsix');

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette?: { command: string }[] };
  };
}

/** Reads a JSON file from the `extension/` folder of the `.vsix`. */
function readPackaged<T>(name: string): T {
  assert.ok(fs.existsSync(vsixPath), `${vsixPath} does not exist. Build it with \`npm run package\`.`);
  const entry = readZipEntries(fs.readFileSync(vsixPath)).find((candidate) => candidate.name === `extension/${name}`);
  assert.ok(entry, `${name} is missing from ${vsixPath}`);
  return JSON.parse(entry.read().toString('utf8')) as T;
}

/** Resolves a `%key%` the way VS Code does, and fails on a key the file has no text for. */
function localise(text: string, nls: Record<string, string>): string {
  const key = /^%([\w.-]+)%$/.exec(text)?.[1];
  if (key === undefined) return text;
  assert.ok(typeof nls[key] === 'string', `package.nls.json has no entry for ${text}`);
  return nls[key];
}

test('packaged extension shows its command titles', { timeout: 240_000 }, async () => {
  const manifest = readPackaged<Manifest>('package.json');
  const nls = readPackaged<Record<string, string>>('package.nls.json');
  // Commands without a commandPalette entry have no `when` clause, so the palette always lists them.
  const conditional = new Set((manifest.contributes.menus.commandPalette ?? []).map((entry) => entry.command));
  const expected = manifest.contributes.commands
    .filter((command) => !conditional.has(command.command))
    .map((command) => `${localise(command.category, nls)}: ${localise(command.title, nls)}`);
  assert.ok(expected.length >= 5, `only ${expected.length} commands are always in the palette`);

  await withWorkbench({ name: 'vsix-titles', extension: { vsix: vsixPath } }, async (workbench) => {
    // Raw keys would read "%command.category%: %command.…%", which the filter does not match.
    await workbench.waitForCommandTitles(localise(manifest.contributes.commands[0].category, nls), expected, 60_000);

    const checkAll = manifest.contributes.commands.find((command) => command.command === 'agentDeadlock.checkWorkspacePlans');
    assert.ok(checkAll, 'package.json has no agentDeadlock.checkWorkspacePlans command');
    await workbench.runCommand(`${localise(checkAll.category, nls)}: ${localise(checkAll.title, nls)}`);
    const toast = workbench.page.locator('.notifications-toasts .notification-list-item-message', { hasText: /Checked \d+ plan files/ });
    await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.screenshot('vsix-check-all-plans');
  });
});
