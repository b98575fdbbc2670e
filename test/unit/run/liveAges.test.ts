import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatAge, inFlightAges } from '../../../src/core/run/liveAges';
import type { RunState } from '../../../src/core/run/types';

const state: RunState = {
  now: 20_000,
  paused: false,
  done: false,
  calls: [
    { id: 'old', tool: 'web_fetch', status: 'running', startedAt: 8_000, timeoutMs: 60_000 },
    { id: 'tight', tool: 'shell', status: 'running', startedAt: 15_000, timeoutMs: 6_000 },
    { id: 'finished', tool: 'llm', status: 'ok', startedAt: 1_000, endedAt: 2_000, timeoutMs: 5_000 },
    { id: 'waiting', tool: 'llm', status: 'pending', timeoutMs: 5_000 },
  ],
};

describe('in-flight ages', () => {
  it('measures calls in flight to now', () => {
    const ages = inFlightAges(state);
    assert.deepEqual(
      ages.calls.map((entry) => [entry.call.id, entry.ageMs]),
      [
        ['tight', 5_000],
        ['old', 12_000],
      ],
    );
  });

  it('gives the oldest age', () => {
    assert.equal(inFlightAges(state).oldestMs, 12_000);
  });

  it('has no oldest age when idle', () => {
    const idle = inFlightAges({ ...state, calls: state.calls.slice(2) });
    assert.deepEqual(idle.calls, []);
    assert.equal(idle.oldestMs, undefined);
  });

  it('formats ages like the status bar', () => {
    assert.equal(formatAge(3_249), '3.2s');
    assert.equal(formatAge(9_949), '9.9s');
    assert.equal(formatAge(12_400), '12s');
  });
});
