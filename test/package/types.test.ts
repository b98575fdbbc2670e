/**
 * Checks the library entries of the npm package (package.json `exports`). The test packs the
 * built repository with `npm pack` and unpacks the tarball into a scratch consumer project.
 * There it compiles a small TypeScript file that imports both entries, and runs it. Build first
 * with `npm run build`, or `npm run package`, which builds for production.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const repoRoot = path.resolve(__dirname, '..', '..');
const tsc = require.resolve('typescript/bin/tsc');

/** Uses both entries the way the README and docs/run.md show, with the declared types spelled out. */
const CONSUMER = `import { TraceWriter, checkTrace, type TraceCheckResult } from 'agent-deadlock-debugger';
import { ToolTimeoutError, ToolWatchdog, formatRunText, replayTranscript, type RunResult, type ToolWatchdogOptions } from 'agent-deadlock-debugger/runtime';

const lines: string[] = [];
const writer = new TraceWriter((line) => lines.push(line));
const call: string = writer.callStart('fetch');
writer.callEnd(call, 'ok');
const checked: TraceCheckResult = checkTrace(lines.join('\\n'), 'agent.jsonl');

const options: ToolWatchdogOptions = { toolTimeouts: { slow: 50 }, defaultTimeoutMs: 1000 };
const watchdog = new ToolWatchdog(options);
const add = watchdog.wrap('add', (input: { a: number; b: number }) => input.a + input.b);
const slow = watchdog.wrap('slow', (_input: undefined, context) => new Promise<string>((resolve) => context.signal.addEventListener('abort', () => resolve('aborted'))));

async function main(): Promise<void> {
  const sum: number = await add({ a: 2, b: 3 });
  let timedOut: ToolTimeoutError | undefined;
  try {
    await slow(undefined);
  } catch (error) {
    if (error instanceof ToolTimeoutError) timedOut = error;
  }
  watchdog.close();
  const replay: RunResult = replayTranscript([
    { role: 'user', content: 'Look it up.' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }] },
  ]);
  const report: string = formatRunText(replay);
  console.log(JSON.stringify({ traceLines: lines.length, findings: checked.findings.length, sum, timeoutMs: timedOut?.limitMs, calls: replay.summary.total, report: report.split('\\n')[0] }));
}
void main();
`;

/** Contains two calls that break the declared types. The test expects one error for each. */
const MISUSE = `import { TraceWriter } from 'agent-deadlock-debugger';
import { ToolWatchdog } from 'agent-deadlock-debugger/runtime';
new ToolWatchdog({ defaultTimeoutMs: 'soon' });
new TraceWriter(() => undefined).callEnd('fetch-1', 'maybe');
`;

interface Exports {
  [subpath: string]: Record<string, string>;
}

let root = '';
let packageDir = '';

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Links a package from the repository's node_modules into the consumer, as `npm install` would provide it. */
function linkDependency(name: string): void {
  const source = path.join(repoRoot, 'node_modules', name);
  assert.ok(fs.existsSync(source), `${name} is not installed in ${repoRoot}/node_modules. Run \`npm ci\`.`);
  const target = path.join(root, 'node_modules', name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(source, target, 'dir');
}

/** Runs tsc on a tsconfig in the consumer folder and returns its exit code and diagnostics. */
function compile(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, project), '--pretty', 'false'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Returns compiler options of a strict Node consumer without DOM types, merged with `extra`. */
function consumerOptions(extra: Record<string, unknown>): Record<string, unknown> {
  return { strict: true, target: 'ES2022', lib: ['ES2022'], types: ['node'], ...extra };
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-deadlock-types-'));
  for (const file of ['dist/lib.js', 'dist/runtime.js']) {
    assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} does not exist. Build it with \`npm run build\`.`);
  }

  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(packed.status, 0, `npm pack failed:\n${packed.stderr}`);
  const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];

  packageDir = path.join(root, 'node_modules', 'agent-deadlock-debugger');
  fs.mkdirSync(packageDir, { recursive: true });
  const unpacked = spawnSync('tar', ['-xzf', path.join(root, filename), '-C', packageDir, '--strip-components=1'], { encoding: 'utf8' });
  assert.equal(unpacked.status, 0, `tar failed:\n${unpacked.stderr}`);

  // The consumer gets the package's dependencies, plus @types/node as its own dev dependency.
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies ?? {}), '@types/node']) linkDependency(name);

  writeJson(path.join(root, 'package.json'), { name: 'types-consumer', private: true });
  fs.writeFileSync(path.join(root, 'consumer.ts'), CONSUMER);
  fs.writeFileSync(path.join(root, 'misuse.ts'), MISUSE);
  // skipLibCheck is off here, so tsc checks every declaration file the imports reach.
  writeJson(path.join(root, 'tsconfig.node16.json'), {
    compilerOptions: consumerOptions({ module: 'node16', moduleResolution: 'node16', skipLibCheck: false, outDir: 'out' }),
    files: ['consumer.ts'],
  });
  writeJson(path.join(root, 'tsconfig.bundler.json'), {
    compilerOptions: consumerOptions({ module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, noEmit: true }),
    files: ['consumer.ts'],
  });
  writeJson(path.join(root, 'tsconfig.node10.json'), {
    compilerOptions: consumerOptions({ module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true, noEmit: true }),
    files: ['consumer.ts'],
  });
  writeJson(path.join(root, 'tsconfig.misuse.json'), {
    compilerOptions: consumerOptions({ module: 'node16', moduleResolution: 'node16', skipLibCheck: true, noEmit: true }),
    files: ['misuse.ts'],
  });
});

after(() => {
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
});

describe('npm package types', () => {
  it('declares types for every export', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { exports: Exports; types?: string };
    assert.deepEqual(Object.keys(manifest.exports).sort(), ['.', './runtime']);
    for (const [subpath, conditions] of Object.entries(manifest.exports)) {
      // Resolvers take the first matching condition, so `types` must come before `default`.
      assert.deepEqual(Object.keys(conditions), ['types', 'default'], `conditions of "${subpath}"`);
      for (const file of Object.values(conditions)) {
        assert.ok(fs.existsSync(path.join(packageDir, file)), `"${subpath}" names ${file}, which is not in the packed tarball`);
      }
    }
    assert.equal(manifest.types, manifest.exports['.'].types);
  });

  it('compiles and runs a consumer', () => {
    const compiled = compile('tsconfig.node16.json');
    assert.equal(compiled.status, 0, compiled.output);

    const ran = spawnSync(process.execPath, [path.join(root, 'out', 'consumer.js')], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    assert.equal(ran.status, 0, ran.stderr);
    const result = JSON.parse(ran.stdout) as Record<string, unknown>;
    assert.equal(result.traceLines, 3);
    assert.equal(result.findings, 0);
    assert.equal(result.sum, 5);
    assert.equal(result.timeoutMs, 50);
    assert.equal(result.calls, 1);
    assert.equal(result.report, 'Run of trace on the virtual clock.');
  });

  for (const resolution of ['bundler', 'node10']) {
    it(`resolves both entries with ${resolution}`, () => {
      const compiled = compile(`tsconfig.${resolution}.json`);
      assert.equal(compiled.status, 0, compiled.output);
    });
  }

  it('rejects misuse of the declared types', () => {
    const compiled = compile('tsconfig.misuse.json');
    assert.notEqual(compiled.status, 0, 'misuse.ts compiled without errors, so the declarations are missing or too loose');
    const errors = compiled.output.split('\n').filter((line) => / error TS\d+:/.test(line));
    assert.equal(errors.length, 2, compiled.output);
    assert.match(errors[0], /^misuse\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(errors[1], /^misuse\.ts\(4,\d+\): error TS2345: Argument of type '"maybe"' is not assignable to parameter of type 'TraceCallStatus/);
  });
});
