import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEventually, withWorkbench } from './harness';

const PLAN = `${JSON.stringify(
  {
    name: 'e2e watchdog run',
    steps: [
      { id: 'fetch_docs', tool: 'web_fetch', behavior: 'hang', timeout_ms: 9_000 },
      { id: 'search', tool: 'web_search', duration_ms: 2_000 },
      { id: 'summarise', tool: 'llm', duration_ms: 500, depends_on: ['search'] },
    ],
  },
  null,
  2,
)}\n`;

/** Reads the age in seconds of the call the run status bar item names, such as `· fetch_docs 1.5s/6.0s`. */
function ageIn(text: string): number | undefined {
  const match = /· (\S+) (\d+(?:\.\d+)?)s\/(\d+(?:\.\d+)?)s/.exec(text);
  return match ? Number(match[2]) : undefined;
}

test('run from the command shows advancing ages', { timeout: 240_000 }, () =>
  withWorkbench({ name: 'run-watchdog', files: { 'watchdog.plan.json': PLAN }, settings: { 'agentDeadlock.run.clock': 'real' } }, async (workbench) => {
    await workbench.openFile('watchdog.plan.json');
    await workbench.runCommand('Agent Deadlock: Run with Watchdog');

    const item = workbench.page.locator('.statusbar-item').filter({ hasText: /Run: \d+ in flight/ }).first();
    let first = '';
    await assertEventually(
      async () => {
        first = (await item.innerText({ timeout: 1_000 })).trim();
        return ageIn(first) !== undefined;
      },
      30_000,
      () => `No run status bar item with a call age appeared; last text "${first}".`,
    );
    const firstAge = ageIn(first) as number;
    await workbench.screenshot('ages-first');

    let later = '';
    await assertEventually(
      async () => {
        later = (await item.innerText({ timeout: 1_000 })).trim();
        const age = ageIn(later);
        return age !== undefined && age >= firstAge + 1;
      },
      15_000,
      () => `The call age did not advance by a second: first "${first}", then "${later}".`,
    );
    await workbench.screenshot('ages-later');

    // The run's trace is followed in the Agent Calls view, where the hung call shows its age.
    const row = workbench.page.locator('.monaco-list-row').filter({ hasText: 'fetch_docs' }).filter({ hasText: /running/ }).first();
    let rowText = '';
    const rowAge = (text: string): number | undefined => {
      const match = /running (\d+) (ms|s)/.exec(text);
      if (!match) return undefined;
      return match[2] === 's' ? Number(match[1]) * 1000 : Number(match[1]);
    };
    await assertEventually(
      async () => {
        rowText = (await row.innerText({ timeout: 1_000 })).replace(/\s+/g, ' ');
        return rowAge(rowText) !== undefined;
      },
      15_000,
      () => `The Agent Calls view shows no running fetch_docs row; last text "${rowText}".`,
    );
    const viewAge = rowAge(rowText) as number;
    assert.match(rowText, /timeout 9 s/);
    await assertEventually(
      async () => {
        rowText = (await row.innerText({ timeout: 1_000 })).replace(/\s+/g, ' ');
        return (rowAge(rowText) ?? 0) >= viewAge + 1_000;
      },
      10_000,
      () => `The age in the Agent Calls view did not advance: first ${viewAge} ms, then "${rowText}".`,
    );
    await workbench.screenshot('agent-calls');

    // The hung call times out at 9 s, so the run ends and the status bar shows the outcome.
    const done = workbench.page.locator('.statusbar-item').filter({ hasText: /Run: 1 of 3 calls did not complete/ }).first();
    await done.waitFor({ state: 'visible', timeout: 30_000 });
    const frame = await workbench.webviewFrame({ selector: 'h1', timeoutMs: 30_000 });
    assert.match(await frame.locator('h1').innerText(), /Run summary: e2e watchdog run/);
    assert.match(await frame.locator('body').innerText(), /Tool "web_fetch" timed out after 9000 ms/);
    const links = await frame.locator('a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('data-href') ?? anchor.getAttribute('href') ?? ''));
    assert.ok(links.some((link) => /watchdog\.plan\.json#L4$/.test(link)), `No link to the fetch_docs step: ${links.join(', ')}`);
    await workbench.screenshot('summary');
  }),
);

/** One call that hangs for a long time, so both status bar items show its age. */
const HANGING_PLAN = `${JSON.stringify({ name: 'e2e status bar ages', steps: [{ id: 'stuck_call', tool: 'web_fetch', behavior: 'hang', timeout_ms: 60_000 }] }, null, 2)}\n`;

test('status bar items show one age', { timeout: 240_000 }, () =>
  withWorkbench(
    {
      name: 'run-status-ages',
      files: { 'hanging.plan.json': HANGING_PLAN },
      // At twice the wall-clock speed, ages measured on the wall clock are half the run's.
      settings: { 'agentDeadlock.run.clock': 'real', 'agentDeadlock.run.speed': 2 },
    },
    async (workbench) => {
      await workbench.openFile('hanging.plan.json');
      await workbench.runCommand('Agent Deadlock: Run with Watchdog');

      /** Reads both items in one step, so they come from the same rendering of the status bar. */
      const readAges = async (): Promise<{ run?: string; trace?: string; texts: string[] }> => {
        const texts = await workbench.page.evaluate(() => [...document.querySelectorAll('.statusbar-item')].map((item) => (item.textContent ?? '').trim()));
        const run = texts.map((text) => /Run: 1 in flight · stuck_call (\S+)\//.exec(text)?.[1]).find((age) => age !== undefined);
        const trace = texts.map((text) => /1 running, oldest (\S+(?: ms| s)?)/.exec(text)?.[1]).find((age) => age !== undefined);
        return { run, trace, texts };
      };
      let last: Awaited<ReturnType<typeof readAges>> = { texts: [] };
      await assertEventually(
        async () => {
          last = await readAges();
          return last.run !== undefined && last.trace !== undefined;
        },
        30_000,
        () => `The run item and the Agent Calls item do not both show an age: ${JSON.stringify(last.texts)}`,
      );

      // Both items update in the same tick, but the workbench may render one before the
      // other, so most samples, not all, must agree.
      const samples: string[] = [];
      let agreeing = 0;
      for (let sample = 0; sample < 10; sample++) {
        const ages = await readAges();
        samples.push(`${ages.run} / ${ages.trace}`);
        if (ages.run !== undefined && ages.run === ages.trace) agreeing++;
        await workbench.page.waitForTimeout(300);
      }
      await workbench.screenshot('status-ages');
      assert.ok(agreeing >= 7, `The two items agreed in ${agreeing} of 10 samples (run / trace): ${samples.join(', ')}`);
      const first = Number.parseFloat(samples[0]);
      const later = Number.parseFloat(samples[samples.length - 1]);
      assert.ok(later > first, `The ages did not advance: ${samples.join(', ')}`);

      // The Agent Calls view measures on the run's clock too. It refreshes once a wall-clock
      // second, which is two run seconds here, and shows whole seconds.
      const row = workbench.page.locator('.monaco-list-row').filter({ hasText: 'web_fetch stuck_call' }).first();
      let compared = '';
      await assertEventually(
        async () => {
          const ages = await readAges();
          const rowText = (await row.innerText({ timeout: 1_000 })).replace(/\s+/g, ' ');
          const rowAge = /running (\d+) s/.exec(rowText)?.[1];
          compared = `run item ${ages.run}, Agent Calls row "${rowText}"`;
          if (ages.run === undefined || rowAge === undefined) return false;
          const runSeconds = Number.parseFloat(ages.run);
          return runSeconds >= 16 && Math.abs(runSeconds - Number(rowAge)) <= 3;
        },
        30_000,
        () => `The Agent Calls row does not show the run's age: ${compared}`,
      );
      await workbench.runCommand('Agent Deadlock: Stop Run');
    },
  ),
);

/** `search` fails, so `summarise` and `report` behind it can never start. */
const STRANDING_PLAN = `${JSON.stringify(
  {
    name: 'e2e stranded steps',
    steps: [
      { id: 'fetch_docs', tool: 'web_fetch', duration_ms: 300 },
      { id: 'search', tool: 'web_search', behavior: 'error', duration_ms: 500 },
      { id: 'summarise', tool: 'llm', duration_ms: 500, depends_on: ['search'] },
      { id: 'report', tool: 'write_file', duration_ms: 100, depends_on: ['summarise'] },
    ],
  },
  null,
  2,
)}\n`;

test('agent calls list steps stranded before start', { timeout: 240_000 }, () =>
  withWorkbench({ name: 'run-stranded', files: { 'stranding.plan.json': STRANDING_PLAN }, settings: { 'agentDeadlock.run.clock': 'real' } }, async (workbench) => {
    await workbench.openFile('stranding.plan.json');
    await workbench.runCommand('Agent Deadlock: Run with Watchdog');
    await workbench.page.locator('.statusbar-item').filter({ hasText: /Run: 3 of 4 calls did not complete/ }).first().waitFor({ state: 'visible', timeout: 60_000 });

    // Rows are found by their label, the tool and the call id.
    const row = (label: string) => workbench.page.locator('.monaco-list-row').filter({ hasText: label }).first();
    const rowText = async (label: string): Promise<string> => (await row(label).innerText({ timeout: 1_000 })).replace(/\s+/g, ' ');
    let summarise = '';
    await assertEventually(
      async () => {
        summarise = await rowText('llm summarise').catch(() => '');
        return /stranded, never started/.test(summarise);
      },
      20_000,
      () => `The Agent Calls view has no stranded row for summarise; last text "${summarise}".`,
    );
    assert.match(summarise, /stranded, never started · waits for search/);
    assert.match(await rowText('write_file report'), /stranded, never started · waits for summarise/);
    assert.doesNotMatch(await rowText('web_fetch fetch_docs'), /stranded/);
    await workbench.screenshot('stranded-rows');

    // The tooltip names the cause: the failed call the step waited for.
    await row('llm summarise').hover();
    const hover = workbench.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Never started' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    // Markdown tooltips turn spaces into non-breaking spaces.
    assert.match((await hover.innerText()).replace(/\s+/g, ' '), /Never started: it waits for "search", which failed\./);
    await workbench.screenshot('stranded-tooltip');
  }),
);
