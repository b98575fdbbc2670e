import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { runCli } from './runCli';

describe('graph of a broken plan', () => {
  it('empty file exits 2 with a finding', () => {
    const result = runCli(['graph', 'empty.plan.json'], { 'empty.plan.json': '' });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^empty\.plan\.json:1:1 .*empty/m);
  });

  it('random bytes exit 2 with syntax errors', () => {
    const result = runCli(['graph', 'noise.plan.json'], { 'noise.plan.json': '\u0000\u00ff{]] %%%' });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^noise\.plan\.json:1:\d+ Syntax error/m);
  });

  it('truncated JSON exits 1 without a graph', () => {
    const result = runCli(['graph', 'cut.plan.json'], { 'cut.plan.json': '[{"id": "a", "tool": "t"}, {"id": "b", "tool"' });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^cut\.plan\.json:1:\d+ Syntax error/m);
  });

  it('schema errors keep the graph and exit 1', () => {
    const result = runCli(['graph', 'schema.plan.json'], { 'schema.plan.json': '[{"id": "a", "tool": 5}, {"id": "b", "tool": "t", "depends_on": ["a"]}]' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^digraph /);
    assert.match(result.stderr, /^schema\.plan\.json:1:\d+ /m);
  });

  it('valid empty plan is an empty graph', () => {
    const result = runCli(['graph', 'none.plan.json'], { 'none.plan.json': '[]' });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^digraph /);
    assert.equal(result.stderr, '');
  });
});
