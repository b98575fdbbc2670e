import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const extensionId = 'agent-deadlock.agent-deadlock-debugger';
const logChannelName = 'Agent Deadlock Debugger';

/** Lists files under `folder` whose name is `fileName`, depth first. */
function findFiles(folder: string, fileName: string): string[] {
  if (!fs.existsSync(folder)) return [];
  const found: string[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.name === fileName) found.push(full);
    }
  }
  return found;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('extension activation', () => {
  it('is installed under its publisher id', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not among the loaded extensions`);
    assert.equal(extension.packageJSON.name, 'agent-deadlock-debugger');
  });

  it('activates without an error', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('reads its manifest text from package.nls.json', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    const raw = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
    const nls = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const shown = extension.packageJSON as { contributes: { commands: { command: string; title: string; category: string }[] } };
    for (const command of raw.contributes.commands) {
      const key = /^%([\w.-]+)%$/.exec(command.title)?.[1];
      assert.ok(key, `${command.command} has the literal title "${command.title}" in package.json`);
      const loaded = shown.contributes.commands.find((candidate) => candidate.command === command.command);
      assert.equal(loaded?.title, nls[key], `title of ${command.command}`);
    }
    const unresolved = JSON.stringify(extension.packageJSON).match(/"%[\w.-]+%"/g) ?? [];
    assert.deepEqual(unresolved, [], 'VS Code left these %key% references unresolved');
  });

  it('opens the examples workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    const expected = process.env.AGENT_DEADLOCK_TEST_WORKSPACE;
    assert.ok(expected, 'AGENT_DEADLOCK_TEST_WORKSPACE is not set; run the tests through test/vscode/runTest.ts');
    assert.equal(folders[0].uri.fsPath, expected);
  });

  it('writes its log channel', async () => {
    // A LogOutputChannel is backed by `<channel name>.log` in the extension's log folder,
    // which VS Code keeps under `<user data>/logs/<session>/…/<extension id>/`.
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    await extension.activate();
    const userDataDir = process.env.AGENT_DEADLOCK_TEST_USER_DATA_DIR;
    assert.ok(userDataDir, 'AGENT_DEADLOCK_TEST_USER_DATA_DIR is not set; run the tests through test/vscode/runTest.ts');
    const logFile = await waitFor(
      () => findFiles(path.join(userDataDir, 'logs'), `${logChannelName}.log`).find((file) => file.includes(extensionId)),
      10_000,
      `"${logChannelName}.log" under ${userDataDir}/logs`,
    );
    const text = await waitFor(
      () => {
        const content = fs.readFileSync(logFile, 'utf8');
        return content.includes('activated') ? content : undefined;
      },
      10_000,
      `the activation message in ${logFile}`,
    );
    assert.match(text, /\[info\] Agent Deadlock Debugger activated\./);
  });
});
