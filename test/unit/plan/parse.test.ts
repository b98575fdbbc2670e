import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { parsePlan, planFormatForPath, planFormatFromContent } from '../../../src/core/plan/parse';
import { readFixture } from '../helpers';

function slice(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

describe('parsePlan shapes', () => {
  it('reads a bare array of steps', () => {
    const { plan, findings } = parsePlan('[{"id": "a", "tool": "t"}]', 'json');
    assert.equal(findings.length, 0);
    assert.equal(plan.shape, 'array');
    assert.deepEqual(plan.steps.map((step) => step.id), ['a']);
  });

  it('reads a steps object with name and defaults', () => {
    const text = readFixture('plans/clean.plan.json');
    const { plan, findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 0);
    assert.equal(plan.shape, 'steps');
    assert.equal(plan.name, 'nightly report');
    assert.equal(plan.defaults.timeoutMs, 20000);
    assert.equal(plan.steps[0].durationMs, 300);
  });

  it('reads the submit_execution_plan input shape', () => {
    const { plan, findings } = parsePlan('{"plan": [{"id": "x", "tool": "t", "depends_on": []}]}', 'json');
    assert.equal(findings.length, 0);
    assert.equal(plan.shape, 'plan');
    assert.equal(plan.steps[0].id, 'x');
  });

  it('treats a missing depends_on as none', () => {
    const { plan } = parsePlan('steps:\n  - id: a\n    tool: t\n', 'yaml');
    assert.deepEqual(plan.steps[0].dependsOn, []);
  });

  it('keeps unknown fields without complaint', () => {
    const { findings } = parsePlan('[{"id": "a", "tool": "t", "owner": "me", "retries": 3}]', 'json');
    assert.equal(findings.length, 0);
  });

  it('reads every optional field', () => {
    const text = JSON.stringify([
      {
        id: 'a',
        tool: 't',
        input: { q: 1, nested: { deep: [1, 2] } },
        timeout_ms: 5,
        duration_ms: 7,
        locks: ['l1', 'l2'],
        command: 'echo hi',
        behavior: 'hang',
        description: 'd',
      },
    ]);
    const { plan, findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 0);
    const step = plan.steps[0];
    assert.deepEqual(JSON.parse(JSON.stringify(step.input)), { q: 1, nested: { deep: [1, 2] } });
    assert.equal(step.timeoutMs, 5);
    assert.equal(step.durationMs, 7);
    assert.deepEqual(step.locks.map((lock) => lock.name), ['l1', 'l2']);
    assert.equal(step.command, 'echo hi');
    assert.equal(step.behavior, 'hang');
    assert.equal(step.description, 'd');
  });
});

describe('parsePlan ranges', () => {
  it('points at ids and each depends_on entry in JSON', () => {
    const text = readFixture('plans/unknown.plan.json');
    const { plan } = parsePlan(text, 'json');
    const draft = plan.steps[2];
    assert.equal(slice(text, draft.idRange), '"draft_reply"');
    assert.deepEqual(draft.dependsOn.map((dependency) => slice(text, dependency.range)), ['"get_customer"', '"get_tickts"']);
  });

  it('points at ids and entries in YAML flow and block lists', () => {
    const text = readFixture('plans/cycle-tail.plan.yaml');
    const { plan, findings } = parsePlan(text, 'yaml');
    assert.equal(findings.length, 0);
    assert.equal(slice(text, plan.steps[0].idRange), 'reviewer');
    assert.equal(slice(text, plan.steps[0].dependsOn[0].range), 'drafter');
    assert.equal(slice(text, plan.steps[1].dependsOn[0].range), 'reviewer');
    assert.equal(plan.steps[1].dependsOn[0].block, true);
    assert.equal(plan.steps[0].dependsOn[0].block, false);
  });

  it('points at lock entries', () => {
    const text = readFixture('plans/lock-inversion.plan.json');
    const { plan } = parsePlan(text, 'json');
    assert.deepEqual(plan.steps[2].locks.map((lock) => slice(text, lock.range)), ['"storage"', '"index"']);
  });

  it('tolerates comments and trailing commas in JSON', () => {
    const text = readFixture('plans/shared-cycles.plan.json');
    const { plan, findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 0);
    assert.equal(plan.steps.length, 5);
  });

  it('handles ids that are object keys in JavaScript', () => {
    const text = readFixture('plans/odd-ids.plan.json');
    const { plan, findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 0);
    assert.deepEqual(plan.steps.map((step) => step.id), ['__proto__', 'constructor', 'step with spaces', 'zusammenfassung-über', 'toString']);
  });
});

describe('parsePlan errors', () => {
  it('reports a JSON syntax error at its position', () => {
    const text = '[{"id": "a", "tool": "t"},\n {"id" "b"}]';
    const { findings } = parsePlan(text, 'json');
    const syntax = findings.filter((finding) => finding.kind === 'syntax-error');
    assert.ok(syntax.length > 0);
    assert.match(syntax[0].message, /colon/i);
    assert.equal(text.slice(syntax[0].range.start, syntax[0].range.end), '"b"');
  });

  it('reports a YAML syntax error at its position', () => {
    const text = 'steps:\n  - id: a\n    tool: [unclosed\n';
    const { findings } = parsePlan(text, 'yaml');
    assert.ok(findings.some((finding) => finding.kind === 'syntax-error'));
  });

  it('reports a step without an id', () => {
    const { findings } = parsePlan('[{"tool": "t"}]', 'json');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].kind, 'invalid-plan');
    assert.match(findings[0].message, /no `id`/);
  });

  it('reports a step without a tool', () => {
    const { findings } = parsePlan('[{"id": "a"}]', 'json');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /no `tool`/);
  });

  it('offers to wrap a string depends_on in a list', () => {
    const text = '[{"id": "a", "tool": "t"}, {"id": "b", "tool": "t", "depends_on": "a"}]';
    const { findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].kind, 'invalid-plan');
    assert.equal(findings[0].fixes[0].edits[0].newText, '["a"]');
  });

  it('reports non-string depends_on entries', () => {
    const text = '[{"id": "a", "tool": "t", "depends_on": [1, {"x": 2}]}]';
    const { findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 2);
    assert.ok(findings.every((finding) => finding.kind === 'invalid-plan'));
    assert.equal(findings[0].fixes[0].edits[0].newText, '"1"');
  });

  it('reports a wrong top-level value', () => {
    const { findings } = parsePlan('"just a string"', 'json');
    assert.equal(findings[0].kind, 'invalid-plan');
    assert.match(findings[0].message, /list of steps/);
  });

  it('reports an object without steps', () => {
    const { findings } = parsePlan('{"tasks": []}', 'json');
    assert.equal(findings[0].kind, 'invalid-plan');
    assert.match(findings[0].message, /No steps found/);
  });

  it('reports an invalid behavior and timeout', () => {
    const { findings } = parsePlan('[{"id": "a", "tool": "t", "behavior": "explode", "timeout_ms": -1}]', 'json');
    assert.equal(findings.length, 2);
    assert.ok(findings.some((finding) => /behavior/.test(finding.message)));
    assert.ok(findings.some((finding) => /timeout_ms/.test(finding.message)));
  });

  it('reports an empty file', () => {
    assert.equal(parsePlan('', 'json').findings[0].kind, 'invalid-plan');
    assert.equal(parsePlan('', 'yaml').findings[0].kind, 'invalid-plan');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('json' as const, 'yaml' as const), (text, format) => {
        const result = parsePlan(text, format);
        for (const finding of result.findings) {
          assert.ok(finding.range.start >= 0);
          assert.ok(finding.range.end <= text.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated plans', () => {
    const base = readFixture('plans/clean.plan.json');
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(base.length), fc.string({ maxLength: 5 }), (start, length, insert) => {
        const text = base.slice(0, start) + insert + base.slice(Math.min(base.length, start + length));
        parsePlan(text, 'json');
        parsePlan(text, 'yaml');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('plan file recognition', () => {
  it('maps suffixes to formats', () => {
    assert.equal(planFormatForPath('a/b.plan.json'), 'json');
    assert.equal(planFormatForPath('b.PLAN.YAML'), 'yaml');
    assert.equal(planFormatForPath('b.plan.yml'), 'yaml');
    assert.equal(planFormatForPath('b.json'), undefined);
  });

  it('recognises a $schema naming the plan schema', () => {
    assert.equal(planFormatFromContent('{"$schema": "./node_modules/agent-deadlock-debugger/schemas/plan.schema.json", "steps": []}'), 'json');
    assert.equal(planFormatFromContent('$schema: https://example.org/agent-deadlock/plan.schema.json\nsteps: []\n'), 'yaml');
    assert.equal(planFormatFromContent('# yaml-language-server: $schema=../agent-deadlock/schemas/plan.schema.json\nsteps: []\n'), 'yaml');
    assert.equal(planFormatFromContent('{"$schema": "https://json.schemastore.org/package.json"}'), undefined);
  });
});

describe('parsePlan hard inputs', () => {
  it('reports deep nesting instead of overflowing', () => {
    const text = `{"steps":[{"id":"a","tool":"t","input":${'{"x":'.repeat(5000)}1${'}'.repeat(5000)}}]}`;
    const { findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].kind, 'syntax-error');
    assert.match(findings[0].message, /nested more than 1000 levels/);
  });

  it('reports deep YAML nesting instead of overflowing', () => {
    const text = `steps:\n  - id: a\n    tool: t\n    input: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    const { findings } = parsePlan(text, 'yaml');
    assert.equal(findings[0].kind, 'syntax-error');
  });

  it('accepts a UTF-8 byte order mark in JSON', () => {
    const text = '\ufeff{"steps":[{"id":"a","tool":"t"}]}';
    const { plan, findings } = parsePlan(text, 'json');
    assert.deepEqual(findings, []);
    assert.equal(text.slice(plan.steps[0].idRange.start, plan.steps[0].idRange.end), '"a"');
  });

  it('warns on a duplicate steps key and uses the last', () => {
    const text = '{"steps":[{"id":"a","tool":"t"}],"steps":[{"id":"b","tool":"t","depends_on":["b"]}]}';
    const { plan, findings } = parsePlan(text, 'json');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /Duplicate key `steps`/);
    assert.deepEqual(plan.steps.map((step) => step.id), ['b']);
  });

  it('warns on a duplicate key inside a step', () => {
    const { plan, findings } = parsePlan('steps:\n  - id: a\n    tool: t\n    id: b\n', 'yaml');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /Duplicate key `id` in step 1/);
    assert.equal(plan.steps[0].id, 'b');
  });

  it('applies YAML merge keys', () => {
    const text = 'base: &base {tool: fetch, timeout_ms: 500}\nsteps:\n  - <<: *base\n    id: a\n  - <<: *base\n    id: b\n    tool: other\n';
    const { plan, findings } = parsePlan(text, 'yaml');
    assert.deepEqual(findings, []);
    assert.equal(plan.steps[0].tool, 'fetch');
    assert.equal(plan.steps[0].timeoutMs, 500);
    assert.equal(plan.steps[1].tool, 'other');
  });

  it('names an alias without an anchor', () => {
    const { findings } = parsePlan('steps:\n  - id: a\n    tool: t\n    depends_on: [*nope]\n', 'yaml');
    assert.ok(findings.some((finding) => /alias `\*nope` names no anchor/.test(finding.message)));
  });

  it('explains a multi-document YAML file', () => {
    const { findings } = parsePlan('steps: []\n---\nsteps: []\n', 'yaml');
    assert.match(findings[0].message, /more than one YAML document/);
  });

  it('numbers non-object entries by position', () => {
    const { findings } = parsePlan('[{"id":"a","tool":"t"}, "oops", null, 5]', 'json');
    assert.deepEqual(findings.map((finding) => /^Step (\d+)/.exec(finding.message)?.[1]), ['2', '3', '4']);
  });

  it('quotes a number as written', () => {
    const text = 'steps:\n  - id: a\n    tool: t\n    depends_on: [1.0]\n';
    const { findings } = parsePlan(text, 'yaml');
    assert.equal(findings[0].fixes[0].edits[0].newText, '"1.0"');
  });

  it('reports an empty dependency id', () => {
    const { findings } = parsePlan('[{"id":"a","tool":"t","depends_on":[""]}]', 'json');
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /entry 1 is an empty string/);
  });

  it('reports an invalid id once', () => {
    const { findings } = parsePlan('[{"id":"","tool":"t"}]', 'json');
    assert.equal(findings.length, 1);
  });
});
