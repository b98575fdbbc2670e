/**
 * Clocks the run engine reads time from. The virtual clock keeps a queue of timers and jumps
 * from one to the next, so a replay takes no real time and always runs the same way. The real
 * clock follows the host's monotonic time, optionally scaled by a speed factor, and can pause.
 */

export type TimerCallback = () => void;

/** Opaque handle of a pending timer. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  readonly kind: 'virtual' | 'real';
  /** Current time in ms since the epoch on this clock. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now on this clock. */
  setTimer(delayMs: number, callback: TimerCallback): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** A clock that can stop time, used to pause a run. */
export interface PausableClock extends Clock {
  pause(): void;
  resume(): void;
  readonly paused: boolean;
}

/**
 * A virtual clock driven by a binary min-heap of timers ordered by due time, then by the order
 * they were set, so timers due at the same moment fire in a fixed order. `run()` fires timers
 * until none is left. The heap records each timer's position, so clearing a timer removes it
 * at once and the heap holds only live timers.
 */
export class VirtualClock implements PausableClock {
  readonly kind = 'virtual' as const;
  private time: number;
  private dueTimes: number[] = [];
  private sequences: number[] = [];
  private callbacks: (TimerCallback | undefined)[] = [];
  /** Position of each slot in `heap`, or -1 when the slot is free. */
  private positions: number[] = [];
  /** Heap of slots into the arrays above. */
  private heap: number[] = [];
  private freeSlots: number[] = [];
  private nextSequence = 0;
  private stopped = false;
  private pausedFlag = false;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Number of timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.heap.length;
  }

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: TimerCallback): TimerHandle {
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.callbacks.length;
    this.dueTimes[slot] = this.time + Math.max(0, delayMs);
    this.sequences[slot] = this.nextSequence++;
    this.callbacks[slot] = callback;
    this.heap.push(slot);
    this.positions[slot] = this.heap.length - 1;
    this.siftUp(this.heap.length - 1);
    return { id: slot * 0x100000000 + this.sequences[slot] };
  }

  clearTimer(handle: TimerHandle): void {
    const slot = Math.floor(handle.id / 0x100000000);
    const sequence = handle.id % 0x100000000;
    if (this.callbacks[slot] === undefined || this.sequences[slot] !== sequence) return;
    this.removeAt(this.positions[slot]);
    this.release(slot);
  }

  /** Makes `run()` return after the timer that is firing now. */
  stop(): void {
    this.stopped = true;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
  }

  /**
   * Fires timers in order until none is left, `stop()` is called, the clock is paused,
   * `untilMs` is reached, or `maxTimers` have fired. Returns the number of timers fired.
   */
  run(untilMs = Infinity, maxTimers = Infinity): number {
    this.stopped = false;
    let fired = 0;
    while (this.heap.length > 0 && !this.stopped && !this.pausedFlag && fired < maxTimers) {
      const slot = this.heap[0];
      const due = this.dueTimes[slot];
      if (due > untilMs) break;
      const callback = this.callbacks[slot] as TimerCallback;
      this.removeAt(0);
      this.release(slot);
      if (due > this.time) this.time = due;
      callback();
      fired++;
    }
    const cutShort = this.stopped || this.pausedFlag || fired >= maxTimers;
    if (untilMs !== Infinity && untilMs > this.time && !cutShort) this.time = untilMs;
    return fired;
  }

  private release(slot: number): void {
    this.callbacks[slot] = undefined;
    this.positions[slot] = -1;
    this.freeSlots.push(slot);
  }

  private before(a: number, b: number): boolean {
    const dueA = this.dueTimes[a];
    const dueB = this.dueTimes[b];
    return dueA < dueB || (dueA === dueB && this.sequences[a] < this.sequences[b]);
  }

  /** Removes the entry at heap position `index`, moving the last entry into its place. */
  private removeAt(index: number): void {
    const heap = this.heap;
    const last = heap.pop() as number;
    if (index === heap.length) return;
    heap[index] = last;
    this.positions[last] = index;
    if (index > 0 && this.before(last, heap[(index - 1) >> 1])) this.siftUp(index);
    else this.siftDown(index);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const slot = heap[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(slot, heap[parent])) break;
      heap[index] = heap[parent];
      this.positions[heap[index]] = index;
      index = parent;
    }
    heap[index] = slot;
    this.positions[slot] = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const slot = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.before(heap[right], heap[left]) ? right : left;
      if (!this.before(heap[child], slot)) break;
      heap[index] = heap[child];
      this.positions[heap[index]] = index;
      index = child;
    }
    heap[index] = slot;
    this.positions[slot] = index;
  }
}

/** Host timer functions, injected so the core stays free of globals in tests. */
export interface HostTimers {
  /** Monotonic time in ms. */
  monotonicNow(): number;
  /** Epoch time in ms, read once at construction. */
  epochNow(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export function nodeHostTimers(): HostTimers {
  return {
    monotonicNow: () => performance.now(),
    epochNow: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

interface RealTimer {
  dueAt: number;
  callback: TimerCallback;
  hostHandle: unknown;
}

/**
 * A clock that follows real time scaled by `speed`: at speed 10, a 1,000 ms timer fires after
 * 100 ms of real time. Pausing stops the clock and holds every timer; resuming re-arms them
 * with the time they had left.
 */
export class RealClock implements PausableClock {
  readonly kind = 'real' as const;
  private readonly origin: number;
  private readonly epochOrigin: number;
  /** Clock time accumulated before the last resume. */
  private elapsedBefore = 0;
  private resumedAt: number;
  private pausedFlag = false;
  private nextId = 1;
  private readonly timers = new Map<number, RealTimer>();

  constructor(
    readonly speed = 1,
    private readonly host: HostTimers = nodeHostTimers(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`Clock speed must be a positive number, got ${speed}.`);
    this.origin = host.monotonicNow();
    this.resumedAt = this.origin;
    this.epochOrigin = host.epochNow();
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  now(): number {
    const running = this.pausedFlag ? 0 : (this.host.monotonicNow() - this.resumedAt) * this.speed;
    return this.epochOrigin + this.elapsedBefore + running;
  }

  setTimer(delayMs: number, callback: TimerCallback): TimerHandle {
    const id = this.nextId++;
    const timer: RealTimer = { dueAt: this.now() + Math.max(0, delayMs), callback, hostHandle: undefined };
    this.timers.set(id, timer);
    if (!this.pausedFlag) this.arm(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer === undefined) return;
    if (timer.hostHandle !== undefined) this.host.clearTimeout(timer.hostHandle);
    this.timers.delete(handle.id);
  }

  pause(): void {
    if (this.pausedFlag) return;
    this.elapsedBefore += (this.host.monotonicNow() - this.resumedAt) * this.speed;
    this.pausedFlag = true;
    for (const timer of this.timers.values()) {
      if (timer.hostHandle !== undefined) this.host.clearTimeout(timer.hostHandle);
      timer.hostHandle = undefined;
    }
  }

  resume(): void {
    if (!this.pausedFlag) return;
    this.pausedFlag = false;
    this.resumedAt = this.host.monotonicNow();
    for (const [id, timer] of this.timers) this.arm(id, timer);
  }

  private arm(id: number, timer: RealTimer): void {
    const realDelay = Math.max(0, (timer.dueAt - this.now()) / this.speed);
    timer.hostHandle = this.host.setTimeout(() => {
      if (this.timers.get(id) !== timer) return;
      // Host timers can fire a little early; wait for the rest so that callbacks see `now() >= dueAt`.
      if (this.now() < timer.dueAt) {
        this.arm(id, timer);
        return;
      }
      this.timers.delete(id);
      timer.callback();
    }, realDelay);
  }
}
