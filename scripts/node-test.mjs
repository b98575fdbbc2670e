// Runs every `*.test.ts` file under the given folders with Node's test runner and tsx.
// Node 20's `--test` does not expand glob patterns itself, so the files are collected here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const folders = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const extraFlags = process.argv.slice(2).filter((argument) => argument.startsWith('--'));

function collect(folder) {
  if (!fs.existsSync(folder)) return [];
  if (fs.statSync(folder).isFile()) return [folder];
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return collect(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = folders.flatMap(collect).sort();
if (files.length === 0) {
  console.error(`No *.test.ts files found under ${folders.join(', ')}.`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...extraFlags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
