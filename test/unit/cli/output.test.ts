/* eslint-disable no-control-regex -- these tests look for terminal control characters in the output. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { main } from '../../../src/cli/main';
import { CLI_SOURCE, EXAMPLES, runCli } from './runCli';

/** Starts the CLI and closes the read end of its stdout before it writes, as `| head -0` would. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('closed stdout', () => {
  it('graph exits quietly on EPIPE', async () => {
    const result = await runWithClosedStdout(['graph', path.join(EXAMPLES, 'large.plan.json')]);
    assert.doesNotMatch(result.stderr, /EPIPE/);
    assert.doesNotMatch(result.stderr, /at .*\(.*:\d+:\d+\)/);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
  });

  it('check keeps its exit code on EPIPE', async () => {
    const result = await runWithClosedStdout(['check', path.join(EXAMPLES, 'cyclic.plan.json'), path.join(EXAMPLES, 'large.plan.json')]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 1);
  });
});

describe('failed stdout write', () => {
  it('full disk is one line and exit 2', async (context) => {
    if (!fs.existsSync('/dev/full')) {
      context.skip('/dev/full exists only on Linux');
      return;
    }
    const full = fs.openSync('/dev/full', 'w');
    context.after(() => fs.closeSync(full));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, 'check', path.join(EXAMPLES, 'cyclic.plan.json')], { stdio: ['ignore', full, 'pipe'] });
      if (!child.stderr) throw new Error('the child process has no stderr pipe');
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'agent-deadlock: cannot write the output: no space left on the device.\n');
  });
});

describe('colour', () => {
  const clean = path.join(EXAMPLES, 'cyclic.plan.json');

  it('empty NO_COLOR keeps colour on', () => {
    const result = runCli(['check', clean], {}, { env: { NO_COLOR: '' }, isTty: true });
    assert.match(result.stdout, /\x1b\[31m/);
  });

  it('non-empty NO_COLOR turns colour off', () => {
    const result = runCli(['check', clean], {}, { env: { NO_COLOR: '1' }, isTty: true });
    assert.doesNotMatch(result.stdout, /\x1b\[/);
  });

  it('empty FORCE_COLOR does not force colour', () => {
    const result = runCli(['check', clean], {}, { env: { FORCE_COLOR: '' }, isTty: false });
    assert.doesNotMatch(result.stdout, /\x1b\[/);
  });
});

describe('file system errors', () => {
  it('symlink loop is named in plain words', (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-loop-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    const first = path.join(folder, 'a.plan.json');
    const second = path.join(folder, 'b.plan.json');
    fs.symlinkSync(second, first);
    fs.symlinkSync(first, second);
    const result = runCli(['check', first]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /too many levels of symbolic links/);
    assert.doesNotMatch(result.stderr, /Error:|ELOOP/);
  });

  it('path through a file says it is not a folder', () => {
    const result = runCli(['check', path.join(EXAMPLES, 'cyclic.plan.json', 'inner.plan.json')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /a part of the path is not a folder/);
    assert.doesNotMatch(result.stderr, /Error:|ENOTDIR/);
  });

  it('other errors print the message without a prefix', () => {
    let stderr = '';
    const code = runCliWithReadError(Object.assign(new Error('disk on fire'), { code: 'EWEIRD' }), (text) => (stderr += text));
    assert.equal(code, 2);
    assert.match(stderr, /cannot read x\.plan\.json: disk on fire\./);
    assert.doesNotMatch(stderr, /Error:/);
  });
});

function runCliWithReadError(error: Error, stderr: (text: string) => void): number {
  return main(['check', 'x.plan.json'], {
    stdout: () => undefined,
    stderr,
    readFile: () => {
      throw error;
    },
    readChunks: () => {
      throw error;
    },
    isTty: false,
    env: {},
  });
}
