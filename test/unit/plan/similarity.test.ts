import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { boundedEditDistance, closestMatch } from '../../../src/core/text/similarity';

function levenshtein(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return rows[a.length][b.length];
}

describe('boundedEditDistance', () => {
  it('matches Levenshtein up to the limit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 5 }), (a, b, limit) => {
        const exact = levenshtein(a, b);
        assert.equal(boundedEditDistance(a, b, limit), exact <= limit ? exact : limit + 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('stays fast on long ids', () => {
    const a = `${'x'.repeat(50_000)}a`;
    const b = `${'x'.repeat(50_000)}b`;
    assert.equal(boundedEditDistance(a, b, 4), 1);
  });
});

describe('closestMatch', () => {
  it('finds a near id', () => {
    assert.equal(closestMatch('fetch_ordrs', ['fetch_user', 'fetch_orders']), 'fetch_orders');
  });

  it('skips excluded ids', () => {
    assert.equal(closestMatch('fetch_order', ['fetch_orders'], new Set(['fetch_orders'])), undefined);
  });

  it('offers nothing for one-letter ids', () => {
    assert.equal(closestMatch('x', ['a', 'b']), undefined);
  });

  it('matches case and normalisation differences', () => {
    assert.equal(closestMatch('Fetch', ['fetch']), 'fetch');
    assert.equal(closestMatch('caf\u0065\u0301', ['caf\u00e9']), 'caf\u00e9');
  });
});
