import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './runCli';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('docs/cli.md sample', () => {
  it('matches the real check output', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
    const sample = /This is the report of\s+`agent-deadlock check examples\/cyclic\.plan\.json`:\n\n```\n([\s\S]*?)```/.exec(docs);
    assert.ok(sample, 'docs/cli.md has no sample report of examples/cyclic.plan.json');
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const result = runCli(['check', 'examples/cyclic.plan.json']);
      assert.equal(sample[1], result.stdout, 'regenerate the sample with `node dist/cli.js check examples/cyclic.plan.json`');
    } finally {
      process.chdir(previous);
    }
  });
});
