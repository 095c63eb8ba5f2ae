// The language registry (src/core/languages.ts) for the build scripts: which grammars to ship,
// and the parts of package.json that list languages (see vscode-schema.mjs).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));

/** The registry module, evaluated from its TypeScript source (it imports nothing). */
export function loadRegistry() {
  const source = readFileSync(join(root, 'src/core/languages.ts'), 'utf8');
  const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20' });
  const mod = { exports: {} };
  new Function('module', 'exports', code)(mod, mod.exports);
  return mod.exports;
}

/** [package, file] of the tree-sitter runtime and of every grammar the registry names, once each. */
export function wasmFiles() {
  const { LANGUAGES } = loadRegistry();
  const seen = new Set();
  const out = [['web-tree-sitter', 'web-tree-sitter.wasm']];
  for (const l of LANGUAGES) {
    if (seen.has(l.grammar.file)) continue;
    seen.add(l.grammar.file);
    out.push([l.grammar.pkg, l.grammar.file]);
  }
  return out;
}
