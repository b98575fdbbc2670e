/* eslint-disable no-control-regex -- these tests look for terminal control characters in the output. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../../src/cli/run';

async function runIn(folder: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: folder });
  return { code, stdout, stderr };
}

describe('run text output', () => {
  it('escapes control characters in ids', async (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-run-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    const plan = [
      { id: 'a\u001b[2Jx', tool: 't', duration_ms: 10 },
      { id: 'b\r\u0007', tool: 't', depends_on: ['a\u001b[2Jx'], duration_ms: 10 },
    ];
    fs.writeFileSync(path.join(folder, 'evil.plan.json'), JSON.stringify(plan));
    const result = await runIn(folder, ['evil.plan.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f]/);
    assert.match(result.stdout, /a\\u001b\[2Jx/);
    assert.match(result.stdout, /b\\r\\u0007/);
  });

  it('names read errors in plain words', async (context) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-run-'));
    context.after(() => fs.rmSync(folder, { recursive: true, force: true }));
    fs.symlinkSync(path.join(folder, 'b.plan.json'), path.join(folder, 'a.plan.json'));
    fs.symlinkSync(path.join(folder, 'a.plan.json'), path.join(folder, 'b.plan.json'));
    const result = await runIn(folder, ['a.plan.json']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'agent-deadlock run: cannot read a.plan.json: too many levels of symbolic links.\n');
  });
});
