import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runVirtual } from '../../../src/core/run/run';
import type { RunCall, RunEvent } from '../../../src/core/run/types';

/** Random acyclic plans: call i may depend only on calls before it. */
const acyclicPlan = fc
  .array(fc.record({ durationMs: fc.integer({ min: 0, max: 500 }), picks: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 40 })
  .map((entries) =>
    entries.map((entry, i): RunCall => ({
      id: `c${i}`,
      tool: `t${i % 4}`,
      dependsOn: i === 0 ? [] : [...new Set(entry.picks.map((pick) => `c${pick % i}`))],
      locks: [],
      durationMs: entry.durationMs,
    })),
  );

test('unlimited run starts each call when its dependencies end', () => {
  fc.assert(
    fc.property(acyclicPlan, (calls) => {
      const result = runVirtual({ kind: 'plan', calls });
      assert.equal(result.ok, true);
      const byId = new Map(result.calls.map((call) => [call.id, call]));
      for (const call of calls) {
        const expectedStart = Math.max(0, ...call.dependsOn.map((id) => byId.get(id)?.endMs ?? Number.NaN));
        assert.equal(byId.get(call.id)?.startMs, expectedStart, call.id);
        assert.equal(byId.get(call.id)?.ageMs, call.durationMs, call.id);
      }
      // With no limit, the run takes exactly as long as its critical path.
      assert.equal(result.summary.totalMs, result.summary.criticalPath.durationMs);
      assert.equal(result.summary.sequentialMs, calls.reduce((sum, call) => sum + (call.durationMs ?? 0), 0));
    }),
    { numRuns: 200 },
  );
});

test('concurrency limit is never exceeded', () => {
  fc.assert(
    fc.property(acyclicPlan, fc.integer({ min: 1, max: 5 }), (calls, limit) => {
      let inFlight = 0;
      let peak = 0;
      const onEvent = (event: RunEvent): void => {
        if (event.type === 'call_start') peak = Math.max(peak, ++inFlight);
        if (event.type === 'call_end') inFlight--;
      };
      const result = runVirtual({ kind: 'plan', calls }, { concurrency: limit }, { onEvent });
      assert.equal(result.ok, true);
      assert.ok(peak <= limit, `peak ${peak} over limit ${limit}`);
      assert.ok(result.summary.totalMs >= result.summary.criticalPath.durationMs);
    }),
    { numRuns: 200 },
  );
});

test('a failed call strands exactly its dependents', () => {
  fc.assert(
    fc.property(acyclicPlan, fc.nat(), (calls, pick) => {
      const failing = calls[pick % calls.length];
      failing.behavior = 'error';
      const result = runVirtual({ kind: 'plan', calls });
      // Dependents, directly or not, of the failing call.
      const downstream = new Set<string>([failing.id]);
      for (const call of calls) if (call.dependsOn.some((id) => downstream.has(id))) downstream.add(call.id);
      for (const call of result.calls) {
        if (call.id === failing.id) assert.equal(call.outcome, 'error');
        else if (downstream.has(call.id)) assert.equal(call.outcome, 'stranded', call.id);
        else assert.equal(call.outcome, 'ok', call.id);
      }
    }),
    { numRuns: 200 },
  );
});

test('ordered locks never deadlock', () => {
  const lockNames = ['a', 'b', 'c', 'd'];
  const lockedCalls = fc.array(
    fc.record({ durationMs: fc.integer({ min: 0, max: 100 }), locks: fc.shuffledSubarray(lockNames) }),
    { minLength: 2, maxLength: 12 },
  );
  fc.assert(
    fc.property(lockedCalls, (entries) => {
      const calls = entries.map((entry, i): RunCall => ({ id: `c${i}`, tool: 'db', dependsOn: [], locks: entry.locks, durationMs: entry.durationMs }));
      const ordered = runVirtual({ kind: 'plan', calls }, { lockOrdering: true });
      assert.equal(ordered.endedBy, undefined, JSON.stringify(ordered.deadlock));
      assert.equal(ordered.summary.completed, calls.length);

      // Without ordering, a deadlock may happen; when it does, each reported cycle is a real lock cycle.
      const free = runVirtual({ kind: 'plan', calls });
      for (const [k, cycle] of (free.deadlock?.cycles ?? []).entries()) {
        assert.equal(cycle[0], cycle[cycle.length - 1]);
        assert.equal(free.deadlock?.cycleLocks[k].length, cycle.length - 1);
      }
    }),
    { numRuns: 300 },
  );
});
