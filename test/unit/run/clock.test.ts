import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock, VirtualClock, type HostTimers } from '../../../src/core/run/clock';

/** Host timers driven by hand: `advance` moves monotonic time and fires due host timeouts in order. */
class ManualHost implements HostTimers {
  time = 1_000;
  private pending: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;

  monotonicNow(): number {
    return this.time;
  }

  epochNow(): number {
    return 1_700_000_000_000;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.push({ at: this.time + delayMs, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((entry) => entry.id !== handle);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (next === undefined || next.at > end) break;
      this.pending.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

test('real clock scales time by its speed', () => {
  const host = new ManualHost();
  const clock = new RealClock(10, host);
  const fired: number[] = [];
  clock.setTimer(1_000, () => fired.push(clock.now()));
  host.advance(99);
  assert.deepEqual(fired, []);
  host.advance(1);
  assert.deepEqual(fired, [1_700_000_000_000 + 1_000]);
  assert.equal(clock.now(), 1_700_000_000_000 + 1_000);
});

test('real clock pause holds time and timers', () => {
  const host = new ManualHost();
  const clock = new RealClock(1, host);
  const fired: string[] = [];
  clock.setTimer(500, () => fired.push('timer'));
  host.advance(200);
  clock.pause();
  const frozen = clock.now();
  host.advance(10_000);
  assert.equal(clock.now(), frozen);
  assert.deepEqual(fired, []);
  clock.resume();
  host.advance(299);
  assert.deepEqual(fired, []);
  host.advance(1);
  assert.deepEqual(fired, ['timer']);
  assert.equal(clock.now() - frozen, 300);
});

test('real clock rejects a bad speed', () => {
  for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => new RealClock(speed, new ManualHost()), RangeError, String(speed));
  }
});

test('virtual clock fires in time then set order', () => {
  const clock = new VirtualClock(100);
  const order: string[] = [];
  clock.setTimer(50, () => order.push('b'));
  const cleared = clock.setTimer(10, () => order.push('never'));
  clock.setTimer(10, () => {
    order.push('a');
    clock.setTimer(0, () => order.push('a2'));
  });
  clock.setTimer(50, () => order.push('c'));
  clock.clearTimer(cleared);
  assert.equal(clock.pendingTimers, 3);
  assert.equal(clock.run(), 4);
  assert.deepEqual(order, ['a', 'a2', 'b', 'c']);
  assert.equal(clock.now(), 150);
  assert.equal(clock.pendingTimers, 0);
});

test('virtual clock run stops at a time limit', () => {
  const clock = new VirtualClock();
  const order: number[] = [];
  for (const delay of [30, 10, 20]) clock.setTimer(delay, () => order.push(delay));
  assert.equal(clock.run(15), 1);
  assert.equal(clock.now(), 15);
  assert.equal(clock.run(Infinity, 1), 1);
  assert.deepEqual(order, [10, 20]);
  clock.run();
  assert.deepEqual(order, [10, 20, 30]);
});
