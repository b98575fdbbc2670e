/**
 * A stand-in for the desktop `code` executable that runs extension tests in code-server.
 *
 * `@vscode/test-electron`'s `runTests({ vscodeExecutablePath })` starts this with the flags it
 * gives a desktop VS Code. The shim starts code-server on a free 127.0.0.1 port and opens the
 * workbench in headless Chromium with the development and test paths in the URL's `payload`.
 * It prints the test runner's output and exits with the code that the workbench passes
 * to `window.codeAutomationExit`. The environment it receives reaches the extension host, plus
 * `VSCODE_SHIM_CONSOLE_MARKER`: lines that a test runner logs with that prefix are printed to
 * stdout, and the rest of the page console only with VSCODE_SHIM_VERBOSE=1.
 *
 * Environment:
 *   VSCODE_SHIM_TIMEOUT_MS  time limit for the tests once the workbench page opens, in ms
 *                           (default 300000); on expiry the shim exits with 124
 *   VSCODE_SHIM_VERBOSE=1   also print workbench console messages and code-server's output
 *   VSCODE_SHIM_KEEP=1      keep the run folder (logs, user data) instead of removing it
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import {
  createRunFolders,
  launchBrowser,
  markedLine,
  removeRunFolders,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
  type RunFolders,
} from './codeServer';

export interface ShimArguments {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
  ignored: string[];
}

/** Flags of a desktop VS Code that have no meaning for code-server in a headless browser. */
const ignoredBooleanFlags = new Set([
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-gpu',
  '--disable-updates',
  '--skip-welcome',
  '--skip-release-notes',
  '--disable-workspace-trust',
  '--disable-extensions',
  '--disable-telemetry',
  '--new-window',
  '--wait',
]);

/** Parses the command line that `runTests` builds; values may follow `=` or come as the next argument. */
export function parseShimArguments(argv: string[]): ShimArguments {
  const result: ShimArguments = { extensionDevelopmentPaths: [], ignored: [] };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (!argument.startsWith('--')) {
      if (result.folder !== undefined) {
        throw new Error(`Only one folder can be opened, but both ${result.folder} and ${argument} were given.`);
      }
      result.folder = argument;
      continue;
    }
    const equals = argument.indexOf('=');
    const name = equals === -1 ? argument : argument.slice(0, equals);
    const takeValue = (): string => {
      if (equals !== -1) return argument.slice(equals + 1);
      const next = argv[++index];
      if (next === undefined) throw new Error(`The flag ${name} needs a value.`);
      return next;
    };
    switch (name) {
      case '--extensionDevelopmentPath':
        result.extensionDevelopmentPaths.push(takeValue());
        break;
      case '--extensionTestsPath':
        result.extensionTestsPath = takeValue();
        break;
      case '--user-data-dir':
        result.userDataDir = takeValue();
        break;
      case '--extensions-dir':
        result.extensionsDir = takeValue();
        break;
      default:
        if (!ignoredBooleanFlags.has(name)) result.ignored.push(argument);
    }
  }
  return result;
}

/**
 * Tells whether a workbench console error is expected on a machine without internet access:
 * the extension gallery lookup and the missing `vsda` signing module of code-server.
 */
function isExpectedNoise(text: string): boolean {
  return /open-vsx\.org|ERR_NAME_NOT_RESOLVED|status of 404/.test(text);
}

function runFoldersFor(parsed: ShimArguments): { folders: RunFolders; temporaryRoot: string } {
  const temporaryRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-vscode-shim-'));
  const folders = createRunFolders(temporaryRoot);
  // Folders given on the command line win, so a caller can keep or inspect them.
  if (parsed.userDataDir) {
    folders.userDataDir = path.resolve(parsed.userDataDir);
    fs.mkdirSync(folders.userDataDir, { recursive: true });
  }
  if (parsed.extensionsDir) {
    folders.extensionsDir = path.resolve(parsed.extensionsDir);
    fs.mkdirSync(folders.extensionsDir, { recursive: true });
  }
  return { folders, temporaryRoot };
}

async function main(): Promise<number> {
  const parsed = parseShimArguments(process.argv.slice(2));
  const verbose = process.env.VSCODE_SHIM_VERBOSE === '1';
  const timeoutMs = Number(process.env.VSCODE_SHIM_TIMEOUT_MS ?? 300_000);
  if (parsed.ignored.length > 0) {
    console.error(`[vscode-shim] Ignoring flags that code-server has no use for: ${parsed.ignored.join(' ')}`);
  }
  if (parsed.extensionDevelopmentPaths.length > 1) {
    throw new Error('The code-server shim loads one --extensionDevelopmentPath; the web workbench takes only one.');
  }
  for (const [label, value] of [
    ['--extensionDevelopmentPath', parsed.extensionDevelopmentPaths[0]],
    ['--extensionTestsPath', parsed.extensionTestsPath],
    ['folder', parsed.folder],
  ] as const) {
    if (value !== undefined && !fs.existsSync(value)) throw new Error(`The ${label} ${value} does not exist.`);
  }

  const { folders, temporaryRoot } = runFoldersFor(parsed);
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let timer: NodeJS.Timeout | undefined;
  const workbenchErrors: string[] = [];

  const cleanUp = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (process.env.VSCODE_SHIM_KEEP === '1') {
      console.error(`[vscode-shim] Kept the run folder ${temporaryRoot}`);
    } else {
      removeRunFolders(folders);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    console.error(`[vscode-shim] Received ${signal}; stopping code-server and Chromium.`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const started = Date.now();
    // Test runners that print through the page console prefix their lines with this marker.
    const marker = `[vscode-shim ${randomUUID().slice(0, 8)}] `;
    server = await startCodeServer({ folders, env: { ...process.env, VSCODE_SHIM_CONSOLE_MARKER: marker } });
    browser = await launchBrowser({ folders });
    const page = browser.pages()[0] ?? (await browser.newPage());

    let reportExit: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => {
      reportExit = resolve;
      timer = setTimeout(() => {
        console.error(`[vscode-shim] Timed out after ${timeoutMs} ms waiting for the tests to finish.`);
        resolve(124);
      }, timeoutMs);
    });
    // The binding must exist before the workbench loads, which calls it when the tests end.
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(Number(code)));
    page.on('console', (message) => {
      const text = message.text();
      const line = markedLine(text, marker);
      if (line !== undefined) {
        process.stdout.write(`${line}\n`);
      } else if (verbose) {
        process.stderr.write(`[workbench ${message.type()}] ${text}\n`);
      } else if (message.type() === 'error' && !isExpectedNoise(text)) {
        workbenchErrors.push(text);
      }
    });
    page.on('pageerror', (error) => workbenchErrors.push(`page error: ${error.message}`));

    const url = workbenchUrl(server, {
      folder: parsed.folder,
      extensionDevelopmentPath: parsed.extensionDevelopmentPaths[0],
      extensionTestsPath: parsed.extensionTestsPath,
    });
    if (verbose) console.error(`[vscode-shim] Opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    const code = await exitCode;
    console.log(`[vscode-shim] Finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (code !== 0) {
      const screenshot = path.join(repoRoot, 'test-output', 'vscode-shim-failure.png');
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot }).then(
        () => console.error(`[vscode-shim] Saved a screenshot of the workbench to ${screenshot}`),
        () => undefined,
      );
      if (workbenchErrors.length > 0) {
        console.error(`[vscode-shim] Last workbench console errors:\n${workbenchErrors.slice(-15).join('\n')}`);
      }
    }
    if (verbose || code !== 0) {
      const lines = server.output().split('\n');
      console.error(`[vscode-shim] code-server output (last ${Math.min(lines.length, 80)} lines):\n${lines.slice(-80).join('\n')}`);
    }
    return code;
  } finally {
    await cleanUp();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`[vscode-shim] ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
