import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const GRAPH_VIEW_TYPE = 'agentDeadlock.graph';

/** Returns the open tabs whose webview is a dependency graph panel. */
function graphTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(GRAPH_VIEW_TYPE));
}

async function waitForTabs(count: number, timeoutMs: number): Promise<vscode.Tab[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tabs = graphTabs();
    if (tabs.length === count) return tabs;
    if (Date.now() > deadline) throw new Error(`Expected ${count} graph tab(s) within ${timeoutMs} ms, found ${tabs.length}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('dependency graph command', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens one panel per document', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'json',
      content: '{ "steps": [ { "id": "a", "tool": "t", "depends_on": ["b"] }, { "id": "b", "tool": "t", "depends_on": ["a"] } ] }',
    });
    await vscode.window.showTextDocument(document);

    await vscode.commands.executeCommand('agentDeadlock.showGraph');
    const [tab] = await waitForTabs(1, 10_000);
    assert.match(tab.label, /Graph/);

    // A second request for the same document, as a CodeLens sends it, reuses the panel.
    await vscode.commands.executeCommand('agentDeadlock.showGraph', document.uri, 'b');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(graphTabs().length, 1);
  });

  it('reports a missing editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('agentDeadlock.showGraph');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(graphTabs().length, 0);
  });
});
