/**
 * Checks the packaged extension (`npm run package` first): only allow-listed files, the
 * localisation files, a small size, and no Cytoscape in the extension-host or CLI bundles.
 * Cytoscape belongs in the webview bundle only, because the extension host never draws.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createRunFolders, findCodeServer, installVsix, removeRunFolders } from '../support/codeServer';
import { readZipEntries, type ZipEntry } from '../support/zip';

const repoRoot = path.resolve(__dirname, '..', '..');
const vsixPath = process.env.VSIX_PATH ?? path.join(repoRoot, 'dist-package', 'agent-deadlock-debugger.vsix');

/** Largest allowed .vsix, in bytes. The webview with Cytoscape compresses to about 150 KB. */
const maxVsixBytes = 1_500_000;
/** Largest allowed uncompressed content of the whole package, in bytes. */
const maxUnpackedBytes = 5_000_000;
/** Largest allowed extension-host bundle, in bytes. It contains only the analysis core and the VS Code glue. */
const maxExtensionBundleBytes = 800_000;

/** Paths allowed inside `extension/`, matching `.vscodeignore`. Source maps are never allowed. */
const allowedPaths: RegExp[] = [
  /^dist\/extension\.js$/,
  /^dist\/yaml\.js$/,
  /^dist\/cli\.js$/,
  /^dist\/webview\/[^/]+\.(js|css)$/,
  /^media\/[^]+$/,
  /^schemas\/[^]+$/,
  /^docs\/rules\.md$/,
  /^l10n\/[^]+$/,
  /^package\.json$/,
  /^package\.nls(\.[a-z-]+)?\.json$/i,
  /^readme\.md$/i,
  /^changelog\.md$/i,
  /^license(\.txt)?$/i,
];
/** Files that vsce adds at the root of every package. */
const packageMetadata = new Set(['[Content_Types].xml', 'extension.vsixmanifest']);

/**
 * Strings that occur in Cytoscape 3's bundled code (an algorithm name and an error message)
 * and that the extension's own code does not use.
 */
// The stylesheet id `__________cytoscape_stylesheet` is not a marker: the host's webview HTML
// names it on purpose, so that Cytoscape uses the panel's CSP-approved stylesheet.
const cytoscapeMarkers = ['tarjanStronglyConnected', 'cytoscape.use()'];

function loadVsix(): ZipEntry[] {
  assert.ok(fs.existsSync(vsixPath), `${vsixPath} does not exist. Build it with \`npm run package\`.`);
  return readZipEntries(fs.readFileSync(vsixPath));
}

function entryText(entries: ZipEntry[], name: string): string {
  const entry = entries.find((candidate) => candidate.name === name);
  assert.ok(entry, `${name} is missing from the package.`);
  return entry.read().toString('utf8');
}

describe('packaged .vsix', () => {
  it('holds only allow-listed files', () => {
    const entries = loadVsix();
    const unexpected = entries
      .map((entry) => entry.name)
      .filter((name) => !packageMetadata.has(name))
      .filter((name) => !name.startsWith('extension/') || !allowedPaths.some((pattern) => pattern.test(name.slice('extension/'.length))))
      .filter((name) => !name.endsWith('/'));
    assert.deepEqual(unexpected, [], `Files outside the allow-list in ${vsixPath}`);
    const maps = entries.filter((entry) => entry.name.endsWith('.map')).map((entry) => entry.name);
    assert.deepEqual(maps, [], 'Source maps in the package');
  });

  it('contains the files the manifest names', () => {
    const entries = loadVsix();
    const manifest = JSON.parse(entryText(entries, 'extension/package.json')) as { main?: string; icon?: string; browser?: string };
    for (const field of ['main', 'icon'] as const) {
      const relative = manifest[field];
      assert.ok(relative, `package.json has no "${field}"`);
      const name = `extension/${path.posix.normalize(relative)}`;
      assert.ok(entries.some((entry) => entry.name === name), `package.json "${field}" names ${relative}, which is not in the package`);
    }
    assert.ok(entries.some((entry) => /^extension\/license(\.txt)?$/i.test(entry.name)), 'LICENSE is not in the package');
  });

  it('ships the localisation files', () => {
    const entries = loadVsix();
    const manifest = JSON.parse(entryText(entries, 'extension/package.json')) as Record<string, unknown>;
    assert.equal(manifest.l10n, './l10n');
    const bundle = JSON.parse(entryText(entries, 'extension/l10n/bundle.l10n.json')) as Record<string, string>;
    const sourceBundle = JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(bundle).sort(), Object.keys(sourceBundle).sort(), 'the packaged bundle differs from l10n/bundle.l10n.json');

    // VS Code shows a `%key%` as it is when package.nls.json has no entry for it.
    const nls = JSON.parse(entryText(entries, 'extension/package.nls.json')) as Record<string, string>;
    const keys = JSON.stringify(manifest).match(/"%[\w.-]+%"/g) ?? [];
    assert.ok(keys.length > 50, `only ${keys.length} %key% references in the packaged package.json`);
    const unresolved = keys.map((quoted) => quoted.slice(2, -2)).filter((key) => typeof nls[key] !== 'string');
    assert.deepEqual(unresolved, [], 'keys of the packaged package.json without an entry in its package.nls.json');
  });

  it('stays within its size budget', () => {
    const entries = loadVsix();
    const vsixBytes = fs.statSync(vsixPath).size;
    assert.ok(vsixBytes <= maxVsixBytes, `${vsixPath} is ${vsixBytes} bytes; the budget is ${maxVsixBytes}.`);
    const unpacked = entries.reduce((sum, entry) => sum + entry.size, 0);
    assert.ok(unpacked <= maxUnpackedBytes, `The package unpacks to ${unpacked} bytes; the budget is ${maxUnpackedBytes}.`);
    const bundle = entries.find((entry) => entry.name === 'extension/dist/extension.js');
    assert.ok(bundle, 'dist/extension.js is missing from the package');
    assert.ok(bundle.size <= maxExtensionBundleBytes, `dist/extension.js is ${bundle.size} bytes; the budget is ${maxExtensionBundleBytes}.`);
  });

  it('keeps Cytoscape out of the host and CLI bundles', () => {
    const entries = loadVsix();
    for (const name of ['extension/dist/extension.js', 'extension/dist/cli.js']) {
      if (name.endsWith('cli.js') && !entries.some((entry) => entry.name === name)) continue;
      const text = entryText(entries, name);
      const found = cytoscapeMarkers.filter((marker) => text.includes(marker));
      assert.deepEqual(found, [], `${name} contains Cytoscape code`);
    }
  });

  it('loads the yaml package from its own file', () => {
    const entries = loadVsix();
    const host = entryText(entries, 'extension/dist/extension.js');
    const yaml = entryText(entries, 'extension/dist/yaml.js');
    // An error message of the yaml package's parser, so a marker of its code.
    const marker = 'Implicit map keys need to be followed by map values';
    assert.ok(yaml.includes(marker), 'dist/yaml.js does not contain the yaml package');
    assert.ok(!host.includes(marker), 'dist/extension.js contains the yaml package');
    assert.match(host, /require\("\.\/yaml\.js"\)/, 'dist/extension.js does not load ./yaml.js');
  });

  it('detects Cytoscape by its markers', () => {
    // The markers must still occur in the installed Cytoscape, or the check above proves nothing.
    const cytoscape = fs.readFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8');
    for (const marker of cytoscapeMarkers) assert.ok(cytoscape.includes(marker), `Cytoscape no longer contains "${marker}"`);
  });

  it('installs into VS Code 1.100', () => {
    // code-server's CLI validates the manifest (engines.vscode, publisher, name) on install.
    assert.ok(fs.existsSync(vsixPath), `${vsixPath} does not exist. Build it with \`npm run package\`.`);
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    const folders = createRunFolders(undefined, 'agent-deadlock-vsix-');
    try {
      installVsix(folders, [vsixPath]);
      const listed = spawnSync(
        findCodeServer(),
        ['--user-data-dir', folders.userDataDir, '--extensions-dir', folders.extensionsDir, '--list-extensions', '--show-versions'],
        { env: { ...process.env, ...folders.env }, encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(listed.status, 0, listed.stderr);
      const expected = `${manifest.publisher}.${manifest.name}@${manifest.version}`;
      assert.ok(listed.stdout.split('\n').includes(expected), `code-server lists:\n${listed.stdout}\nexpected ${expected}`);
    } finally {
      removeRunFolders(folders);
    }
  });
});
