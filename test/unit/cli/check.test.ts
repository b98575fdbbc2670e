import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { readFileChunks } from '../../../src/cli/fileInput';
import { main, type CliIo } from '../../../src/cli/main';
import { textChunks } from './runCli';
import { FIXTURES } from '../helpers';

function run(argv: string[], files: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: (file) => {
      if (file in files) return files[file];
      return fs.readFileSync(file, 'utf8');
    },
    readChunks: (file) => (file in files ? textChunks(files[file]) : readFileChunks(file)),
    isTty: false,
    env: {},
  };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

const plan = (name: string) => path.join(FIXTURES, 'plans', name);

describe('check exit codes', () => {
  it('returns 0 for a clean plan', () => {
    const result = run(['check', plan('clean.plan.json')]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /no problems found/);
  });

  it('returns 1 when a finding exists', () => {
    assert.equal(run(['check', plan('two-step-cycle.plan.json')]).code, 1);
  });

  it('returns 2 for a missing file and names it', () => {
    const result = run(['check', 'nowhere.plan.json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read nowhere\.plan\.json: file not found/);
  });

  it('returns 2 for an unknown option', () => {
    const result = run(['check', '--frobnicate', plan('clean.plan.json')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option --frobnicate/);
  });

  it('returns 2 for an unknown command', () => {
    assert.equal(run(['lint', plan('clean.plan.json')]).code, 2);
  });

  it('returns 2 for an unrecognised file', () => {
    const result = run(['check', 'notes.txt'], { 'notes.txt': 'hello world' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /notes\.txt: not a plan or a trace/);
  });

  it('honours --fail-on', () => {
    // A lock inversion is a warning.
    assert.equal(run(['check', '--fail-on', 'error', plan('lock-inversion.plan.json')]).code, 0);
    assert.equal(run(['check', '--fail-on', 'warning', plan('lock-inversion.plan.json')]).code, 1);
  });

  it('exits 1 from a real process on findings', () => {
    const cli = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, 'check', plan('unknown.plan.json')], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /get_tickts/);
  });
});

describe('check text report', () => {
  it('prints a cycle one dependency per line with positions', () => {
    const result = run(['check', plan('cycle-tail.plan.yaml')]);
    assert.match(result.stdout, /`drafter` waits for `researcher` \(depends_on at .*cycle-tail\.plan\.yaml:12:18\)/);
    assert.match(result.stdout, /`researcher` waits for `drafter` \(depends_on at .*cycle-tail\.plan\.yaml:15:18\)/);
    assert.match(result.stdout, /Blocks: `reviewer`, `final_check`/);
    assert.match(result.stdout, /Suggested fix: Remove/);
  });

  it('prints stages for a clean plan', () => {
    const result = run(['check', plan('clean.plan.json')]);
    assert.match(result.stdout, /1\. `load_accounts`, `load_invoices`/);
    assert.match(result.stdout, /critical path: `load_invoices` → `summarise` → `email` \(3 steps, 1\.80 s\)/);
  });
});

describe('check JSON report', () => {
  it('has kind, severity, steps and 1-based locations', () => {
    const result = run(['check', '--format', 'json', plan('unknown.plan.json')]);
    const report = JSON.parse(result.stdout);
    assert.equal(report.files.length, 1);
    const unknown = report.files[0].findings.find((finding: { kind: string }) => finding.kind === 'unknown-dependency');
    assert.equal(unknown.severity, 'error');
    assert.deepEqual(unknown.steps, ['draft_reply']);
    assert.equal(unknown.missing, 'get_tickts');
    assert.equal(unknown.suggestion, 'get_tickets');
    assert.equal(unknown.location.line, 5);
    assert.equal(unknown.location.column, 73);
  });

  it('carries stages for clean plans', () => {
    const report = JSON.parse(run(['check', '--format=json', plan('clean.plan.json')]).stdout);
    assert.deepEqual(report.files[0].findings, []);
    assert.deepEqual(report.files[0].stages[0], ['load_accounts', 'load_invoices']);
  });
});

describe('check SARIF report', () => {
  it('is SARIF 2.1.0 with rules and regions', () => {
    const sarif = JSON.parse(run(['check', '--format', 'sarif', plan('two-step-cycle.plan.json'), plan('unknown.plan.json')]).stdout);
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    assert.equal(run0.tool.driver.name, 'agent-deadlock');
    const ruleIds = run0.tool.driver.rules.map((rule: { id: string }) => rule.id);
    assert.deepEqual(ruleIds, ['blocked', 'cycle', 'unknown-dependency']);
    const cycle = run0.results.find((result: { ruleId: string }) => result.ruleId === 'cycle');
    assert.equal(cycle.level, 'error');
    assert.equal(cycle.locations[0].physicalLocation.region.startLine, 2);
    assert.equal(cycle.relatedLocations.length, 2);
    assert.equal(cycle.fixes.length, 1);
  });
});

describe('graph command', () => {
  it('exports DOT with cycle edges marked', () => {
    const result = run(['graph', plan('cycle-tail.plan.yaml')]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^digraph /);
    assert.match(result.stdout, /"drafter" -> "researcher" \[color=red, penwidth=2\]/);
    assert.match(result.stdout, /"reviewer" -> "drafter";/);
  });

  it('exports Mermaid with classes', () => {
    const result = run(['graph', '--format', 'mermaid', plan('unknown.plan.json')]);
    assert.match(result.stdout, /^flowchart LR/);
    assert.match(result.stdout, /n3\(\["get_tickts"\]\)/);
    assert.match(result.stdout, /class n2 blocked;/);
  });

  it('exports JSON with ghost nodes', () => {
    const model = JSON.parse(run(['graph', '--format', 'json', plan('unknown.plan.json')]).stdout);
    assert.ok(model.nodes.some((node: { kind: string; label: string }) => node.kind === 'missing' && node.label === 'get_tickts'));
  });

  it('escapes quotes in ids for DOT', () => {
    const files = { 'q.plan.json': '[{"id": "say \\"hi\\"", "tool": "t"}]' };
    const result = run(['graph', 'q.plan.json'], files);
    assert.match(result.stdout, /"say \\"hi\\""/);
  });

  describe('ids with control characters', () => {
    // eslint-disable-next-line no-control-regex -- the check looks for raw control characters.
    const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
    const graphOf = (first: string, second: string, tool: string, format: string): string => {
      const steps = [{ id: first, tool }, { id: second, tool: 't', depends_on: [first] }];
      return run(['graph', '--format', format, 'g.plan.json'], { 'g.plan.json': JSON.stringify(steps) }).stdout;
    };

    it('keep DOT lines whole', () => {
      const hostile = graphOf('a\nb\rc\u2028d', 'e\r\nf', 'tool\u001b[2J', 'dot');
      assert.doesNotMatch(hostile, rawControl);
      assert.equal(hostile.split('\n').length, graphOf('a', 'e', 'tool', 'dot').split('\n').length);
      assert.match(hostile, /^ {2}"a\\nb\\nc\\nd" \[label="a\\nb\\nc\\nd\\ntool\\\\u001b\[2J"\];$/m);
      assert.match(hostile, /^ {2}"e\\nf" -> "a\\nb\\nc\\nd";$/m);
    });

    it('keep Mermaid lines whole', () => {
      const hostile = graphOf('a\nb\rc\u2028d', 'e\r\nf', 'tool\u001b[2J', 'mermaid');
      assert.doesNotMatch(hostile, rawControl);
      assert.equal(hostile.split('\n').length, graphOf('a', 'e', 'tool', 'mermaid').split('\n').length);
      assert.match(hostile, /^ {2}n0\["a b c d \(tool\\u001b\[2J\)"\]$/m);
      assert.match(hostile, /^ {2}n1\["e f \(t\)"\]$/m);
    });
  });
});

describe('help and version', () => {
  it('prints help with exit 0', () => {
    const result = run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /agent-deadlock check FILE/);
  });

  it('prints the package version', () => {
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
