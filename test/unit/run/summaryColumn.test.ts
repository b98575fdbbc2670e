import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { summaryColumn } from '../../../src/extension/run/summaryColumn';

describe('run summary column', () => {
  it('uses the only group', () => {
    assert.equal(summaryColumn([1], 1, 1), 1);
  });

  it('opens beside the plan', () => {
    assert.equal(summaryColumn([1, 2], 1, 1), 2);
  });

  it('opens left of a plan in the last group', () => {
    assert.equal(summaryColumn([1, 2, 3], 3, 3), 2);
  });

  it('opens right of a plan in a middle group', () => {
    assert.equal(summaryColumn([1, 2, 3], 2, 1), 3);
  });

  it('uses the active group without the plan', () => {
    assert.equal(summaryColumn([1, 2], undefined, 2), 2);
  });

  it('never names a missing group', () => {
    assert.equal(summaryColumn([1, 2], 4, 1), 1);
  });
});
