import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { runCli } from './runCli';

function detectedFormat(text: string): string | undefined {
  const result = runCli(['check', '--format', 'json', 'input'], { input: text });
  if (result.code === 2) return undefined;
  return JSON.parse(result.stdout).files[0].format;
}

describe('plan detection by content', () => {
  it('JSON with a leading line comment', () => {
    assert.match(detectedFormat('// my plan\n[{"id": "a", "tool": "t"}]') ?? '', /JSON/);
  });

  it('JSON with a comment inside the list', () => {
    assert.match(detectedFormat('[\n  /* first */ {"id": "a", "tool": "t"},\n]') ?? '', /JSON/);
  });

  it('long name before steps', () => {
    const text = JSON.stringify({ name: 'x'.repeat(500), steps: [{ id: 'a', tool: 't' }] });
    assert.match(detectedFormat(text) ?? '', /JSON/);
  });

  it('input object before id', () => {
    assert.match(detectedFormat('[{"input": {"q": 1}, "id": "a", "tool": "t"}]') ?? '', /JSON/);
  });

  it('bare YAML flow list item', () => {
    assert.match(detectedFormat('- {id: a, tool: t}\n') ?? '', /YAML/);
  });

  it('YAML flow list', () => {
    assert.match(detectedFormat('[{id: a, tool: t}]\n') ?? '', /YAML/);
  });

  it('YAML steps mapping', () => {
    assert.match(detectedFormat('name: n\nsteps:\n  - id: a\n    tool: t\n') ?? '', /YAML/);
  });

  it('other JSON is not a plan', () => {
    assert.equal(detectedFormat('{"name": "x", "items": [{"id": 1}]}'), undefined);
    assert.equal(detectedFormat('[1, 2, 3]'), undefined);
    assert.equal(detectedFormat('[{"name": "a"}]'), undefined);
  });

  it('prose is not a plan', () => {
    assert.equal(detectedFormat('the plan: steps to id things\n'), undefined);
  });
});
