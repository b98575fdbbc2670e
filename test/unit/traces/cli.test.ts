import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readFileChunks } from '../../../src/cli/fileInput';
import { main, type CliIo } from '../../../src/cli/main';
import { textChunks } from '../cli/runCli';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'traces');

function run(args: string[], files: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: (file) => files[file] ?? fs.readFileSync(file, 'utf8'),
    readChunks: (file) => (files[file] === undefined ? readFileChunks(file) : textChunks(files[file])),
    isTty: false,
    env: {},
  };
  return { code: main(args, io), stdout, stderr };
}

describe('agent-deadlock check on traces', () => {
  it('exits 1 with findings for each trace format', () => {
    for (const name of ['anthropic-orphaned.json', 'claude-code-hung.jsonl', 'otlp-unfinished-parent.jsonl', 'native-deadlock.jsonl']) {
      const result = run(['check', path.join(FIXTURES, name)]);
      assert.equal(result.code, 1, `${name}: ${result.stdout}${result.stderr}`);
    }
  });

  it('exits 0 for a clean trace', () => {
    const clean = '{"ts":1,"type":"call.start","call":"c","tool":"t"}\n{"ts":2,"type":"call.end","call":"c","status":"ok"}\n';
    const result = run(['check', 'clean.jsonl'], { 'clean.jsonl': clean });
    assert.equal(result.code, 0, result.stdout);
  });

  it('prints JSON and SARIF with the rule ids', () => {
    const file = path.join(FIXTURES, 'claude-code-hung.jsonl');
    const json = JSON.parse(run(['check', '--format', 'json', file]).stdout);
    assert.equal(json.files[0].kind, 'trace');
    assert.equal(json.files[0].format, 'Claude Code session log');
    assert.deepEqual(json.files[0].findings.map((f: { kind: string }) => f.kind), ['hung-call']);
    assert.equal(json.files[0].findings[0].location.line, 6);

    const sarif = JSON.parse(run(['check', '--format', 'sarif', file]).stdout);
    assert.equal(sarif.runs[0].results[0].ruleId, 'hung-call');
  });

  it('applies --timeout to traces', () => {
    const file = path.join(FIXTURES, 'claude-code-hung.jsonl');
    assert.equal(run(['check', '--timeout', 'Bash=3600000', file]).code, 0);
    assert.equal(run(['check', '--default-timeout', '3600000', file]).code, 0);
  });
});
