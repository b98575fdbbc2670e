// Builds the bundles: the extension host (Node, CommonJS, `vscode` external), the webview
// (browser, IIFE), the command-line checker (Node, with a shebang) and the library entries
// of package.json `exports` (`dist/lib.js`, `dist/runtime.js`). At the same time tsc writes
// the declarations of the library entries to `dist/types/`.
// Type checking is separate: `npm run typecheck`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
  // jsonc-parser's UMD build loads its parts with a dynamic require that bundles cannot
  // follow, so prefer the ES module builds that packages offer.
  mainFields: ['module', 'main'],
};

/**
 * Leaves `yaml` out of the extension's bundle and points its `require` at `dist/yaml.js`, the
 * bundle of its own built below. The package is about a third of the host code, and only a
 * YAML plan needs it, so activation skips parsing it.
 */
const yamlBesideBundle = {
  name: 'yaml-beside-bundle',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: './yaml.js', external: true }));
  },
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [yamlBesideBundle],
  },
  {
    ...common,
    entryPoints: { yaml: 'src/extension/yamlPackage.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: { lib: 'src/lib.ts', runtime: 'src/runtime/index.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@anthropic-ai/sdk'],
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts', layoutWorker: 'webview/layoutWorker.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// Entries whose source does not exist yet are skipped, so a partial checkout still builds.
const existing = builds
  .map((options) => ({
    ...options,
    entryPoints: Object.fromEntries(
      Object.entries(options.entryPoints).filter(([, file]) => fs.existsSync(file)),
    ),
  }))
  .filter((options) => Object.keys(options.entryPoints).length > 0);

/**
 * Runs tsc on tsconfig.types.json, which emits only the `.d.ts` files of `src/lib.ts` and
 * `src/runtime/index.ts` and the modules they import. esbuild drops types, so the `types`
 * conditions of package.json `exports` point here. In watch mode tsc keeps running beside esbuild.
 */
function emitDeclarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [tsc, '-p', 'tsconfig.types.json', ...(watch ? ['--watch', '--preserveWatchOutput'] : [])];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`Emitting declarations failed: tsc -p tsconfig.types.json exited with ${signal ?? code}. Its errors are printed above.`));
    });
  });
}

if (watch) {
  const contexts = await Promise.all(existing.map((options) => esbuild.context(options)));
  await Promise.all([...contexts.map((context) => context.watch()), emitDeclarations()]);
} else {
  // Declarations of modules that no longer exist would otherwise stay in the package.
  fs.rmSync('dist/types', { recursive: true, force: true });
  await Promise.all([...existing.map((options) => esbuild.build(options)), emitDeclarations()]);
}
