import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/core/run/clock';
import { RunEngine, RunRejectedError } from '../../../src/core/run/engine';
import { SimulatedExecutor, type CallExecutor } from '../../../src/core/run/executor';
import { runVirtual } from '../../../src/core/run/run';
import type { RunCall, RunEvent, RunSource } from '../../../src/core/run/types';

function call(id: string, fields: Partial<RunCall> = {}): RunCall {
  return { id, tool: fields.tool ?? `tool_${id}`, dependsOn: [], locks: [], ...fields };
}

function plan(...calls: RunCall[]): RunSource {
  return { kind: 'plan', calls };
}

function byId(result: ReturnType<typeof runVirtual>, id: string) {
  const found = result.calls.find((entry) => entry.id === id);
  assert.ok(found, `no call ${id} in the result`);
  return found;
}

test('timeout ends a hung call with a TIMEOUT error result', () => {
  const result = runVirtual(plan(call('fetch', { tool: 'web_fetch', behavior: 'hang', timeoutMs: 2_000 })));
  const fetch = byId(result, 'fetch');
  assert.equal(fetch.outcome, 'timeout');
  assert.equal(fetch.error?.code, 'TIMEOUT');
  assert.equal(fetch.error?.limitMs, 2_000);
  assert.match(fetch.error?.message ?? '', /web_fetch/);
  assert.match(fetch.error?.message ?? '', /2000 ms/);
  assert.equal(fetch.endMs, 2_000);
  assert.equal(result.summary.timedOut, 1);
  assert.equal(result.ok, false);
  assert.equal(result.kills.length, 0);
});

test('timeout precedence: step, tool map, plan default, 30 s', () => {
  const source: RunSource = {
    kind: 'plan',
    defaultTimeoutMs: 5_000,
    calls: [
      call('own', { tool: 'mapped', behavior: 'hang', timeoutMs: 100 }),
      call('tool', { tool: 'mapped', behavior: 'hang' }),
      call('plan', { tool: 'other', behavior: 'hang' }),
    ],
  };
  const result = runVirtual(source, { toolTimeouts: new Map([['mapped', 700]]) });
  assert.equal(byId(result, 'own').timeoutMs, 100);
  assert.equal(byId(result, 'tool').timeoutMs, 700);
  assert.equal(byId(result, 'plan').timeoutMs, 5_000);
  assert.equal(byId(result, 'plan').endMs, 5_000);

  const fallback = runVirtual(plan(call('x', { behavior: 'hang' })));
  assert.equal(byId(fallback, 'x').timeoutMs, 30_000);
  assert.equal(byId(fallback, 'x').endMs, 30_000);
});

test('watchdog kills a call that ignores its timeout', () => {
  const events: RunEvent[] = [];
  const result = runVirtual(
    plan(call('stuck', { tool: 'shell', behavior: 'lost', timeoutMs: 1_000 }), call('after', { dependsOn: ['stuck'] })),
    { watchdog: { intervalMs: 250, graceMs: 500 } },
    { onEvent: (event) => events.push(event) },
  );
  const stuck = byId(result, 'stuck');
  assert.equal(stuck.outcome, 'killed');
  assert.equal(stuck.error?.code, 'KILLED');
  assert.match(stuck.error?.message ?? '', /shell/);
  assert.equal(result.kills.length, 1);
  assert.equal(result.kills[0].id, 'stuck');
  // Maximum is timeout + grace = 1,500 ms; the first tick at or after it is at 1,500 ms.
  assert.equal(result.kills[0].maxDurationMs, 1_500);
  assert.equal(result.kills[0].ageMs, 1_500);
  assert.ok(events.some((event) => event.type === 'call_timeout' && event.id === 'stuck'), 'the timeout fired first');
  assert.ok(events.some((event) => event.type === 'watchdog_kill' && event.id === 'stuck' && event.ageMs === 1_500));
  assert.equal(byId(result, 'after').outcome, 'stranded');
  assert.match(byId(result, 'after').reason ?? '', /"stuck", which was killed/);
});

test('watchdog with a fixed maximum duration', () => {
  const result = runVirtual(plan(call('stuck', { behavior: 'lost', timeoutMs: 60_000 })), {
    watchdog: { intervalMs: 100, maxDurationMs: 1_050 },
  });
  assert.equal(byId(result, 'stuck').outcome, 'killed');
  assert.equal(result.kills[0].ageMs, 1_100);
  assert.equal(result.kills[0].maxDurationMs, 1_050);
});

test('stages run in parallel: 0.4 s, not 0.7 s', () => {
  const result = runVirtual(
    plan(
      call('a', { durationMs: 100 }),
      call('b', { durationMs: 200 }),
      call('c', { durationMs: 300 }),
      call('d', { durationMs: 100, dependsOn: ['a', 'b', 'c'] }),
    ),
  );
  assert.equal(result.ok, true);
  assert.equal(result.summary.totalMs, 400);
  assert.equal(result.summary.sequentialMs, 700);
  assert.deepEqual(result.summary.criticalPath.steps, ['c', 'd']);
  assert.equal(result.summary.criticalPath.durationMs, 400);
  assert.equal(byId(result, 'd').startMs, 300);
});

test('concurrency limit serialises ready calls', () => {
  const result = runVirtual(
    plan(call('a', { durationMs: 100 }), call('b', { durationMs: 200 }), call('c', { durationMs: 300 }), call('d', { durationMs: 100, dependsOn: ['a', 'b', 'c'] })),
    { concurrency: 1 },
  );
  assert.equal(result.summary.totalMs, 700);
  assert.deepEqual(
    result.calls.map((entry) => entry.startMs),
    [0, 100, 300, 600],
  );
});

test('cyclic plan is rejected with its path', () => {
  const source = plan(call('a', { dependsOn: ['c'] }), call('b', { dependsOn: ['a'] }), call('c', { dependsOn: ['b'] }), call('free'));
  const result = runVirtual(source);
  assert.equal(result.endedBy, 'rejected');
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0].kind, 'cycle');
  assert.deepEqual(result.problems[0].path, ['a', 'c', 'b', 'a']);
  assert.match(result.problems[0].message, /"a" -> "c" -> "b" -> "a"/);
  assert.ok(result.calls.every((entry) => entry.startMs === undefined), 'nothing ran');

  const engine = new RunEngine(source, {}, { clock: new VirtualClock(), executor: new SimulatedExecutor() });
  assert.throws(() => engine.start(), RunRejectedError);
});

test('cyclic plan runs its acyclic part on request', () => {
  const source = plan(
    call('a', { dependsOn: ['b'] }),
    call('b', { dependsOn: ['a'] }),
    call('tail', { dependsOn: ['a'] }),
    call('free', { durationMs: 50 }),
  );
  const result = runVirtual(source, { runAcyclicPart: true });
  assert.equal(byId(result, 'free').outcome, 'ok');
  assert.equal(byId(result, 'a').outcome, 'stranded');
  assert.match(byId(result, 'a').reason ?? '', /cycle a -> b -> a/);
  assert.equal(byId(result, 'tail').outcome, 'stranded');
  assert.match(byId(result, 'tail').reason ?? '', /"a"/);
  assert.equal(result.summary.completed, 1);
  assert.equal(result.summary.stranded, 3);
});

test('unknown dependency is rejected', () => {
  const result = runVirtual(plan(call('a', { dependsOn: ['ghost'] })));
  assert.equal(result.endedBy, 'rejected');
  assert.equal(result.problems[0].kind, 'unknown-dependency');
  assert.deepEqual(result.problems[0].path, ['a', 'ghost']);
});

function lockPlan(): RunSource {
  return plan(
    call('writer', { durationMs: 50, locks: ['db', 'cache'] }),
    call('reader', { durationMs: 50, locks: ['cache', 'db'] }),
  );
}

test('inverted locks deadlock with the wait-for cycle', () => {
  const result = runVirtual(lockPlan());
  assert.equal(result.endedBy, 'deadlock');
  assert.ok(result.deadlock);
  assert.equal(result.deadlock.atMs, 10);
  assert.equal(result.deadlock.cycles.length, 1);
  assert.deepEqual(result.deadlock.cycles[0], ['writer', 'reader', 'writer']);
  assert.deepEqual(result.deadlock.cycleLocks[0], ['cache', 'db']);
  const writer = byId(result, 'writer');
  assert.equal(writer.outcome, 'stranded');
  assert.match(writer.reason ?? '', /lock "cache", held by "reader"/);
  assert.match(byId(result, 'reader').reason ?? '', /lock "db", held by "writer"/);
  assert.equal(result.summary.stranded, 2);
});

test('ordered locks never deadlock', () => {
  for (const lockOrder of [undefined, ['cache', 'db'], ['db', 'cache']]) {
    const result = runVirtual(lockPlan(), { lockOrdering: true, ...(lockOrder ? { lockOrder } : {}) });
    assert.equal(result.ok, true, `lock order ${String(lockOrder)}`);
    assert.equal(result.deadlock, undefined);
    assert.equal(result.summary.completed, 2);
  }
});

test('lock held by a slow call makes others wait, not deadlock', () => {
  const result = runVirtual(plan(call('a', { durationMs: 100, locks: ['x'] }), call('b', { durationMs: 100, locks: ['x'] })));
  assert.equal(result.ok, true);
  assert.equal(byId(result, 'b').startMs, 0);
  assert.equal(byId(result, 'b').endMs, 200);
});

test('hung call strands its dependents', () => {
  const result = runVirtual(
    plan(
      call('search', { behavior: 'hang', timeoutMs: 1_000 }),
      call('summarise', { dependsOn: ['search'] }),
      call('report', { dependsOn: ['summarise'] }),
      call('other', { durationMs: 10 }),
    ),
  );
  assert.equal(byId(result, 'search').outcome, 'timeout');
  assert.equal(byId(result, 'summarise').outcome, 'stranded');
  assert.match(byId(result, 'summarise').reason ?? '', /"search", which timed out/);
  assert.deepEqual(byId(result, 'summarise').waitsFor, ['search']);
  assert.equal(byId(result, 'report').outcome, 'stranded');
  assert.deepEqual(byId(result, 'report').waitsFor, ['summarise']);
  assert.equal(byId(result, 'other').outcome, 'ok');
  assert.deepEqual(
    { completed: result.summary.completed, timedOut: result.summary.timedOut, stranded: result.summary.stranded },
    { completed: 1, timedOut: 1, stranded: 2 },
  );
});

test('error behaviour fails the call and strands dependents', () => {
  const result = runVirtual(plan(call('a', { behavior: 'error', durationMs: 20 }), call('b', { dependsOn: ['a'] })));
  assert.equal(byId(result, 'a').outcome, 'error');
  assert.equal(byId(result, 'a').error?.code, 'TOOL_ERROR');
  assert.equal(byId(result, 'b').outcome, 'stranded');
  assert.equal(result.summary.failed, 1);
});

test('idle timeout is reset by progress', () => {
  const result = runVirtual(
    plan(
      call('chatty', { durationMs: 5_000, progressEveryMs: 400 }),
      call('silent', { durationMs: 5_000 }),
    ),
    { idleTimeoutMs: 1_000 },
  );
  assert.equal(byId(result, 'chatty').outcome, 'ok');
  const silent = byId(result, 'silent');
  assert.equal(silent.outcome, 'timeout');
  assert.equal(silent.error?.code, 'IDLE_TIMEOUT');
  assert.equal(silent.endMs, 1_000);
});

test('run deadline cuts off in-flight calls and strands the rest', () => {
  const result = runVirtual(plan(call('long', { durationMs: 10_000 }), call('next', { dependsOn: ['long'] })), { deadlineMs: 2_500 });
  assert.equal(result.endedBy, 'deadline');
  assert.equal(byId(result, 'long').outcome, 'timeout');
  assert.equal(byId(result, 'long').error?.code, 'DEADLINE');
  assert.equal(byId(result, 'long').endMs, 2_500);
  assert.equal(byId(result, 'next').outcome, 'stranded');
  assert.deepEqual(byId(result, 'next').waitsFor, ['long'], 'it names the dependency still in flight');
});

test('deadline strand names unfinished dependencies', () => {
  const result = runVirtual(
    plan(
      call('crawl', { durationMs: 10_000 }),
      call('cached', { durationMs: 10 }),
      call('index', { dependsOn: ['crawl', 'cached'] }),
      call('publish', { dependsOn: ['index', 'index'] }),
      call('queued', { durationMs: 10 }),
    ),
    { deadlineMs: 1_000, concurrency: 2 },
  );
  assert.equal(byId(result, 'cached').outcome, 'ok');
  assert.deepEqual(byId(result, 'index').waitsFor, ['crawl'], 'a completed dependency is not waited for');
  assert.deepEqual(byId(result, 'publish').waitsFor, ['index'], 'a stranded dependency is named once');
  assert.equal(byId(result, 'queued').outcome, 'ok', 'the second slot runs the independent call');
});

test('lost call with the watchdog off is reported as hung', () => {
  const result = runVirtual(plan(call('gone', { behavior: 'lost', timeoutMs: 100 })), { watchdog: { disabled: true } });
  assert.equal(result.endedBy, 'hung');
  assert.equal(byId(result, 'gone').outcome, 'stranded');
  assert.match(byId(result, 'gone').reason ?? '', /watchdog is off/);
});

test('stop kills in-flight calls and strands pending ones', () => {
  const clock = new VirtualClock();
  const engine = new RunEngine(plan(call('a', { durationMs: 1_000 }), call('b', { dependsOn: ['a'] })), {}, { clock, executor: new SimulatedExecutor() });
  engine.start();
  clock.run(300);
  assert.deepEqual(engine.inflightCalls(), ['a']);
  engine.stop();
  const result = engine.getResult();
  assert.ok(result);
  assert.equal(result.endedBy, 'stopped');
  assert.equal(result.calls[0].outcome, 'killed');
  assert.equal(result.calls[0].error?.code, 'STOPPED');
  assert.equal(result.calls[0].endMs, 300);
  assert.equal(result.calls[1].outcome, 'stranded');
  assert.deepEqual(result.calls[1].waitsFor, ['a']);
});

test('pause freezes the virtual run until resume', () => {
  const clock = new VirtualClock();
  const engine = new RunEngine(plan(call('a', { durationMs: 100 }), call('b', { durationMs: 100, dependsOn: ['a'] })), {}, { clock, executor: new SimulatedExecutor() });
  engine.start();
  engine.pause();
  clock.run();
  assert.equal(engine.isDone, false);
  assert.equal(engine.state().calls[0].status, 'paused');
  engine.resume();
  clock.run();
  assert.equal(engine.isDone, true);
  assert.equal(engine.getResult()?.summary.totalMs, 200);
});

test('replay is deterministic', () => {
  const calls: RunCall[] = [];
  for (let i = 0; i < 200; i++) {
    calls.push(call(`c${i}`, { durationMs: (i * 37) % 101, dependsOn: i >= 3 ? [`c${i - 3}`] : [], locks: i % 5 === 0 ? ['shared'] : [] }));
  }
  const first: RunEvent[] = [];
  const second: RunEvent[] = [];
  runVirtual(plan(...calls), { concurrency: 4 }, { onEvent: (event) => first.push(event) });
  runVirtual(plan(...calls), { concurrency: 4 }, { onEvent: (event) => second.push(event) });
  assert.ok(first.length > 400);
  assert.deepEqual(second, first);
});

test('executor that ends synchronously keeps the engine consistent', () => {
  const instant: CallExecutor = {
    start: (_call, context) => {
      context.finish({ status: 'ok' });
      return { cancel: () => undefined, kill: () => undefined };
    },
  };
  const result = runVirtual(plan(call('a'), call('b', { dependsOn: ['a'] }), call('c', { dependsOn: ['b'] })), {}, { executor: instant });
  assert.equal(result.ok, true);
  assert.equal(result.summary.completed, 3);
});

test('ids like __proto__ and spaces work', () => {
  const result = runVirtual(plan(call('__proto__', { durationMs: 5 }), call('two words', { dependsOn: ['__proto__'] }), call('ключ', { dependsOn: ['two words'] })));
  assert.equal(result.ok, true);
  assert.deepEqual(result.summary.criticalPath.steps, ['__proto__', 'two words', 'ключ']);
});
