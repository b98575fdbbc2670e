/**
 * Runs the extension-host tests (`test/vscode/suite/*.test.ts`, bundled by
 * `scripts/build-tests.mjs`) in a real VS Code through `@vscode/test-electron`'s `runTests`.
 *
 * - With `VSCODE_EXECUTABLE` set to a desktop VS Code binary, that VS Code runs them.
 * - Otherwise `scripts/code-vscode-shim` does: code-server 4.100 (VS Code 1.100) in headless
 *   Chromium, installed by `scripts/setup-code-server.sh`. `runTests` would otherwise try to
 *   download VS Code, which fails on machines that reach only npm and Debian.
 *
 * The tests open a fresh copy of `examples/`, so they may edit and save files freely.
 * Environment: AGENT_DEADLOCK_TEST_GREP filters tests by title; KEEP_TEST_FOLDERS=1 keeps the
 * run folder (user data with logs, the workspace copy, the results file).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js');
  for (const [file, command] of [
    [path.join(repoRoot, 'dist', 'extension.js'), 'npm run build'],
    [extensionTestsPath, 'node scripts/build-tests.mjs'],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(repoRoot, file)} is missing. Build it with \`${command}\`.`);
  }

  const runRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-vscode-test-'));
  const workspace = path.join(runRoot, 'workspace');
  const userDataDir = path.join(runRoot, 'user-data');
  const extensionsDir = path.join(runRoot, 'extensions');
  const resultsFile = path.join(runRoot, 'results.json');
  fs.cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });

  const desktop = process.env.VSCODE_EXECUTABLE;
  const vscodeExecutablePath = desktop ?? path.join(repoRoot, 'scripts', 'code-vscode-shim');
  console.log(`Running extension-host tests in ${desktop ? `desktop VS Code at ${desktop}` : 'code-server through scripts/code-vscode-shim'}.`);

  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [workspace, `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`, '--disable-extensions'],
      extensionTestsEnv: {
        AGENT_DEADLOCK_TEST_WORKSPACE: workspace,
        AGENT_DEADLOCK_TEST_USER_DATA_DIR: userDataDir,
        AGENT_DEADLOCK_TEST_RESULTS: resultsFile,
      },
    });
    return 0;
  } catch (error) {
    console.error(`Extension-host tests failed: ${(error as Error).message}`);
    return 1;
  } finally {
    if (process.env.KEEP_TEST_FOLDERS === '1') {
      console.log(`Kept the run folder ${runRoot}`);
    } else {
      fs.rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
