/**
 * Helpers for browser end-to-end tests: code-server with the extension loaded, driven in
 * headless Debian Chromium through playwright-core. `docs/testing.md` documents the API.
 *
 * Typical use, in a `test/e2e/*.e2e.test.ts` file run by Node's test runner:
 *
 *   test('cycle shows in Problems', { timeout: 180_000 }, () =>
 *     withWorkbench({ name: 'cycle-problems' }, async (workbench) => {
 *       await workbench.openFile('cyclic.plan.json');
 *       await workbench.waitForProblem(/cycle/);
 *     }));
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';
import {
  createRunFolders,
  launchBrowser,
  removeRunFolders,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
  type RunFolders,
} from '../support/codeServer';

export { repoRoot } from '../support/codeServer';

/** Folder for screenshots and logs of browser tests; gitignored. */
export const testOutputDir = path.join(repoRoot, 'test-output');

/** How the extension under test reaches code-server. */
export type ExtensionSource =
  /** Loaded from a folder as under development (default: the repository, which needs `dist/`). */
  | { developmentPath: string }
  /** Installed from a packaged `.vsix` with `code-server --install-extension`. */
  | { vsix: string }
  /** No extension: a bare workbench. */
  | { none: true };

export interface WorkbenchOptions {
  /** Short name of the test; names the screenshots `test-output/<name>-<step>.png`. */
  name: string;
  /** Folder to open. It is copied into the run folder first, so tests may edit files. Default `examples/`. */
  folder?: string;
  /** Open `folder` itself instead of a copy. */
  openInPlace?: boolean;
  /** Files to write into the opened folder before the workbench starts: relative path to content. */
  files?: Record<string, string>;
  /** Default: `{ developmentPath: repoRoot }`. */
  extension?: ExtensionSource;
  /** User settings, merged over quiet test defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so the extension host. */
  env?: NodeJS.ProcessEnv;
  /** Do not fail on "Content Security Policy" console messages. */
  allowCspViolations?: boolean;
  /** Time for the workbench to appear, in milliseconds (default 60000). */
  startTimeoutMs?: number;
}

export interface ConsoleEntry {
  type: string;
  text: string;
}

/** A running code-server, a Chromium page on its workbench, and helpers to drive it. */
export class Workbench {
  /** Every page console message so far, including those of webview frames. */
  readonly console: ConsoleEntry[] = [];
  private screenshotCount = 0;
  private closed = false;

  constructor(
    readonly options: WorkbenchOptions,
    readonly server: CodeServer,
    readonly browser: BrowserContext,
    readonly page: Page,
    /** Absolute path of the opened folder (the copy, unless `openInPlace`). */
    readonly workspace: string,
    private readonly folders: RunFolders,
  ) {
    page.on('console', (message) => this.console.push({ type: message.type(), text: message.text() }));
    page.on('pageerror', (error) => this.console.push({ type: 'pageerror', text: error.message }));
  }

  /** Console messages that report a Content Security Policy violation. */
  cspViolations(): string[] {
    return this.console.filter((entry) => entry.text.includes('Content Security Policy')).map((entry) => entry.text);
  }

  /** Waits until the workbench and its Explorer are shown. */
  async waitForReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Runs a command from the Command Palette (F1) by its full title as shown there, for example
   * `Markdown: Open Preview to the Side`. It selects the entry whose label is exactly that title
   * (a keybinding may follow it), else the first whose label starts with it, so a missing
   * command fails here instead of running whatever fuzzy match the palette lists first.
   */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const wanted = normalizeLabel(title);
    let labels: string[] = [];
    let match = -1;
    // The palette filters commands by their `when` clauses once, as it opens. A context key
    // such as the active editor's language can be set a moment later, so a palette that lacks
    // the command is closed and opened again until the timeout.
    await assertEventually(
      async () => {
        const input = await this.openQuickInput('F1');
        await input.fill(`>${title}`);
        const deadline = Date.now() + 3_000;
        while (Date.now() < deadline) {
          labels = (await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''))).map(normalizeLabel);
          match = labels.findIndex((label) => label === wanted || label.startsWith(`${wanted},`));
          if (match === -1) match = labels.findIndex((label) => label.startsWith(wanted));
          if (match !== -1) return true;
          await delay(200);
        }
        await this.page.keyboard.press('Escape');
        return false;
      },
      timeoutMs,
      () => `The Command Palette has no command "${title}". It lists: ${labels.slice(0, 8).join(' | ') || '(nothing)'}`,
    );
    await rows.nth(match).click();
  }

  /**
   * Waits until the Command Palette, filtered by `filter`, lists every one of `titles`, and
   * fails with the missing titles and the listed ones after `timeoutMs`. As in `runCommand`,
   * a title matches a label that equals it or that it starts before a comma (a keybinding).
   * Commands of an extension appear only once the workbench has read its manifest, so a
   * palette that lacks some titles is closed and opened again.
   */
  async waitForCommandTitles(filter: string, titles: string[], timeoutMs = 30_000): Promise<void> {
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const wanted = titles.map(normalizeLabel);
    let labels: string[] = [];
    const missing = (): string[] => wanted.filter((title) => !labels.some((label) => label === title || label.startsWith(`${title},`)));
    await assertEventually(
      async () => {
        const input = await this.openQuickInput('F1');
        await input.fill(`>${filter}`);
        const deadline = Date.now() + 3_000;
        let found = false;
        while (!found && Date.now() < deadline) {
          labels = (await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''))).map(normalizeLabel);
          found = missing().length === 0;
          if (!found) await delay(200);
        }
        await this.page.keyboard.press('Escape');
        return found;
      },
      timeoutMs,
      () => `The Command Palette lacks ${missing().map((title) => `"${title}"`).join(', ')}. For "${filter}" it lists: ${labels.join(' | ') || '(nothing)'}`,
    );
  }

  /**
   * Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab. Quick Open
   * may not list a file created a moment ago, so it closes and retries until `timeoutMs`.
   */
  async openFile(relativePath: string, timeoutMs = 30_000): Promise<void> {
    const baseName = path.basename(relativePath);
    const first = this.page.locator('.quick-input-list .monaco-list-row').first();
    let firstLabel = '(none)';
    await assertEventually(
      async () => {
        const input = await this.openQuickInput('Control+P');
        await input.fill(relativePath);
        const deadline = Date.now() + 3_000;
        while (Date.now() < deadline) {
          firstLabel = (await first.getAttribute('aria-label', { timeout: 1_000 }).catch(() => null)) ?? '(none)';
          if (firstLabel.includes(baseName)) {
            await input.press('Enter');
            return true;
          }
          await delay(200);
        }
        await this.page.keyboard.press('Escape');
        return false;
      },
      timeoutMs,
      () => `Quick Open found no file "${relativePath}"; its first entry is "${firstLabel}".`,
    );
    await this.page
      .locator(`.tabs-container .tab.active[aria-label*="${cssString(baseName)}"]`)
      .waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Returns the visible lines of the active text editor, as the editor renders them. A newly
   * opened editor shows its tab before it renders its lines, so this waits for text to appear.
   */
  async editorText(timeoutMs = 10_000): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    let text = '';
    const deadline = Date.now() + timeoutMs;
    do {
      text = (await lines.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      if (text.trim() !== '') break;
      await delay(200);
    } while (Date.now() < deadline);
    return text;
  }

  /** Opens the Problems panel and returns the accessible label of every row (file and marker rows). */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible', timeout: 15_000 });
    const rows = panel.locator('.monaco-list-row');
    const labels: string[] = [];
    for (let index = 0; index < (await rows.count()); index++) {
      labels.push((await rows.nth(index).getAttribute('aria-label')) ?? (await rows.nth(index).innerText()));
    }
    return labels;
  }

  /** Waits until some row of the Problems panel matches `pattern`; returns all rows then. */
  async waitForProblem(pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
    let rows: string[] = [];
    await assertEventually(
      async () => {
        rows = await this.problems();
        return rows.some((row) => pattern.test(row));
      },
      timeoutMs,
      async () => `No problem matches ${pattern}. The Problems panel shows:\n${rows.join('\n') || '(nothing)'}`,
    );
    return rows;
  }

  /** Waits until no row of the Problems panel matches `pattern`; returns all rows then. */
  async waitForNoProblem(pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
    let rows: string[] = [];
    await assertEventually(
      async () => {
        rows = await this.problems();
        return !rows.some((row) => pattern.test(row));
      },
      timeoutMs,
      async () => `A problem still matches ${pattern}. The Problems panel shows:\n${rows.join('\n')}`,
    );
    return rows;
  }

  /** Clicks the first Problems row that matches `pattern`, which moves the cursor to that problem. */
  async openProblem(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    await this.waitForProblem(pattern, timeoutMs);
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    const labels = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
    const index = labels.findIndex((label) => pattern.test(label));
    assert.notEqual(index, -1, `No Problems row matches ${pattern}:\n${labels.join('\n')}`);
    await rows.nth(index).click();
    await rows.nth(index).press('Enter');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor({ timeout: 10_000 }).catch(() => undefined);
  }

  /** Moves the cursor of the active editor to a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    const input = await this.openQuickInput('Control+G');
    await input.fill(`:${line}:${column}`);
    await input.press('Enter');
  }

  /**
   * Opens the Quick Fix menu (Ctrl+.) at the cursor and applies the first action whose title
   * matches `title`. It moves through the menu with the arrow keys, because the menu's overlay
   * intercepts mouse clicks. It fails with the listed titles when none matches.
   */
  async applyQuickFix(title: RegExp, timeoutMs = 15_000): Promise<void> {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const readTitles = (): Promise<string[]> =>
      rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? element.textContent ?? ''));
    let titles: string[] = [];
    await assertEventually(
      async () => {
        if (!(await rows.first().isVisible())) {
          await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
          await this.page.keyboard.press('Control+.');
          await rows.first().waitFor({ state: 'visible', timeout: 3_000 });
        }
        titles = await readTitles();
        return titles.some((text) => title.test(text));
      },
      timeoutMs,
      () => `No quick fix matches ${title}. The menu lists: ${titles.join(' | ') || '(nothing)'}`,
    );

    const target = titles.findIndex((text) => title.test(text));
    const focused = await rows.evaluateAll((elements) => elements.findIndex((element) => element.classList.contains('focused')));
    const key = target >= focused ? 'ArrowDown' : 'ArrowUp';
    for (let step = 0; step < Math.abs(target - Math.max(focused, 0)); step++) await this.page.keyboard.press(key);
    const focusedTitle = await this.page.locator('.action-widget .monaco-list-row.action.focused').getAttribute('aria-label');
    assert.match(focusedTitle ?? '', title, `The Quick Fix menu focused "${focusedTitle}" instead of an action matching ${title}.`);
    await this.page.keyboard.press('Enter');
    await rows.first().waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  /** Counts the error squiggles that the active editor renders (only in its visible lines). */
  async errorSquiggles(): Promise<number> {
    return this.page.locator('.editor-group-container.active .monaco-editor .squiggly-error').count();
  }

  /**
   * Returns the content frame of a webview: the outer `iframe.webview.ready` contains the
   * content in its inner `iframe#active-frame`. With `selector`, it returns the first webview
   * whose content has an element matching it, so a test can tell several webviews apart.
   */
  async webviewFrame(options: { selector?: string; timeoutMs?: number } = {}): Promise<Frame> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const outer of await this.page.locator('iframe.webview.ready').elementHandles()) {
        const outerFrame = await outer.contentFrame();
        const inner = await outerFrame?.$('iframe#active-frame');
        const frame = await inner?.contentFrame();
        if (!frame) continue;
        if (!options.selector || (await frame.$(options.selector))) return frame;
      }
      await delay(250);
    }
    const count = await this.page.locator('iframe.webview.ready').count();
    throw new Error(
      `No webview content frame${options.selector ? ` containing "${options.selector}"` : ''} within ${timeoutMs} ms ` +
        `(${count} ready webview iframe${count === 1 ? '' : 's'} on the page).`,
    );
  }

  /** Saves a screenshot of the page as `test-output/<test name>-<n>-<label>.png` and returns its path. */
  async screenshot(label: string): Promise<string> {
    this.screenshotCount += 1;
    const file = path.join(testOutputDir, `${safeName(this.options.name)}-${this.screenshotCount}-${safeName(label)}.png`);
    fs.mkdirSync(testOutputDir, { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Writes the page console and code-server's output to `test-output/<test name>.log`. */
  saveLogs(): string {
    const file = path.join(testOutputDir, `${safeName(this.options.name)}.log`);
    fs.mkdirSync(testOutputDir, { recursive: true });
    const consoleText = this.console.map((entry) => `[${entry.type}] ${entry.text}`).join('\n');
    fs.writeFileSync(file, `# Page console\n${consoleText}\n\n# code-server output\n${this.server.output()}\n`);
    return file;
  }

  /** Closes Chromium, stops code-server's process group and removes the run folder. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    if (process.env.KEEP_TEST_FOLDERS === '1') {
      console.log(`Kept the run folder ${this.folders.root}`);
    } else {
      removeRunFolders(this.folders);
    }
  }

  private async openQuickInput(shortcut: string): Promise<Locator> {
    const input = this.page.locator('.quick-input-widget input');
    // Keyboard shortcuts reach the workbench only while it has focus.
    await this.page.locator('.monaco-workbench').focus().catch(() => undefined);
    await this.page.keyboard.press(shortcut);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    return input;
  }
}

/**
 * Starts code-server on a free 127.0.0.1 port with the extension, opens the folder in headless
 * Chromium, and waits for the workbench. Call `close()` when done, or use `withWorkbench`.
 */
export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const folders = createRunFolders(undefined, `agent-deadlock-e2e-${safeName(options.name)}-`);
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  try {
    const source = options.folder ?? path.join(repoRoot, 'examples');
    let workspace = path.resolve(source);
    if (!options.openInPlace) {
      workspace = path.join(folders.root, 'workspace', path.basename(source));
      fs.cpSync(source, workspace, { recursive: true });
    }
    for (const [relative, content] of Object.entries(options.files ?? {})) {
      const file = path.join(workspace, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }

    const extension = options.extension ?? { developmentPath: repoRoot };
    if ('developmentPath' in extension) {
      const bundle = path.join(extension.developmentPath, 'dist', 'extension.js');
      if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing. Build the extension with \`npm run build\`.`);
    }
    server = await startCodeServer({
      folders,
      env: options.env,
      settings: options.settings,
      vsixFiles: 'vsix' in extension ? [extension.vsix] : [],
    });
    browser = await launchBrowser({ folders });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const workbench = new Workbench(options, server, browser, page, workspace, folders);
    const url = workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: 'developmentPath' in extension ? extension.developmentPath : undefined,
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await workbench.waitForReady(options.startTimeoutMs ?? 60_000);
    return workbench;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    removeRunFolders(folders);
    throw error;
  }
}

/**
 * Runs `body` against a fresh workbench and always stops it. On failure it saves a screenshot
 * and the logs under `test-output/`. After `body` succeeds it fails when the page logged a
 * Content Security Policy violation, unless `allowCspViolations` is set.
 */
export async function withWorkbench(options: WorkbenchOptions, body: (workbench: Workbench) => Promise<void>): Promise<void> {
  const workbench = await openWorkbench(options);
  try {
    await body(workbench);
    if (!options.allowCspViolations) {
      assert.deepEqual(workbench.cspViolations(), [], 'The page logged Content Security Policy violations.');
    }
  } catch (error) {
    const screenshot = await workbench.screenshot('failure').catch(() => undefined);
    const logs = workbench.saveLogs();
    const saved = [screenshot, logs].filter(Boolean).join(' and ');
    if (error instanceof Error) error.message += `\n(Saved ${saved}.)`;
    throw error;
  } finally {
    await workbench.close();
  }
}

/** Polls `condition` every 250 ms until it returns true, and fails with `describe()` after `timeoutMs`. */
export async function assertEventually(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // The element may be re-rendering; try again until the deadline.
    }
    if (Date.now() > deadline) throw new Error(await describe());
    await delay(250);
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function normalizeLabel(label: string | null): string {
  return (label ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
}

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
