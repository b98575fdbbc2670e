/**
 * Starts code-server (VS Code 1.100 as a server plus the web workbench) and Debian's Chromium
 * for the tests that need a real VS Code. Shared by the `@vscode/test-electron` shim
 * (`test/support/vscodeShim.ts`) and the browser end-to-end harness (`test/e2e/harness.ts`).
 *
 * Every run gets a private folder for HOME, XDG folders, TMPDIR, user data and extensions, so
 * nothing is written to the real home or /tmp. code-server runs in its own process group,
 * which `stop()` signals as a whole, so the extension host and pty host end with it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for Debian's Chromium in a container: no sandbox, GPU, background traffic or /dev/shm. */
export const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings that keep the workbench quiet and deterministic in tests. */
const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

/**
 * Returns the code-server executable: `CODE_SERVER_EXECUTABLE`, else the install made by
 * `scripts/setup-code-server.sh` under `CODE_SERVER_DIR` (default `.vscode-test/code-server`).
 * Throws with the setup command when it is missing.
 */
export function findCodeServer(): string {
  const explicit = process.env.CODE_SERVER_EXECUTABLE;
  if (explicit) {
    if (!fs.existsSync(explicit)) {
      throw new Error(`CODE_SERVER_EXECUTABLE=${explicit} does not exist. Unset it or point it at a code-server binary.`);
    }
    return explicit;
  }
  const installDir = process.env.CODE_SERVER_DIR ?? path.join(repoRoot, '.vscode-test', 'code-server');
  const executable = path.join(installDir, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(executable)) {
    throw new Error(
      `code-server is not installed at ${executable}. Run \`bash scripts/setup-code-server.sh\` ` +
        '(it installs code-server 4.100.3 from npm), or set CODE_SERVER_DIR to an existing install.',
    );
  }
  return executable;
}

/** Checks that Debian's Chromium exists, and throws with the install command when it does not. */
export function assertChromium(): void {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium was not found at ${chromiumPath}. Install it with \`apt-get install -y chromium\`, ` +
        'or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('No free port on 127.0.0.1.'))));
    });
  });
}

/** Private folders of one run. `env` points HOME, XDG_* and TMPDIR into them. */
export interface RunFolders {
  root: string;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  browserProfile: string;
  env: NodeJS.ProcessEnv;
}

/** Creates the private folders of one run under `root`, or under a new folder in os.tmpdir(). */
export function createRunFolders(root?: string, prefix = 'agent-deadlock-run-'): RunFolders {
  const base = root ?? fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const folder = (name: string): string => {
    const full = path.join(base, name);
    fs.mkdirSync(full, { recursive: true });
    return full;
  };
  const home = folder('home');
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: folder('home/.config'),
    XDG_DATA_HOME: folder('home/.local/share'),
    XDG_CACHE_HOME: folder('home/.cache'),
    XDG_RUNTIME_DIR: folder('runtime'),
    TMPDIR: folder('tmp'),
  };
  return {
    root: base,
    home,
    userDataDir: folder('user-data'),
    extensionsDir: folder('extensions'),
    browserProfile: folder('browser-profile'),
    env,
  };
}

/** Writes user settings into a code-server user-data folder, merged over the quiet defaults. */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...defaultSettings, ...settings }, null, 2));
}

export interface CodeServerOptions {
  /** Folder of user data, extensions and HOME; created when absent. */
  folders?: RunFolders;
  /** Extra environment for code-server; it reaches the extension host. */
  env?: NodeJS.ProcessEnv;
  /** `.vsix` files installed with `--install-extension` before the server starts. */
  vsixFiles?: string[];
  /** User settings merged over the quiet test defaults. */
  settings?: Record<string, unknown>;
  /** How long to wait for `/healthz`, in milliseconds. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  port: number;
  /** `http://127.0.0.1:PORT` with no trailing slash. */
  origin: string;
  folders: RunFolders;
  process: ChildProcess;
  /** Everything code-server printed so far (stdout and stderr). */
  output(): string;
  /** Stops the whole process group: SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

function codeServerEnv(folders: RunFolders, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, ...folders.env };
  // A VS Code terminal or test host may have set these; they would redirect the server.
  for (const name of ['ELECTRON_RUN_AS_NODE', 'VSCODE_IPC_HOOK_CLI', 'VSCODE_CWD', 'VSCODE_NLS_CONFIG', 'PORT', 'PASSWORD']) {
    delete env[name];
  }
  return env;
}

/** Installs `.vsix` files into the run's extension folder with code-server's own CLI. */
export function installVsix(folders: RunFolders, vsixFiles: string[]): void {
  const executable = findCodeServer();
  for (const vsix of vsixFiles) {
    if (!fs.existsSync(vsix)) {
      throw new Error(`The extension package ${vsix} does not exist. Build it with \`npm run package\`.`);
    }
    const result = spawnSync(
      executable,
      ['--user-data-dir', folders.userDataDir, '--extensions-dir', folders.extensionsDir, '--install-extension', vsix, '--force'],
      { env: codeServerEnv(folders), encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
  }
}

async function waitForHealth(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before it became ready.`);
    }
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms.`);
}

/** Servers not yet stopped; killed when this process exits, so a crashed test leaves none behind. */
const liveServers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveServers) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Starts code-server on a free 127.0.0.1 port with authentication off, and waits until
 * `/healthz` answers. It retries on a new port when another process took the port first.
 */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const executable = findCodeServer();
  const folders = options.folders ?? createRunFolders();
  writeUserSettings(folders.userDataDir, options.settings);
  if (options.vsixFiles?.length) installVsix(folders, options.vsixFiles);

  // A config file that holds only comments is rejected, so it names one real setting.
  const configFile = path.join(folders.root, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');

  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const args = [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', folders.userDataDir,
      '--extensions-dir', folders.extensionsDir,
      '--config', configFile,
    ];
    const child = spawn(executable, args, {
      cwd: folders.home,
      env: codeServerEnv(folders, options.env),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    liveServers.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return exited;
      stopped = true;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      // The extension host and pty host may outlive the server by a moment.
      killGroup(child, 'SIGKILL');
      liveServers.delete(child);
    };

    try {
      await waitForHealth(origin, child, options.startTimeoutMs ?? 30_000);
      return { port, origin, folders, process: child, output: () => output, stop };
    } catch (error) {
      lastError = new Error(`${(error as Error).message}\ncode-server output:\n${output}`);
      await stop();
      if (!/EADDRINUSE/.test(output)) break;
    }
  }
  throw lastError;
}

/** Encodes an absolute server path as the `vscode-remote://` URI the web workbench requires. */
export function remoteUri(server: CodeServer, absolutePath: string): string {
  const encoded = path
    .resolve(absolutePath)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `vscode-remote://127.0.0.1:${server.port}${encoded}`;
}

export interface WorkbenchUrlOptions {
  /** Folder to open, as an absolute path on the server. */
  folder?: string;
  /** Extension folder loaded as under development (`extensionDevelopmentPath`). */
  extensionDevelopmentPath?: string;
  /** Test runner module whose `run()` the extension host calls (`extensionTestsPath`). */
  extensionTestsPath?: string;
}

/**
 * Builds the workbench URL. The web workbench reads development and test paths from the
 * `payload` query parameter: a JSON array of [name, value] pairs with `vscode-remote://` URIs.
 */
export function workbenchUrl(server: CodeServer, options: WorkbenchUrlOptions = {}): string {
  const payload: Array<[string, string]> = [
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  if (options.extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, options.extensionDevelopmentPath)]);
  }
  if (options.extensionTestsPath) {
    payload.push(['extensionTestsPath', remoteUri(server, options.extensionTestsPath)]);
  }
  const query = new URLSearchParams();
  if (options.folder) query.set('folder', path.resolve(options.folder));
  query.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${query.toString()}`;
}

export interface BrowserOptions {
  folders: RunFolders;
  viewport?: { width: number; height: number };
}

/** Launches headless Debian Chromium with a fresh profile inside the run's folders. */
export async function launchBrowser(options: BrowserOptions): Promise<BrowserContext> {
  assertChromium();
  return chromium.launchPersistentContext(options.folders.browserProfile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    env: { ...process.env, ...options.folders.env },
    viewport: options.viewport ?? { width: 1400, height: 900 },
    timeout: 60_000,
  });
}

/**
 * Returns the text after `marker` in a page console message, or undefined when the message
 * does not contain it. The extension host's `console.log` reaches the page console in the
 * workbench's log format (`%c INFO color: #33f <text>` in code-server 4.100.3), the same as
 * the workbench's own messages, so the test runner prefixes its lines with a marker.
 */
export function markedLine(text: string, marker: string): string | undefined {
  const index = text.indexOf(marker);
  return index === -1 ? undefined : text.slice(index + marker.length);
}

/** Removes a run's folders; ignores folders that are already gone. */
export function removeRunFolders(folders: RunFolders): void {
  fs.rmSync(folders.root, { recursive: true, force: true, maxRetries: 3 });
}
