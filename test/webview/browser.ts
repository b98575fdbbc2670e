/**
 * Loads the built webview bundle in Debian's Chromium, inside the same HTML and
 * Content-Security-Policy the extension serves, with a fake `acquireVsCodeApi` that records
 * every posted message. The page comes from a local HTTP server bound to 127.0.0.1.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { graphHtml } from '../../src/extension/graph/html';
import type { HostMessage, WebviewMessage } from '../../src/shared/protocol';
import { chromiumFlags, chromiumPath } from '../support/codeServer';
import type { TestTheme } from './themes';

export const REPOSITORY = path.resolve(__dirname, '..', '..');
export const CHROMIUM = chromiumPath;
const CHROMIUM_FLAGS = ['--headless', ...chromiumFlags];

const CONTENT_TYPES = new Map([
  ['.js', 'text/javascript'],
  ['.css', 'text/css'],
  ['.map', 'application/json'],
]);

export interface WebviewHarness {
  browser: Browser;
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the server and the browser. Fails loudly when Chromium or the built bundle is missing. */
export async function startHarness(): Promise<WebviewHarness> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium).`);
  const bundle = path.join(REPOSITORY, 'dist', 'webview', 'webview.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} not found: run "node scripts/build.mjs" first.`);

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const allowed = url.pathname.startsWith('/dist/webview/') || url.pathname.startsWith('/media/');
    const file = path.join(REPOSITORY, path.normalize(url.pathname));
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204);
      response.end();
      return;
    }
    if (url.pathname === '/page.html') {
      const base = `http://${request.headers.host}`;
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        graphHtml({
          cspSource: base,
          nonce: 'test-nonce-0123456789',
          scriptUri: `${base}/dist/webview/webview.js`,
          workerUri: `${base}/dist/webview/layoutWorker.js`,
          styleUri: `${base}/media/graph.css`,
          language: 'en',
          title: 'Dependency graph',
          testHooks: true,
        }),
      );
      return;
    }
    if (!allowed || !file.startsWith(REPOSITORY) || !fs.existsSync(file)) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES.get(path.extname(file)) ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  // Playwright gives every launch a fresh temporary profile and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  return {
    browser,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface GraphPage {
  page: Page;
  /** Messages the webview posted, in order. */
  posted(): Promise<WebviewMessage[]>;
  /** Dialogs (alert, confirm) the page opened; a hostile label must never open one. */
  dialogs: string[];
  /** Console messages that report a Content-Security-Policy violation or a page error. */
  problems: string[];
  send(message: HostMessage): Promise<void>;
  setTheme(theme: TestTheme): Promise<void>;
  /** Waits for the next `agent-deadlock:rendered` event after `action` runs. */
  rendered<T>(action: () => Promise<T>): Promise<unknown>;
  close(): Promise<void>;
}

export async function openGraphPage(harness: WebviewHarness, theme: TestTheme, viewport = { width: 1100, height: 720 }): Promise<GraphPage> {
  const context = await harness.browser.newContext({ viewport });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    const text = message.text();
    if (text.includes('Content Security Policy') || message.type() === 'error') problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(String(error)));

  // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls a
  // `__name` helper that exists only in Node; the page gets a no-op one.
  await page.addInitScript({ content: 'window.__name = (target) => target;' });
  await page.addInitScript(() => {
    const posted: unknown[] = [];
    let state: unknown;
    (window as unknown as { __posted: unknown[] }).__posted = posted;
    (window as unknown as { acquireVsCodeApi(): unknown }).acquireVsCodeApi = () => ({
      postMessage: (message: unknown) => posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => state,
      setState: (value: unknown) => {
        state = value;
      },
    });
  });
  await page.goto(`${harness.baseUrl}/page.html`);
  // The view reads the theme when `init` arrives, so setting it after load is early enough.
  await page.evaluate(
    ({ variables, bodyClass }) => {
      for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
      document.body.classList.add(bodyClass);
    },
    { variables: theme.variables, bodyClass: theme.bodyClass },
  );
  try {
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'), undefined, { timeout: 10_000 });
  } catch (error) {
    throw new Error(`The webview never posted ready. Page problems: ${JSON.stringify(problems)}`, { cause: error });
  }

  const graphPage: GraphPage = {
    page,
    dialogs,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted),
    send: (message) => page.evaluate((data) => window.postMessage(data, '*'), message as unknown),
    async setTheme(next) {
      await page.evaluate(
        ({ variables, bodyClass }) => {
          const root = document.documentElement;
          for (const name of Array.from(root.style)) if (name.startsWith('--vscode-')) root.style.removeProperty(name);
          for (const [name, value] of Object.entries(variables)) root.style.setProperty(name, value);
          document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
          document.body.classList.add(bodyClass);
        },
        { variables: next.variables, bodyClass: next.bodyClass },
      );
      // The theme observer restyles on the next animation frame.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    },
    async rendered(action) {
      const waiting = page.evaluate(
        () => new Promise((resolve) => document.addEventListener('agent-deadlock:rendered', (event) => resolve((event as CustomEvent).detail), { once: true })),
      );
      await action();
      return waiting;
    },
    close: () => context.close(),
  };
  return graphPage;
}

/** Saves a screenshot under test-output/webview/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = path.join(REPOSITORY, 'test-output', 'webview');
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
