import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markedLine, remoteUri, workbenchUrl, type CodeServer } from '../../support/codeServer';
import { parseShimArguments } from '../../support/vscodeShim';

const server = { port: 4567, origin: 'http://127.0.0.1:4567' } as CodeServer;

describe('parseShimArguments', () => {
  it('reads the flags runTests passes', () => {
    const parsed = parseShimArguments([
      '/work/examples',
      '--user-data-dir=/tmp/u',
      '--extensions-dir=/tmp/e',
      '--disable-extensions',
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--disable-updates',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-workspace-trust',
      '--extensionTestsPath=/repo/out/test/vscode/suite/index.js',
      '--extensionDevelopmentPath=/repo',
    ]);
    assert.equal(parsed.folder, '/work/examples');
    assert.equal(parsed.userDataDir, '/tmp/u');
    assert.equal(parsed.extensionsDir, '/tmp/e');
    assert.equal(parsed.extensionTestsPath, '/repo/out/test/vscode/suite/index.js');
    assert.deepEqual(parsed.extensionDevelopmentPaths, ['/repo']);
    assert.deepEqual(parsed.ignored, []);
  });

  it('accepts values as separate arguments', () => {
    const parsed = parseShimArguments(['--user-data-dir', '/tmp/u', '--extensions-dir', '/tmp/e', 'folder']);
    assert.equal(parsed.userDataDir, '/tmp/u');
    assert.equal(parsed.extensionsDir, '/tmp/e');
    assert.equal(parsed.folder, 'folder');
  });

  it('lists unknown flags as ignored', () => {
    const parsed = parseShimArguments(['--locale=de', '--verbose']);
    assert.deepEqual(parsed.ignored, ['--locale=de', '--verbose']);
  });

  it('rejects a second folder', () => {
    assert.throws(() => parseShimArguments(['a', 'b']), /Only one folder/);
  });

  it('rejects a flag without its value', () => {
    assert.throws(() => parseShimArguments(['--user-data-dir']), /needs a value/);
  });
});

describe('workbenchUrl', () => {
  it('puts remote URIs into the payload', () => {
    const url = new URL(
      workbenchUrl(server, {
        folder: '/work/my examples',
        extensionDevelopmentPath: '/repo',
        extensionTestsPath: '/repo/out/index.js',
      }),
    );
    assert.equal(url.origin, 'http://127.0.0.1:4567');
    assert.equal(url.searchParams.get('folder'), '/work/my examples');
    const payload = new Map(JSON.parse(url.searchParams.get('payload') ?? '[]') as Array<[string, string]>);
    assert.equal(payload.get('extensionDevelopmentPath'), 'vscode-remote://127.0.0.1:4567/repo');
    assert.equal(payload.get('extensionTestsPath'), 'vscode-remote://127.0.0.1:4567/repo/out/index.js');
    assert.equal(payload.get('skipWelcome'), 'true');
  });

  it('leaves out paths that are not given', () => {
    const url = new URL(workbenchUrl(server));
    assert.equal(url.searchParams.get('folder'), null);
    const payload = new Map(JSON.parse(url.searchParams.get('payload') ?? '[]') as Array<[string, string]>);
    assert.equal(payload.has('extensionDevelopmentPath'), false);
    assert.equal(payload.has('extensionTestsPath'), false);
  });
});

describe('remoteUri', () => {
  it('percent-encodes each path segment', () => {
    assert.equal(remoteUri(server, '/a b/c#d/ü'), 'vscode-remote://127.0.0.1:4567/a%20b/c%23d/%C3%BC');
  });
});

describe('markedLine', () => {
  it('returns the text after the marker', () => {
    assert.equal(markedLine('%c INFO color: #33f [m1] ✔ works', '[m1] '), '✔ works');
  });

  it('returns undefined without the marker', () => {
    assert.equal(markedLine('%c INFO color: #33f Resolving connection token', '[m1] '), undefined);
  });

  it('keeps empty reporter lines', () => {
    assert.equal(markedLine('%c INFO color: #33f [m1] ', '[m1] '), '');
  });
});
