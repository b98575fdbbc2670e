/**
 * Test runner module for the extension host: `runTests` (and the code-server shim) load this
 * file as `extensionTestsPath` and await `run()`. It runs Mocha's BDD interface over every
 * `*.test.js` bundle next to it, which `scripts/build-tests.mjs` builds from
 * `test/vscode/suite/*.test.ts`.
 *
 * Environment:
 *   VSCODE_SHIM_CONSOLE_MARKER   prefix for reporter lines, set by the code-server shim
 *   AGENT_DEADLOCK_TEST_GREP     run only tests whose full title matches this regular expression
 *   AGENT_DEADLOCK_TEST_RESULTS  write the reporter output and counts to this JSON file
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/**
 * Sends one reporter line to the console as a single preformatted string. In the web workbench
 * the extension host's `console.log` reaches the page console without printf substitution, so
 * Mocha's `%s`/`%d` format strings must be filled in here, and colour codes are turned off.
 */
function installLineReporter(lines: string[]): void {
  // The code-server shim sets a marker so that it can tell reporter lines from the
  // workbench's own log lines, which reach the page console in the same form.
  const marker = process.env.VSCODE_SHIM_CONSOLE_MARKER ?? '';
  Mocha.reporters.Base.consoleLog = (...values: unknown[]): void => {
    const line = values.length === 0 ? '' : util.format(...values);
    lines.push(line);
    console.log(`${marker}${line}`);
  };
}

export async function run(): Promise<void> {
  const lines: string[] = [];
  installLineReporter(lines);

  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    slow: 2_000,
  });
  const grep = process.env.AGENT_DEADLOCK_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));

  const files = fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  if (files.length === 0) {
    throw new Error(`No *.test.js bundles in ${__dirname}. Build them with \`node scripts/build-tests.mjs\`.`);
  }
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  const started = Date.now();
  const failures = await new Promise<number>((resolve) => {
    mocha.run((count) => resolve(count));
  });

  const resultsFile = process.env.AGENT_DEADLOCK_TEST_RESULTS;
  if (resultsFile) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(
      resultsFile,
      JSON.stringify({ failures, files, durationMs: Date.now() - started, output: lines }, null, 2),
    );
  }
  if (failures > 0) {
    throw new Error(`${failures} extension-host test${failures === 1 ? '' : 's'} failed.`);
  }
}
