/**
 * Editor features of plan files, exercised through the real VS Code API: diagnostics with their
 * ranges, codes and related information, quick fixes, rename, navigation, outline, completion,
 * code lenses, commands, and the workspace check of files that are not open. The workspace is a
 * fresh copy of `examples/` made by `test/vscode/runTest.ts`, so the tests may edit and save.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'agent-deadlock.agent-deadlock-debugger';
const source = 'agent-deadlock';
/** Deadline for any one wait on diagnostics. Waits end as soon as the event arrives. */
const WAIT_MS = 15_000;

function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the examples workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === source);
}

function codeOf(diagnostic: vscode.Diagnostic): string | number | undefined {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

/**
 * Resolves with our diagnostics of `uri` once `accept` returns true for them. It checks at once
 * and then on every `onDidChangeDiagnostics` event for the file, and fails after `WAIT_MS`,
 * showing the last diagnostics seen.
 */
function waitForDiagnostics(uri: vscode.Uri, accept: (diagnostics: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const diagnostics = ours(uri);
      if (!accept(diagnostics)) return false;
      cleanup();
      resolve(diagnostics);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      const seen = ours(uri).map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}:${diagnostic.range.start.character}`);
      reject(new Error(`Timed out after ${WAIT_MS} ms waiting for ${what} in ${uri.path}. Last diagnostics: ${seen.join(', ') || 'none'}`));
    }, WAIT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      subscription.dispose();
    };
    check();
  });
}

function withCode(code: string) {
  return (diagnostics: vscode.Diagnostic[]) => diagnostics.some((diagnostic) => codeOf(diagnostic) === code);
}

function withoutCode(code: string) {
  return (diagnostics: vscode.Diagnostic[]) => !diagnostics.some((diagnostic) => codeOf(diagnostic) === code);
}

/** Returns the position of the `occurrence`-th (from 0) match of `needle`, plus `shift` characters. */
function positionOf(document: vscode.TextDocument, needle: string, occurrence = 0, shift = 1): vscode.Position {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = document.getText().indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `"${needle}" occurs fewer than ${occurrence + 1} times in ${document.uri.path}`);
  }
  return document.positionAt(offset + shift);
}

/** Returns the range of `entry` inside the `depends_on` list of the step whose id is `step`. */
function dependencyRange(document: vscode.TextDocument, step: string, entry: string): vscode.Range {
  const text = document.getText();
  const stepStart = text.indexOf(`"id": "${step}"`);
  assert.ok(stepStart >= 0, `no step ${step}`);
  const listStart = text.indexOf('"depends_on"', stepStart);
  const offset = text.indexOf(entry, listStart);
  assert.ok(listStart >= 0, `step ${step} has no depends_on`);
  assert.ok(offset >= 0, `no ${entry} in the depends_on of ${step}`);
  return new vscode.Range(document.positionAt(offset), document.positionAt(offset + entry.length));
}

function rangeOf(document: vscode.TextDocument, needle: string, occurrence = 0): vscode.Range {
  const start = positionOf(document, needle, occurrence, 0);
  return new vscode.Range(start, document.positionAt(document.offsetAt(start) + needle.length));
}

async function open(...segments: string[]): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(...segments));
  await vscode.window.showTextDocument(document);
  return document;
}

async function writeFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceUri(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

async function quickFixes(document: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  )) ?? [];
  return actions.filter((action): action is vscode.CodeAction => 'kind' in action && action.edit !== undefined);
}

async function applyRename(document: vscode.TextDocument, position: vscode.Position, newName: string): Promise<void> {
  const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', document.uri, position, newName);
  assert.ok(edit, 'the rename provider returned no edit');
  assert.equal(await vscode.workspace.applyEdit(edit), true, 'the rename edit was not applied');
}

/** Runs `action` and waits for the document to change, so tests read the new text. */
async function editAndWait(document: vscode.TextDocument, action: () => Thenable<unknown>): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === document && event.contentChanges.length > 0) {
        subscription.dispose();
        resolve();
      }
    });
  });
  await action();
  await changed;
}

before(async () => {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded`);
  await extension.activate();
});

/** Reverts every edit a test left unsaved, then closes the editors without a save prompt. */
afterEach(async () => {
  for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isDirty)) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

describe('workspace check', () => {
  it('reports plans that are not open', async () => {
    const uri = workspaceUri('unknown.plan.json');
    assert.ok(!vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString()), 'unknown.plan.json must not be open yet');
    const diagnostics = await waitForDiagnostics(uri, withCode('unknown-dependency'), 'the unknown dependency of a file that is not open');
    assert.equal(diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'unknown-dependency').length, 1);
  });

  it('checks a plan file created on disk', async () => {
    const uri = await writeFile('created.plan.json', '[{"id": "a", "tool": "t", "depends_on": ["b"]}, {"id": "b", "tool": "t", "depends_on": ["a"]}]');
    const diagnostics = await waitForDiagnostics(uri, withCode('cycle'), 'the cycle of a new file on disk');
    assert.equal(diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle').length, 2);
  });

  it('clears a deleted plan file', async () => {
    const uri = await writeFile('deleted.plan.json', '[{"id": "a", "tool": "t", "depends_on": ["a"]}]');
    await waitForDiagnostics(uri, withCode('self-dependency'), 'the self-dependency of a new file');
    await vscode.workspace.fs.delete(uri);
    await waitForDiagnostics(uri, (diagnostics) => diagnostics.length === 0, 'no diagnostics after the delete');
  });

  it('command summarises every plan', async () => {
    const summary = await vscode.commands.executeCommand<{ files: number; problems: number; filesWithProblems: number }>('agentDeadlock.checkWorkspacePlans');
    assert.ok(summary, 'the command returned no summary');
    assert.ok(summary.files >= 5, `expected at least the 5 examples, got ${summary.files}`);
    assert.ok(summary.problems > 0);
    assert.ok(summary.filesWithProblems >= 3, `cyclic, unknown and agents have problems; got ${summary.filesWithProblems}`);
  });
});

describe('plan recognition', () => {
  it('recognises a plan by $schema', async () => {
    const uri = await writeFile(
      'agent-steps.json',
      '{\n  "$schema": "./node_modules/agent-deadlock-debugger/schemas/plan.schema.json",\n  "steps": [\n    {"id": "a", "tool": "t", "depends_on": ["b"]},\n    {"id": "b", "tool": "t", "depends_on": ["a"]}\n  ]\n}\n',
    );
    const document = await open('agent-steps.json');
    await waitForDiagnostics(uri, withCode('cycle'), 'the cycle of a plan named by $schema');
    // The language features register again for the recognised file, so the outline lists its steps.
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    assert.deepEqual(symbols?.filter((symbol) => symbol.kind === vscode.SymbolKind.Function).map((symbol) => symbol.name), ['a', 'b']);
  });

  it('validates the shape with the schema', async () => {
    const uri = await writeFile('shape.plan.json', '[{"id": "a", "tool": "t", "timeout_ms": "slow", "behavior": "sometimes"}]\n');
    await open('shape.plan.json');
    // The editor's JSON support reports these through the shipped schema, not this extension.
    const fromSchema = await new Promise<vscode.Diagnostic[]>((resolve, reject) => {
      const fromOthers = () => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source !== source);
      const done = () => {
        if (fromOthers().length < 2) return;
        clearTimeout(timer);
        subscription.dispose();
        resolve(fromOthers());
      };
      const subscription = vscode.languages.onDidChangeDiagnostics(done);
      const timer = setTimeout(() => {
        subscription.dispose();
        reject(new Error(`Timed out waiting for schema diagnostics; got ${vscode.languages.getDiagnostics(uri).map((diagnostic) => diagnostic.message).join(' | ') || 'none'}`));
      }, 30_000);
      done();
    });
    const messages = fromSchema.map((diagnostic) => diagnostic.message).join(' | ');
    assert.match(messages, /number/i);
    assert.match(messages, /ok|error|hang|lost/);
  });

  it('ignores other JSON files', async () => {
    const uri = await writeFile('not-a-plan.json', '[{"id": "a", "tool": "t", "depends_on": ["a"]}]\n');
    await open('not-a-plan.json');
    const problems = await vscode.commands.executeCommand<number>('agentDeadlock.checkCurrentPlan');
    assert.equal(problems, undefined, 'the command treats the file as a plan');
    assert.deepEqual(ours(uri), []);
  });

  it('follows the planGlobs setting', async () => {
    const uri = await writeFile('flows/nightly.json', '[{"id": "a", "tool": "t", "depends_on": ["a"]}]\n');
    const configuration = vscode.workspace.getConfiguration('agentDeadlock');
    try {
      await configuration.update('planGlobs', ['flows/*.json'], vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(uri, withCode('self-dependency'), 'the self-dependency of a file matched by planGlobs');
    } finally {
      await configuration.update('planGlobs', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(uri, (diagnostics) => diagnostics.length === 0, 'no diagnostics once the glob is removed');
  });
});

describe('plan diagnostics', () => {
  it('marks every depends_on entry on a cycle', async () => {
    const document = await open('cyclic.plan.json');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('cycle'), 'cycle diagnostics');
    const cycles = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle');

    const marked = new Set(cycles.map((diagnostic) => `${diagnostic.range.start.line}:${diagnostic.range.start.character}:${document.getText(diagnostic.range)}`));
    const expected = new Set(
      [
        ['plan_queries', '"merge_results"'],
        ['search_web', '"plan_queries"'],
        ['search_docs', '"plan_queries"'],
        ['merge_results', '"search_web"'],
        ['merge_results', '"search_docs"'],
      ].map(([step, entry]) => {
        const range = dependencyRange(document, step, entry);
        return `${range.start.line}:${range.start.character}:${entry}`;
      }),
    );
    assert.deepEqual(marked, expected);

    for (const diagnostic of cycles) {
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      assert.ok(typeof diagnostic.code === 'object', 'the code links to the rule documentation');
      assert.equal(diagnostic.code.value, 'cycle');
      assert.match(diagnostic.code.target.path, /\/docs\/rules\.md$/);
      assert.equal(diagnostic.code.target.fragment, 'cycle');
    }
  });

  it('links each cycle entry to the others', async () => {
    const document = await open('cyclic.plan.json');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('cycle'), 'cycle diagnostics');
    const onCycle = new Set(diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle').map((diagnostic) => diagnostic.range.start.line * 10_000 + diagnostic.range.start.character));

    for (const diagnostic of diagnostics.filter((candidate) => codeOf(candidate) === 'cycle')) {
      const related = diagnostic.relatedInformation ?? [];
      assert.ok(related.length >= 2, `a cycle of three dependencies links the two others, got ${related.length}`);
      for (const location of related) {
        assert.equal(location.location.uri.toString(), document.uri.toString());
        assert.ok(onCycle.has(location.location.range.start.line * 10_000 + location.location.range.start.character), `related location ${document.getText(location.location.range)} is not on the cycle`);
        assert.ok(!location.location.range.isEqual(diagnostic.range), 'a diagnostic does not link to itself');
        assert.match(location.message, /waits for/);
      }
    }
  });

  it('warns on the step the cycle blocks', async () => {
    const document = await open('cyclic.plan.json');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('blocked'), 'the blocked diagnostic');
    const blocked = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'blocked');
    assert.equal(blocked.length, 1);
    assert.equal(document.getText(blocked[0].range), '"write_summary"');
    assert.equal(blocked[0].severity, vscode.DiagnosticSeverity.Warning);
  });

  it('marks an unknown id on its entry', async () => {
    const document = await open('unknown.plan.json');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('unknown-dependency'), 'the unknown dependency');
    const unknown = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'unknown-dependency');
    assert.equal(unknown.length, 1);
    assert.equal(document.getText(unknown[0].range), '"fetch_invoces"');
    assert.match(unknown[0].message, /fetch_invoices/);
  });

  it('marks lock entries of an inversion in YAML', async () => {
    const document = await open('agents.plan.yaml');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('lock-order-inversion'), 'the lock-order inversion');
    const inversions = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'lock-order-inversion');
    assert.deepEqual(
      inversions.map((diagnostic) => `${diagnostic.range.start.line}:${document.getText(diagnostic.range)}`).sort(),
      [
        `${rangeOf(document, 'customer_db', 0).start.line}:customer_db`,
        `${rangeOf(document, 'search_index', 0).start.line}:search_index`,
        `${rangeOf(document, 'search_index', 1).start.line}:search_index`,
        `${rangeOf(document, 'customer_db', 1).start.line}:customer_db`,
      ].sort(),
    );
    for (const diagnostic of inversions) assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('marks the second of duplicate ids', async () => {
    const uri = await writeFile('duplicate.plan.json', '{"steps": [\n  {"id": "a", "tool": "t"},\n  {"id": "a", "tool": "u"}\n]}\n');
    const document = await open('duplicate.plan.json');
    const diagnostics = await waitForDiagnostics(uri, withCode('duplicate-id'), 'the duplicate id');
    const duplicates = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'duplicate-id');
    assert.equal(duplicates.length, 1);
    assert.equal(duplicates[0].range.start.line, 2);
    assert.equal(document.getText(duplicates[0].range), '"a"');
    assert.equal(duplicates[0].relatedInformation?.[0]?.location.range.start.line, 1);
  });

  it('refreshes while typing', async () => {
    const document = await open('clean.plan.json');
    await waitForDiagnostics(document.uri, (diagnostics) => diagnostics.length === 0, 'a clean plan');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    // fetch_orders now waits for send_report, which waits for it through join_totals.
    const end = positionOf(document, '"duration_ms": 1200', 0, 0);
    await editor.edit((builder) => builder.insert(end, '"depends_on": ["send_report"], '));
    const diagnostics = await waitForDiagnostics(document.uri, withCode('cycle'), 'the cycle typed into the clean plan');
    assert.ok(diagnostics.some((diagnostic) => document.getText(diagnostic.range) === '"send_report"'));
    await vscode.commands.executeCommand('undo');
    await waitForDiagnostics(document.uri, (current) => current.length === 0, 'no diagnostics after undo');
  });

  it('follows the severity setting', async () => {
    const document = await open('cyclic.plan.json');
    await waitForDiagnostics(document.uri, withCode('blocked'), 'the blocked diagnostic');
    const configuration = vscode.workspace.getConfiguration('agentDeadlock');
    try {
      await configuration.update('severity', { blocked: 'off', cycle: 'warning' }, vscode.ConfigurationTarget.Workspace);
      const diagnostics = await waitForDiagnostics(document.uri, withoutCode('blocked'), 'the blocked rule turned off');
      const cycles = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'cycle');
      assert.ok(cycles.length > 0);
      for (const diagnostic of cycles) assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    } finally {
      await configuration.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(document.uri, withCode('blocked'), 'the blocked rule back on');
  });

  it('clears an untitled plan when closed', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('agentDeadlock.newPlanFromTemplate', 0, undefined, true);
    assert.ok(uri, 'the command returned no document');
    assert.equal(uri.scheme, 'untitled');
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
    assert.ok(document);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    await editor.edit((builder) => builder.insert(positionOf(document, '"depends_on": []', 0, 15), '"fetch_data"'));
    await waitForDiagnostics(uri, withCode('self-dependency'), 'the self-dependency typed into the untitled plan');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitForDiagnostics(uri, (diagnostics) => diagnostics.length === 0, 'no diagnostics after closing');
  });
});

describe('plan quick fixes', () => {
  it('breaks the cycles and can be undone', async () => {
    const document = await open('cyclic.plan.json');
    const before = document.getText();
    const diagnostics = await waitForDiagnostics(document.uri, withCode('cycle'), 'cycle diagnostics');
    const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'cycle' && document.getText(diagnostic.range) === '"merge_results"');
    assert.ok(target, 'no cycle diagnostic on the merge_results entry');

    const actions = await quickFixes(document, target.range);
    const preferred = actions.filter((action) => action.isPreferred);
    assert.equal(preferred.length, 1, `expected one preferred fix, got ${actions.map((action) => action.title).join(' | ')}`);
    assert.match(preferred[0].title, /merge_results/);
    const start = document.offsetAt(target.range.start);
    await editAndWait(document, () => vscode.workspace.applyEdit(preferred[0].edit!));

    assert.equal(document.getText(), before.slice(0, start) + before.slice(start + '"merge_results"'.length), 'the fix changes only the entry it removes');
    await waitForDiagnostics(document.uri, (current) => current.length === 0, 'no diagnostics after the fix');

    await editAndWait(document, () => vscode.commands.executeCommand('undo'));
    assert.equal(document.getText(), before);
    await waitForDiagnostics(document.uri, withCode('cycle'), 'the cycle back after undo');
  });

  it('source action breaks every cycle', async () => {
    // Two separate cycles: one quick fix breaks one of them, the source action breaks both.
    const uri = await writeFile(
      'two-cycles.plan.yaml',
      'steps:\n  - id: a\n    tool: t\n    depends_on: [b]\n  - id: b\n    tool: t\n    depends_on: [a]\n  - id: c\n    tool: t\n    depends_on: [d]\n  - id: d\n    tool: t\n    depends_on: [c]\n',
    );
    const document = await open('two-cycles.plan.yaml');
    const diagnostics = await waitForDiagnostics(uri, withCode('cycle'), 'cycle diagnostics');
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostics[0].range, 'source.fixAll.agentDeadlock')) ?? [];
    const fixAll = actions.find((action) => action.kind?.value === 'source.fixAll.agentDeadlock');
    assert.ok(fixAll?.edit, `no fix-all action among ${actions.map((action) => action.title).join(' | ')}`);
    await editAndWait(document, () => vscode.workspace.applyEdit(fixAll.edit!));
    await waitForDiagnostics(document.uri, (current) => current.length === 0, 'no diagnostics after fixing all cycles');
  });

  it('replaces an unknown id with the suggestion', async () => {
    const document = await open('unknown.plan.json');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('unknown-dependency'), 'the unknown dependency');
    const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'unknown-dependency');
    assert.ok(target);
    const actions = await quickFixes(document, target.range);
    const change = actions.find((action) => action.isPreferred);
    assert.ok(change, `no preferred fix among ${actions.map((action) => action.title).join(' | ')}`);
    await editAndWait(document, () => vscode.workspace.applyEdit(change.edit!));
    assert.match(document.getText(), /"depends_on": \["fetch_customer", "fetch_invoices"\] \}/);
    await waitForDiagnostics(document.uri, (current) => current.length === 0, 'no diagnostics after the fix');
    await document.save();
  });

  it('reorders the locks of an inversion', async () => {
    const document = await open('agents.plan.yaml');
    const diagnostics = await waitForDiagnostics(document.uri, withCode('lock-order-inversion'), 'the lock-order inversion');
    const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'lock-order-inversion');
    assert.ok(target);
    const actions = await quickFixes(document, target.range);
    assert.ok(actions.length > 0, 'no fix for the inversion');
    await editAndWait(document, () => vscode.workspace.applyEdit((actions.find((action) => action.isPreferred) ?? actions[0]).edit!));
    await waitForDiagnostics(document.uri, withoutCode('lock-order-inversion'), 'the inversion fixed');
    assert.equal(document.getText().match(/locks: \[customer_db, search_index\]/g)?.length, 2);
  });

  it('removes a self-dependency', async () => {
    const uri = await writeFile('retry.plan.yml', 'steps:\n  - id: search\n    tool: web_search\n  - id: refine\n    tool: web_search\n    depends_on: [search, refine]\n');
    const document = await open('retry.plan.yml');
    const diagnostics = await waitForDiagnostics(uri, withCode('self-dependency'), 'the self-dependency');
    const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'self-dependency');
    assert.ok(target);
    assert.equal(document.getText(target.range), 'refine');
    assert.equal(target.range.start.line, 5);
    const actions = await quickFixes(document, target.range);
    assert.ok(actions.length > 0, 'no fix for the self-dependency');
    await editAndWait(document, () => vscode.workspace.applyEdit((actions.find((action) => action.isPreferred) ?? actions[0]).edit!));
    assert.match(document.getText(), /depends_on: \[search\]\n/);
    await waitForDiagnostics(uri, (current) => current.length === 0, 'no diagnostics after the fix');
  });

  it('renames a duplicate id', async () => {
    const uri = await writeFile('duplicate-fix.plan.json', '{"steps": [\n  {"id": "a", "tool": "t"},\n  {"id": "a", "tool": "u"}\n]}\n');
    const document = await open('duplicate-fix.plan.json');
    const diagnostics = await waitForDiagnostics(uri, withCode('duplicate-id'), 'the duplicate id');
    const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'duplicate-id');
    assert.ok(target);
    const actions = await quickFixes(document, target.range);
    assert.ok(actions.length > 0, 'no fix for the duplicate id');
    await editAndWait(document, () => vscode.workspace.applyEdit(actions[0].edit!));
    await waitForDiagnostics(uri, (current) => current.length === 0, 'no diagnostics after the fix');
    assert.match(document.getText(), /^ {2}\{"id": "a", "tool": "t"\},$/m);
  });
});

describe('plan navigation', () => {
  it('outline lists steps and dependencies', async () => {
    const document = await open('clean.plan.json');
    const all = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    assert.ok(all);
    // The built-in JSON outline adds its own symbols for the keys; the steps are functions.
    const symbols = all.filter((symbol) => symbol.kind === vscode.SymbolKind.Function);
    assert.deepEqual(
      symbols.map((symbol) => symbol.name),
      ['fetch_orders', 'fetch_refunds', 'join_totals', 'render_chart', 'write_summary', 'send_report'],
    );
    assert.deepEqual(
      symbols.map((symbol) => symbol.detail),
      ['sql_query', 'sql_query', 'python', 'chart', 'llm', 'email'],
    );
    const join = symbols[2];
    assert.deepEqual(join.children.map((child) => child.name), ['fetch_orders', 'fetch_refunds']);
    assert.equal(document.getText(join.selectionRange), '"join_totals"');
  });

  it('goes from an entry to its step', async () => {
    const document = await open('clean.plan.json');
    const position = positionOf(document, '"join_totals"', 1, 3);
    const links = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, position);
    assert.equal(links?.length, 1);
    const link = links[0];
    const range = link instanceof vscode.Location ? link.range : (link.targetSelectionRange ?? link.targetRange);
    assert.ok(range.isEqual(rangeOf(document, '"join_totals"', 0)), `definition at ${range.start.line}:${range.start.character}`);
  });

  it('finds every reference of an id', async () => {
    const document = await open('clean.plan.json');
    const locations = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', document.uri, positionOf(document, '"join_totals"', 0, 2));
    assert.ok(locations);
    assert.deepEqual(
      locations.map((location) => location.range.start.line).sort(),
      [rangeOf(document, '"join_totals"', 0).start.line, rangeOf(document, '"join_totals"', 1).start.line, rangeOf(document, '"join_totals"', 2).start.line].sort(),
    );
    for (const location of locations) assert.equal(document.getText(location.range), '"join_totals"');
  });

  it('renames an id and its references', async () => {
    const document = await open('clean.plan.json');
    const prepared = await vscode.commands.executeCommand<{ range: vscode.Range; placeholder: string }>('vscode.prepareRename', document.uri, positionOf(document, '"join_totals"', 1, 2));
    assert.equal(prepared?.placeholder, 'join_totals');
    assert.equal(document.getText(prepared.range), 'join_totals');

    await applyRename(document, positionOf(document, '"join_totals"', 1, 2), 'combine "totals"');
    const text = document.getText();
    assert.equal(text.includes('"join_totals"'), false);
    assert.equal(text.split('"combine \\"totals\\""').length - 1, 3, 'the id and both references are renamed, JSON-escaped');
    await waitForDiagnostics(document.uri, (diagnostics) => diagnostics.length === 0, 'a clean plan after the rename');
    await editAndWait(document, () => vscode.commands.executeCommand('undo'));
  });

  it('rejects a rename to a taken id', async () => {
    const document = await open('clean.plan.json');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', document.uri, positionOf(document, '"join_totals"', 0, 2), 'fetch_orders')),
      /already has the id/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', document.uri, positionOf(document, '"join_totals"', 0, 2), '  ')),
      /cannot be empty/,
    );
  });

  it('quotes a renamed YAML id when needed', async () => {
    const document = await open('agents.plan.yaml');
    await applyRename(document, positionOf(document, 'triage', 0, 2), 'triage: first');
    const text = document.getText();
    assert.equal(text.split('"triage: first"').length - 1, 3, 'the id and both references are quoted');
    await waitForDiagnostics(document.uri, withoutCode('unknown-dependency'), 'no unknown ids after the rename');
    await editAndWait(document, () => vscode.commands.executeCommand('undo'));
  });

  it('hover shows tool, stage and dependents', async () => {
    const document = await open('clean.plan.json');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"join_totals"', 0, 2));
    const text = (hovers ?? []).flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
    assert.match(text, /python/);
    assert.match(text, /stage 2 of 4/);
    assert.match(text, /render_chart/);
    assert.match(text, /write_summary/);
  });

  it('hover shows the cycle and problems', async () => {
    const document = await open('cyclic.plan.json');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"plan_queries"', 0, 2));
    const text = (hovers ?? []).flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
    assert.match(text, /On a cycle: `plan_queries` → `merge_results` → `search_(web|docs)` → `plan_queries`/);
    assert.match(text, /Problems:/);
    assert.match(text, /\(`cycle`\)/);
  });

  it('hover names the closest id for an unknown one', async () => {
    await writeFile('typo.plan.json', '[{"id": "fetch_orders", "tool": "t"}, {"id": "report", "tool": "t", "depends_on": ["fetch_ordrs"]}]\n');
    const document = await open('typo.plan.json');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"fetch_ordrs"', 0, 3));
    const text = (hovers ?? []).flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
    assert.match(text, /No step has the id `fetch_ordrs`/);
    assert.match(text, /Did you mean `fetch_orders`/);
  });

  it('completes step ids in depends_on', async () => {
    const uri = await writeFile('complete.plan.json', '{"steps": [\n  {"id": "first", "tool": "t"},\n  {"id": "second", "tool": "t"},\n  {"id": "third", "tool": "t", "depends_on": ["first", ""]}\n]}\n');
    const document = await open('complete.plan.json');
    await waitForDiagnostics(uri, (diagnostics) => diagnostics.length > 0, 'a diagnostic on the empty entry');
    const position = positionOf(document, '""', 0, 1);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position, '"');
    const labels = (list?.items ?? []).map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(labels.includes('second'), `completions: ${labels.join(', ')}`);
    assert.ok(!labels.includes('third'), 'a step cannot depend on itself');
    assert.ok(!labels.includes('first'), 'first is already listed');
  });
});

describe('large plan', () => {
  it('outline, lenses and a new cycle', async () => {
    const document = await open('large.plan.json');
    await waitForDiagnostics(document.uri, (diagnostics) => diagnostics.length === 0, 'a clean large plan');

    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    assert.equal(symbols?.filter((symbol) => symbol.kind === vscode.SymbolKind.Function).length, 5000);
    // Resolve more lenses than steps: the file-level lenses (such as Run with Watchdog) come first.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 6000);
    assert.equal(lenses?.filter((lens) => lens.command?.title.startsWith('stage ')).length, 5000);

    // s0000 now waits for s0400, which depends on it through the steps in between.
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    const emptyList = rangeOf(document, '"depends_on":[]', 0);
    await editor.edit((builder) => builder.replace(emptyList, '"depends_on":["s0400"]'));
    const diagnostics = await waitForDiagnostics(document.uri, withCode('cycle'), 'cycles in the large plan');
    assert.ok(diagnostics.some((diagnostic) => codeOf(diagnostic) === 'blocked'));
  });
});

describe('plan code lenses', () => {
  it('show stage, cycle and blocking', async () => {
    const cyclic = await open('cyclic.plan.json');
    const cyclicLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cyclic.uri, 100);
    const titles = (cyclicLenses ?? []).map((lens) => lens.command?.title ?? '');
    assert.ok(titles.includes('in cycle: plan_queries → merge_results → search_web → plan_queries') || titles.includes('in cycle: plan_queries → merge_results → search_docs → plan_queries'), titles.join(' | '));
    assert.ok(titles.some((title) => title.startsWith('blocked by ') && title.includes('merge_results')), titles.join(' | '));
    assert.ok(titles.includes('stage 1'), titles.join(' | '));

    const clean = await open('clean.plan.json');
    const cleanLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', clean.uri, 100);
    assert.deepEqual(
      (cleanLenses ?? []).map((lens) => lens.command?.title).filter((title) => title?.startsWith('stage')),
      ['stage 1 of 4', 'stage 1 of 4', 'stage 2 of 4', 'stage 3 of 4', 'stage 3 of 4', 'stage 4 of 4'],
    );
  });
});

describe('plan commands', () => {
  it('check current plan counts problems', async () => {
    await open('cyclic.plan.json');
    const problems = await vscode.commands.executeCommand<number>('agentDeadlock.checkCurrentPlan');
    assert.equal(typeof problems, 'number');
    assert.ok(problems >= 6, `expected the cycle entries and the blocked step, got ${problems}`);
    await open('clean.plan.json');
    assert.equal(await vscode.commands.executeCommand<number>('agentDeadlock.checkCurrentPlan'), 0);
  });

  it('new plan from a template writes a file', async () => {
    const target = workspaceUri('from-template.plan.yaml');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('agentDeadlock.newPlanFromTemplate', 2, target);
    assert.equal(uri?.toString(), target.toString());
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(text, /coordinator/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), target.toString());
    await waitForDiagnostics(target, (diagnostics) => diagnostics.length === 0, 'a clean plan from the template');
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', target);
    assert.deepEqual(symbols?.filter((symbol) => symbol.kind === vscode.SymbolKind.Function).map((symbol) => symbol.name), ['worker_a', 'worker_b', 'coordinator']);
  });
});
