import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { NATIVE_EVENT_TYPES } from '../../../src/core/trace/adapters/native';

const SCHEMA = path.join(__dirname, '..', '..', '..', 'schemas', 'trace-event.schema.json');

describe('trace event schema', () => {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  const described = new Set<string>(
    schema.allOf.map((rule: { if: { properties: { type: { const?: string } } } }) => rule.if.properties.type.const).filter(Boolean),
  );

  it('describes every event type the reader accepts', () => {
    assert.deepEqual([...described].sort(), [...NATIVE_EVENT_TYPES].sort());
  });

  it('accepts the time forms the reader accepts', () => {
    const [epoch, digits, iso] = schema.properties.ts.oneOf;
    assert.equal(epoch.type, 'number');
    assert.ok(new RegExp(digits.pattern).test('1777629600000'));
    const isoPattern = new RegExp(iso.pattern);
    for (const time of ['2026-05-01T10:00:00Z', '2026-05-01T10:00:00.123Z', '2026-05-01T12:00:00+02:00']) assert.ok(isoPattern.test(time), time);
    assert.ok(!isoPattern.test('yesterday'));
  });
});
