// Bundles the extension-host tests for `test/vscode/runTest.ts`: the Mocha runner
// (`test/vscode/suite/index.ts`) and every `test/vscode/suite/*.test.ts`, each into
// `out/test/vscode/suite/<name>.js` as CommonJS for Node 20. `vscode` is provided by the
// extension host and `mocha` is loaded from node_modules at run time, so both stay external.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const suiteFolder = 'test/vscode/suite';
const outFolder = 'out/test/vscode/suite';

const entryPoints = fs
  .readdirSync(suiteFolder)
  .filter((name) => name === 'index.ts' || name.endsWith('.test.ts'))
  .map((name) => path.join(suiteFolder, name));
if (!entryPoints.some((file) => file.endsWith('.test.ts'))) {
  console.error(`No *.test.ts files in ${suiteFolder}.`);
  process.exit(1);
}

// Bundles from an earlier build of a test file that no longer exists must not run again.
fs.rmSync(outFolder, { recursive: true, force: true });

await esbuild.build({
  entryPoints,
  outdir: outFolder,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  // jsonc-parser's UMD build loads its parts with a dynamic require that a bundle cannot
  // follow. As in scripts/build.mjs, tests that import src/ code reading JSON take its ES build.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
console.log(`Built ${entryPoints.length} extension-host test bundles into ${outFolder}.`);
