import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { artifactUri } from '../../../src/core/report/sarif';
import { runCli } from './runCli';

function firstUri(path: string): string {
  const result = runCli(['check', '--format', 'sarif', path], { [path]: '[{"id": "a", "tool": "t", "depends_on": ["a"]}]' });
  const sarif = JSON.parse(result.stdout);
  return sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
}

describe('SARIF artifact URIs', () => {
  it('encodes # and % in a relative name', () => {
    assert.equal(firstUri('my #1 100%.plan.json'), 'my%20%231%20100%25.plan.json');
  });

  it('keeps folders of a relative path', () => {
    assert.equal(firstUri('plans/a b/x.plan.json'), 'plans/a%20b/x.plan.json');
  });

  it('keeps a POSIX backslash in the name', () => {
    assert.equal(artifactUri('dir/back\\slash.plan.json', 'linux'), 'dir/back%5Cslash.plan.json');
  });

  it('splits on backslash on Windows', () => {
    assert.equal(artifactUri('dir\\x y.plan.json', 'win32'), 'dir/x%20y.plan.json');
  });

  it('makes file URLs of absolute paths', () => {
    assert.equal(artifactUri('/tmp/a #b.plan.json', 'linux'), 'file:///tmp/a%20%23b.plan.json');
  });

  it('uses the same URI for fixes', () => {
    const path = 'my #1.plan.json';
    const result = runCli(['check', '--format', 'sarif', path], { [path]: '[{"id": "a", "tool": "t", "depends_on": ["b"]}, {"id": "b", "tool": "t", "depends_on": ["a"]}]' });
    const cycle = JSON.parse(result.stdout).runs[0].results.find((entry: { ruleId: string }) => entry.ruleId === 'cycle');
    assert.equal(cycle.fixes[0].artifactChanges[0].artifactLocation.uri, 'my%20%231.plan.json');
  });
});
