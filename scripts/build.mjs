// Builds the three bundles: the extension host (Node, CommonJS, `vscode` external),
// the webview (browser, IIFE) and the command-line checker (Node, with a shebang).
// Type checking is separate: `npm run typecheck`.
import * as fs from 'node:fs';
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

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
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

if (watch) {
  const contexts = await Promise.all(existing.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(existing.map((options) => esbuild.build(options)));
}
