// Bundles the extension (dist/extension.js), its analysis worker (dist/worker.js), the grammars
// (dist/wasm/) and the in-VS-Code test suite (out/vscode-test/). scripts/build.mjs may import
// `extensionEntryPoints` and `copyWasm` instead of repeating them.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmFiles } from './registry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild entry points of the extension: `dist/<name>.js` <- source. */
export const extensionEntryPoints = {
  extension: 'src/extension/extension.ts',
  worker: 'src/lsp/worker.ts',
  // the language server the extension is a client of (its worker is dist/worker.js)
  lsp: 'src/cli/lsp.ts',
};

const WASM = wasmFiles();

/** Copies the runtime's and the grammars' .wasm files into `<outDir>/wasm`. */
export function copyWasm(outDir = path.join(root, 'dist')) {
  const dir = path.join(outDir, 'wasm');
  fs.mkdirSync(dir, { recursive: true });
  for (const [pkg, file] of WASM) {
    fs.copyFileSync(path.join(root, 'node_modules', pkg, file), path.join(dir, file));
  }
}

/** esbuild would pick web-tree-sitter's ESM build (it reads `import.meta`); use its CommonJS build. */
export const treeSitterAlias = { 'web-tree-sitter': path.join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs') };

export async function buildExtension({ minify = false } = {}) {
  await esbuild.build({
    alias: treeSitterAlias,
    absWorkingDir: root,
    entryPoints: extensionEntryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // dist/lsp.js loads the sandbox from dist/dry-run.js only for LSP dry-runs, which the extension runs itself.
    external: ['vscode', './dry-run'],
    sourcemap: !minify,
    minify,
    logLevel: 'warning',
  });
  copyWasm();
  await buildWebview({ minify });
}

/**
 * The display convention (src/core/display.ts) for the report page: a browser script that sets
 * `window.FangDisplay`, so the page shows untrusted text exactly as every other output does.
 */
export async function buildWebview({ minify = false, outDir = path.join(root, 'dist') } = {}) {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/core/display.ts'],
    outfile: path.join(outDir, 'webview', 'display.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'FangDisplay',
    target: 'es2022',
    minify,
    logLevel: 'warning',
  });
}

/** The test suite that runs inside the extension host; mocha stays external (loaded from node_modules). */
export async function buildTests() {
  const suiteDir = path.join(root, 'test', 'vscode', 'suite');
  const entries = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.ts')).map((f) => path.join('test/vscode/suite', f));
  const out = path.join(root, 'out', 'vscode-test');
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: 'out/vscode-test',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(out, 'index.js');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const started = Date.now();
  await buildExtension({ minify: process.argv.includes('--minify') });
  if (process.argv.includes('--tests')) await buildTests();
  process.stderr.write(`[vscode-build] built in ${Date.now() - started} ms\n`);
}
