import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { readJsonPlanFast } from '../../../src/core/plan/jsonFastPath';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { parsePlanGeneral } from '../../../src/core/plan/parse';
import { readFixture } from '../helpers';

// Any code unit, so that JSON.stringify writes escapes and the reader's own string scan must
// hand them to the scanner.
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
const id = fc.oneof(
  fc.constantFrom('a', 'b', '__proto__', 'step 1', 'über', 'a"b', 'a\\b', 'tab\tid'),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });

const step = fc.record(
  {
    id,
    tool: fc.oneof(fc.constantFrom('fetch', 'fetch', 'fetcH'), fc.string({ maxLength: 5 }), anyText(5)),
    depends_on: fc.oneof(fc.array(id, { maxLength: 4 }), fc.constant(null)),
    locks: fc.oneof(fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }), fc.constant(null)),
    timeout_ms: fc.nat(),
    duration_ms: fc.nat(),
    command: fc.string({ maxLength: 5 }),
    behavior: fc.constantFrom('ok', 'error', 'hang', 'lost'),
    description: fc.string({ maxLength: 5 }),
    input: fc.dictionary(fc.string({ maxLength: 4 }), jsonValue, { maxKeys: 3 }),
    extra: jsonValue,
  },
  { requiredKeys: ['id', 'tool'] },
);

const plan = fc.oneof(
  fc.array(step, { maxLength: 5 }),
  fc.record({ steps: fc.array(step, { maxLength: 5 }), name: fc.string({ maxLength: 4 }), meta: jsonValue }, { requiredKeys: ['steps'] }),
  fc.record({ plan: fc.array(step, { maxLength: 5 }), defaults: fc.record({ timeout_ms: fc.nat() }) }),
);

/** Plain data for deepEqual: a list's entries are compared by their ranges. */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, item) => (key === 'siblings' ? (item as { range: unknown }[]).map((sibling) => sibling.range) : item)),
  );
}

/** Characters that end or break a JSON string, or a value, when they land inside one. */
const specialCharacter = fc.constantFrom('"', '\\', '\n', '\t', '\u0001', '\u001f', '\ud800', ',', ']', '}', '/', '*');

describe('JSON fast path', () => {
  it('matches the general reader on valid plans', () => {
    fc.assert(
      fc.property(plan, fc.constantFrom(0, 1, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const general = parsePlanGeneral(text, 'json');
        const fast = readJsonPlanFast(text);
        if (general.findings.length > 0) {
          assert.equal(fast, undefined);
          return;
        }
        assert.ok(fast, `fast path declined a valid plan: ${text}`);
        assert.deepEqual(comparable(fast), comparable(general.plan));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same analysis as the general reader', () => {
    // Ids from a small set, so that cycles, duplicates, repeated and unknown entries are common.
    const smallId = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const smallStep = fc.record({ id: smallId, tool: fc.constant('t'), depends_on: fc.array(fc.oneof(smallId, fc.constant('zz')), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(smallStep, { maxLength: 8 }), (steps) => {
        const text = JSON.stringify(steps);
        const fast = readJsonPlanFast(text);
        assert.ok(fast);
        const expected = analyzePlan(parsePlanGeneral(text, 'json').plan);
        const actual = analyzePlan(fast);
        assert.deepEqual(comparable(actual.findings), comparable(expected.findings));
        assert.deepEqual(actual.stages, expected.stages);
        assert.deepEqual(comparable([...actual.steps]), comparable([...expected.steps]));
      }),
      { numRuns: 2000 },
    );
  });

  it('declines every text the general reader reports', () => {
    const base = readFixture('plans/clean.plan.json');
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(6), fc.oneof(fc.string({ maxLength: 4 }), fc.string({ unit: specialCharacter, maxLength: 3 })), (start, length, insert) => {
        const text = base.slice(0, start) + insert + base.slice(Math.min(base.length, start + length));
        const general = parsePlanGeneral(text, 'json');
        const fast = readJsonPlanFast(text);
        if (general.findings.length > 0) assert.equal(fast, undefined);
        else if (fast) assert.deepEqual(comparable(fast), comparable(general.plan));
      }),
      { numRuns: 3000 },
    );
  });

  it('handles comments and trailing commas', () => {
    const text = readFixture('plans/shared-cycles.plan.json');
    assert.deepEqual(comparable(readJsonPlanFast(text)), comparable(parsePlanGeneral(text, 'json').plan));
  });
});
