import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunSession } from '../../../src/node/run/session';
import type { RunCall, RunSource } from '../../../src/core/run/types';
import { decodeRunTrace } from '../../../src/core/run/traceOut';

/** Returns the pids of live processes in a process group, read from /proc (zombies excluded). */
function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // The process ended while we listed /proc.
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const group = Number(fields[2]);
    if (group === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

function step(id: string, command: string, timeoutMs: number): RunCall {
  return { id, tool: 'shell', dependsOn: [], locks: [], command, timeoutMs };
}

test('real commands: every process of each group is gone within timeout plus grace', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-process-'));
  const marker = path.join(workspace, 'grandchild.pid');
  const source: RunSource = {
    kind: 'plan',
    calls: [
      step('sleeper', 'sleep 1000', 400),
      step('spawner', `sleep 1000 & echo $! > ${JSON.stringify(marker)}; echo started; wait`, 400),
      step('stubborn', "trap '' TERM; sleep 1000", 400),
      step('quick', 'echo hello; echo oops >&2', 5_000),
      step('failing', 'exit 3', 5_000),
    ],
  };
  const groups = new Map<string, number>();
  const tracePath = path.join(workspace, 'run.jsonl');
  const session = new RunSession(source, {
    clock: 'real',
    allowCommands: true,
    cwd: workspace,
    killGraceMs: 300,
    watchdog: { intervalMs: 100, graceMs: 5_000 },
    tracePath,
    onSpawn: (call, pid) => groups.set(call.id, pid),
  });
  const started = performance.now();
  session.start();
  const result = await session.done;
  const elapsed = performance.now() - started;

  const outcome = (id: string) => result.calls.find((entry) => entry.id === id);
  assert.equal(outcome('sleeper')?.outcome, 'timeout');
  assert.equal(outcome('sleeper')?.error?.code, 'TIMEOUT');
  assert.equal(outcome('spawner')?.outcome, 'timeout');
  assert.match(outcome('spawner')?.output ?? '', /started/);
  assert.equal(outcome('stubborn')?.outcome, 'timeout');
  assert.equal(outcome('stubborn')?.signal, 'SIGKILL');
  assert.equal(outcome('quick')?.outcome, 'ok');
  assert.equal(outcome('quick')?.output, 'hello\noops\n');
  assert.equal(outcome('failing')?.outcome, 'error');
  assert.equal(outcome('failing')?.exitCode, 3);
  assert.ok(elapsed < 400 + 300 + 1_000, `run took ${Math.round(elapsed)} ms, more than timeout + grace + 1 s`);

  assert.equal(groups.size, 5);
  // SIGKILL is asynchronous: give the kernel a moment to remove the processes.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const grandchild = Number(fs.readFileSync(marker, 'utf8').trim());
  assert.ok(grandchild > 0, 'the grandchild wrote its pid');
  for (const [id, pgid] of groups) assert.deepEqual(liveMembers(pgid), [], `processes left in the group of ${id}`);
  assert.equal(fs.existsSync(`/proc/${grandchild}`) && !/\) Z/.test(fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8')), false, 'grandchild survived');

  const lines = decodeRunTrace(fs.readFileSync(tracePath, 'utf8'));
  assert.equal(lines[0].type, 'trace.start');
  assert.equal(lines.at(-1)?.type, 'run.end');
  assert.equal(lines.filter((line) => line.type === 'call.end').length, 5);
  assert.ok(lines.some((line) => line.type === 'run.output' && line.call === 'quick' && line.text === 'hello\n'));
  fs.rmSync(workspace, { recursive: true, force: true });
});

test('real commands: watchdog kills a group that outlives its timeout', async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'run-watchdog-'));
  const groups = new Map<string, number>();
  // A grace of 10 s means only the watchdog (max 600 ms) can end the stubborn command in time.
  const session = new RunSession(
    { kind: 'plan', calls: [step('stubborn', "trap '' TERM; sleep 1000 & wait; sleep 1000", 300)] },
    { clock: 'real', allowCommands: true, cwd: workspace, killGraceMs: 10_000, watchdog: { intervalMs: 50, maxDurationMs: 600 }, onSpawn: (call, pid) => groups.set(call.id, pid) },
  );
  const started = performance.now();
  session.start();
  const result = await session.done;
  assert.ok(performance.now() - started < 2_000);
  assert.equal(result.calls[0].outcome, 'killed');
  assert.equal(result.kills.length, 1);
  assert.ok(result.kills[0].ageMs >= 600);
  assert.ok(result.kills[0].ageMs < 900);
  // SIGKILL is asynchronous: give the kernel a moment to remove the processes.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(liveMembers(groups.get('stubborn') as number), []);
  fs.rmSync(workspace, { recursive: true, force: true });
});
