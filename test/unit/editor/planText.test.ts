import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPlan } from '../../../src/core/plan/check';
import {
  dependencyCompletionContext,
  formatIdFor,
  idAt,
  innerRange,
  renameProblem,
  shortestCycleThrough,
  stepAt,
} from '../../../src/extension/plans/planText';

const cyclic = `{"steps": [
  {"id": "d", "tool": "merge", "depends_on": ["e", "f"]},
  {"id": "e", "tool": "enrich", "depends_on": ["g"]},
  {"id": "f", "tool": "filter", "depends_on": ["g"]},
  {"id": "g", "tool": "gather", "depends_on": ["d"]},
  {"id": "h", "tool": "publish", "depends_on": []}
]}`;

describe('idAt', () => {
  const plan = checkPlan(cyclic, 'json').plan;

  it('finds a step id', () => {
    const found = idAt(plan, cyclic.indexOf('"d"') + 1);
    assert.equal(found?.kind, 'step');
    assert.equal(found?.id, 'd');
  });

  it('finds a dependency entry', () => {
    const offset = cyclic.indexOf('"f"]') + 1;
    const found = idAt(plan, offset);
    assert.equal(found?.kind, 'dependency');
    assert.equal(found?.id, 'f');
    assert.equal(found?.step.id, 'd');
  });

  it('finds nothing on a tool', () => {
    assert.equal(idAt(plan, cyclic.indexOf('"merge"') + 2), undefined);
  });

  it('stepAt finds nothing between steps', () => {
    assert.equal(stepAt(plan, cyclic.indexOf('},') + 2), undefined);
    assert.equal(stepAt(plan, cyclic.indexOf('"h"'))?.id, 'h');
  });
});

describe('shortestCycleThrough', () => {
  const analysis = checkPlan(cyclic, 'json');

  it('returns a cycle in waiting order', () => {
    assert.deepEqual(shortestCycleThrough(analysis, 'g'), ['g', 'd', 'e', 'g']);
  });

  it('returns undefined off a cycle', () => {
    assert.equal(shortestCycleThrough(analysis, 'h'), undefined);
  });

  it('leaves a self-dependency to its own rule', () => {
    // The core reports a self-dependency as its own finding and the step as blocked, not on a cycle.
    const self = checkPlan('[{"id": "a", "tool": "t", "depends_on": ["a"]}]', 'json');
    assert.equal(shortestCycleThrough(self, 'a'), undefined);
  });
});

describe('formatIdFor', () => {
  it('escapes ids in JSON', () => {
    const text = '"old"';
    assert.equal(formatIdFor(text, { start: 0, end: 5 }, 'say "hi"\\', 'json'), '"say \\"hi\\"\\\\"');
  });

  it('keeps a plain YAML id plain', () => {
    assert.equal(formatIdFor('old', { start: 0, end: 3 }, 'new_id-2', 'yaml'), 'new_id-2');
  });

  it('quotes YAML ids that would change meaning', () => {
    for (const id of ['a: b', 'true', '123', 'x, y', '- item', '#tag', 'null', '']) {
      const written = formatIdFor('old', { start: 0, end: 3 }, id, 'yaml');
      assert.equal(written, JSON.stringify(id), `id ${JSON.stringify(id)}`);
    }
  });

  it('keeps single quotes in YAML', () => {
    assert.equal(formatIdFor("'old'", { start: 0, end: 5 }, "it's", 'yaml'), "'it''s'");
  });
});

describe('innerRange', () => {
  it('drops quotes', () => {
    assert.deepEqual(innerRange('x "abc" y', { start: 2, end: 7 }), { start: 3, end: 6 });
  });

  it('keeps plain scalars', () => {
    assert.deepEqual(innerRange('x abc y', { start: 2, end: 5 }), { start: 2, end: 5 });
  });
});

describe('renameProblem', () => {
  const plan = checkPlan(cyclic, 'json').plan;

  it('rejects empty and taken ids', () => {
    assert.equal(renameProblem(plan, 'd', ''), 'empty');
    assert.equal(renameProblem(plan, 'd', '   '), 'empty');
    assert.equal(renameProblem(plan, 'd', 'e'), 'taken');
  });

  it('accepts a free id or the same id', () => {
    assert.equal(renameProblem(plan, 'd', '__proto__'), undefined);
    assert.equal(renameProblem(plan, 'd', 'd'), undefined);
  });
});

describe('dependencyCompletionContext', () => {
  it('inside a quoted JSON entry', () => {
    const text = '[{"id": "a", "tool": "t", "depends_on": ["b", ""]}]';
    const offset = text.indexOf('""') + 1;
    const context = dependencyCompletionContext(text, offset, checkPlan(text, 'json').plan, 'json');
    assert.ok(context);
    assert.equal(context.insideQuotes, true);
    assert.equal(context.step?.id, 'a');
    assert.deepEqual(context.replace, { start: offset, end: offset + 1 });
  });

  it('after an open bracket while typing', () => {
    const text = '[{"id": "a", "tool": "t", "depends_on": [';
    const context = dependencyCompletionContext(text, text.length, checkPlan(text, 'json').plan, 'json');
    assert.ok(context);
    assert.equal(context.insideQuotes, false);
  });

  it('in a YAML block list', () => {
    const text = 'steps:\n  - id: a\n    tool: t\n    depends_on:\n      - b\n      - ';
    const context = dependencyCompletionContext(text, text.length, undefined, 'yaml');
    assert.ok(context);
  });

  it('not outside depends_on', () => {
    const text = '[{"id": "a", "tool": "', rest = '"}]';
    const full = text + rest;
    assert.equal(dependencyCompletionContext(full, text.length, checkPlan(full, 'json').plan, 'json'), undefined);
    const closed = '[{"id": "a", "depends_on": ["b"], "tool": "';
    assert.equal(dependencyCompletionContext(closed, closed.length, undefined, 'json'), undefined);
  });
});
