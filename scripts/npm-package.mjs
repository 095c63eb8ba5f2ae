// The `fang` command as an npm package: `@fang-dev/fang` (the unscoped name `fang` belongs to an
// unrelated package). The repository's own package.json is the VS Code extension's manifest, whose
// name cannot carry a scope, so this script stages the CLI package from it in .artifacts/npm:
// the bundles (dist/cli.js, dist/dry-run.js, dist/lsp.js and its analysis worker dist/worker.js),
// the grammars' .wasm files, the rule pages (docs/rules, which the language server's diagnostics
// link to), bin/fang.js, README and LICENSE, and a package.json with the same version, licence and links. Nothing else: the bundles
// carry their JavaScript dependencies.
//
//   node scripts/npm-package.mjs [--no-build] [--out DIR]    stages, packs, prints the tarball path
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmFiles } from './registry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const NPM_NAME = '@fang-dev/fang';
/** Every file of the package, relative to its root (package.json, README and LICENSE aside). */
export const NPM_FILES = [
  'bin/fang.js',
  'dist/cli.js',
  'dist/dry-run.js',
  'dist/lsp.js',
  'dist/worker.js',
  // the runtime's and every registry language's grammar, as the build copies them
  ...wasmFiles().map(([, file]) => `dist/wasm/${file}`),
  ...fs.readdirSync(path.join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/rules/${f}`),
];
/**
 * Packages the bundles load at run time instead of carrying them. None: the dry-run strips
 * TypeScript's types with sucrase, which is plain JavaScript bundled into dist/dry-run.js.
 */
export const RUNTIME_DEPENDENCIES = [];

export function npmManifest() {
  const ext = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const deps = Object.fromEntries(RUNTIME_DEPENDENCIES.map((d) => [d, ext.devDependencies[d] ?? ext.dependencies?.[d]]));
  return {
    name: NPM_NAME,
    version: ext.version,
    description: 'The fang command: finds model calls, executed model output and self-feeding spawning in Bash, TypeScript/JavaScript and Python, guards coding agents through their hooks, and dry-runs snippets in a sandbox.',
    keywords: ext.keywords,
    license: ext.license,
    author: ext.author,
    homepage: ext.homepage,
    bugs: ext.bugs,
    repository: ext.repository,
    engines: { node: ext.engines.node },
    bin: { fang: 'bin/fang.js' },
    files: ['bin/', 'dist/', 'docs/rules/'],
    ...(RUNTIME_DEPENDENCIES.length ? { dependencies: deps } : {}),
  };
}

export function stageNpmPackage(dir = path.join(root, '.artifacts', 'npm')) {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const f of [...NPM_FILES, 'README.md', 'LICENSE']) {
    const from = path.join(root, f);
    if (!fs.existsSync(from)) throw new Error(`${f} is missing: run \`npm run build\` first`);
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
  fs.chmodSync(path.join(dir, 'bin', 'fang.js'), 0o755);
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(npmManifest(), null, 2)}\n`);
  return dir;
}

/** Stages and packs; returns the tarball's path. */
export function packNpm({ build = true, out = path.join(root, '.artifacts') } = {}) {
  if (build) {
    const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error(`build failed with exit code ${b.status}`);
  }
  const dir = stageNpmPackage();
  fs.mkdirSync(out, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}): ${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  return { tarball: path.join(out, info.filename), files: info.files.map((f) => f.path).sort(), size: info.size };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--out');
  try {
    const { tarball, size } = packNpm({ build: !process.argv.includes('--no-build'), ...(i > 0 ? { out: path.resolve(process.argv[i + 1]) } : {}) });
    process.stdout.write(`${path.relative(process.cwd(), tarball)}: ${(size / 1024).toFixed(0)} KiB\n`);
  } catch (e) {
    process.stderr.write(`npm-package: ${e.message}\n`);
    process.exit(1);
  }
}
