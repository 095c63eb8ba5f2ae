// Bundles the CLI (and the editor entry points once they exist) with esbuild and copies the
// grammars' own .wasm files next to the bundles, so one universal build runs everywhere.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildWebview } from './vscode-build.mjs';
import { wasmFiles } from './registry.mjs';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'wasm'), { recursive: true });

const wasm = wasmFiles();
for (const [pkg, file] of wasm) {
  cpSync(join(root, 'node_modules', pkg, file), join(dist, 'wasm', file));
}

const entries = [
  // dry-run and lsp are required lazily by the CLI: bundles of their own keep `fang scan`/`fang hook` start-up small.
  { in: 'src/cli/main.ts', out: 'cli', external: ['./dry-run', './lsp'] },
  { in: 'src/cli/dry-run.ts', out: 'dry-run' },
  // `fang lsp`: the protocol library and the server; the sandbox comes from dry-run.js on first use.
  { in: 'src/cli/lsp.ts', out: 'lsp', external: ['./dry-run'] },
  { in: 'src/extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/lsp/worker.ts', out: 'worker' },
].filter((e) => existsSync(join(root, e.in)));

await Promise.all(
  entries.map((e) =>
    esbuild.build({
      entryPoints: [join(root, e.in)],
      outfile: join(dist, `${e.out}.js`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: true,
      external: e.external ?? [],
      // esbuild would pick the ESM build for `import`; the CommonJS build needs no import.meta.
      alias: { 'web-tree-sitter': join(root, 'node_modules/web-tree-sitter/web-tree-sitter.cjs') },
      logLevel: 'warning',
      minify: process.env.FANG_MINIFY === '1',
    }),
  ),
);
await buildWebview({ minify: process.env.FANG_MINIFY === '1' });
console.log(`built ${entries.map((e) => `dist/${e.out}.js`).join(', ')}, dist/webview/display.js and ${wasm.length} wasm files`);
