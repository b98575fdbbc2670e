import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { IdIndex, hashId } from '../../../src/core/graph/idIndex';

/** Builds the expected first indexes and duplicates with a Map. */
function reference(ids: readonly string[]) {
  const first = new Map<string, number>();
  const duplicates: { index: number; firstIndex: number }[] = [];
  ids.forEach((id, index) => {
    if (id === '') return;
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, index);
    else duplicates.push({ index, firstIndex: earlier });
  });
  return { first, duplicates };
}

function assertMatches(ids: readonly string[], probes: readonly string[]): void {
  // Built at once, and one id at a time from an empty table, which has to grow.
  const growing = new IdIndex();
  const firsts = ids.map((id) => growing.add(id));
  assert.deepEqual(firsts, ids.map((id) => (id === '' ? -1 : reference(ids).first.get(id))));
  assertIndexMatches(new IdIndex(ids), ids, probes);
  assertIndexMatches(growing, ids, probes);
}

function assertIndexMatches(index: IdIndex, ids: readonly string[], probes: readonly string[]): void {
  const expected = reference(ids);
  assert.deepEqual(index.duplicates, expected.duplicates);
  assert.equal(index.size, expected.first.size);
  assert.deepEqual([...index.entries()], [...expected.first]);
  for (const id of [...ids, ...probes]) {
    assert.equal(index.get(id), expected.first.get(id), `get(${JSON.stringify(id)})`);
    assert.equal(index.has(id), expected.first.has(id));
    // With the hash given, as the JSON reader looks ids up.
    const found = index.get(id, hashId(id));
    assert.equal(found, expected.first.get(id), `get(${JSON.stringify(id)}, hash)`);
    if (found !== undefined) assert.equal(index.idAt(found), id);
  }
  ids.forEach((id, position) => assert.equal(index.firstOf(position), id === '' ? -1 : expected.first.get(id)));
}

describe('IdIndex', () => {
  it('matches a Map on random ids', () => {
    const id = fc.oneof(fc.constantFrom('', 'a', 'b', '__proto__', 'constructor', 'step 1', 'über', '日本'), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 60 }), fc.array(id, { maxLength: 10 }), (ids, probes) => assertMatches(ids, probes)),
      { numRuns: 2000 },
    );
  });

  it('handles ids that share one slot', () => {
    // 200 ids get 512 slots; these all hash to slot 0, so their probe sequence overflows.
    const ids: string[] = [];
    for (let n = 0; ids.length < 200; n++) {
      const id = `id${n}`;
      if ((hashId(id) & 511) === 0) ids.push(id);
    }
    ids.push(ids[3], '', ids[150]);
    assertMatches(ids, ['missing', 'id0']);
  });
});
