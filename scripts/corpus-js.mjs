// The JavaScript side of `npm run corpus:benign`: analyses the JavaScript of the packages in the
// project's own node_modules (typescript, esbuild, mocha, zod, playwright-core, ...), code that
// calls no model, and prints the findings per category with their files. Target: zero
// self-invocation and zero model-output-execution findings. Exit 1 when the target is missed.
//
//   node scripts/corpus-js.mjs [--max-files N] [--packages a,b,...] [--max-bytes N]
//
// Files over the analyzer's size cap (1 MB by default, --max-bytes to change) are skipped and
// counted, as `fang scan` does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));

export function parseArgs(argv) {
  const opts = { maxFiles: Infinity, packages: undefined, maxBytes: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--max-files') opts.maxFiles = Number(v());
    else if (a === '--packages') opts.packages = v().split(',').filter(Boolean);
    else if (a === '--max-bytes') opts.maxBytes = Number(v());
    else throw new Error(`unknown argument ${a}; expected --max-files N, --packages a,b, --max-bytes N`);
  }
  if (!(opts.maxFiles > 0)) throw new Error('--max-files must be a positive number');
  if (opts.maxBytes !== undefined && !(opts.maxBytes > 0)) throw new Error('--max-bytes must be a positive number');
  return opts;
}

/** JavaScript files of the top-level packages in node_modules (and their nested node_modules), sorted. */
export function corpusFiles({ maxFiles = Infinity, packages } = {}) {
  const nm = join(root, 'node_modules');
  const tops = readdirSync(nm)
    .filter((d) => !d.startsWith('.'))
    .flatMap((d) => (d.startsWith('@') ? readdirSync(join(nm, d)).map((s) => `${d}/${s}`) : [d]))
    .filter((p) => !packages || packages.includes(p))
    .sort();
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(js|mjs|cjs)$/.test(e.name)) out.push(p);
    }
  };
  for (const t of tops) walk(join(nm, t));
  return { packages: tops, files: out.slice(0, maxFiles) };
}

export function packageOf(file) {
  const rel = relative(join(root, 'node_modules'), file).split('/');
  return rel[0].startsWith('@') ? `${rel[0]}/${rel[1]}` : rel[0];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { Analyzer, CATEGORIES } = require(join(root, 'out/src/core/index.js'));
  const { packages, files } = corpusFiles(opts);
  const analyzer = await Analyzer.create();
  const config = opts.maxBytes ? { maxFileBytes: opts.maxBytes } : {};
  const { JsFacts } = require(join(root, 'out/src/core/js/facts.js'));
  const modes = { full: 0, spawn: 0, none: 0 };
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
  const notes = [];
  const skips = {};
  let bytes = 0;
  const t0 = performance.now();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    bytes += statSync(file).size;
    const r = analyzer.analyze(text, { path: file, config });
    if (!r.skipped) modes[new JsFacts(null, text, [], []).mode]++;
    const rel = relative(root, file);
    if (r.skipped) {
      skips[r.skipped.reason] = (skips[r.skipped.reason] ?? 0) + 1;
      continue;
    }
    for (const f of r.findings) {
      const line = `${rel}:${f.range.start.line + 1} ${f.ruleId}: ${f.message}`;
      if (f.severity === 'note') notes.push(line);
      else byCategory[f.category].push(line);
    }
  }
  const ms = performance.now() - t0;
  analyzer.dispose();

  const skipped = Object.values(skips).reduce((a, b) => a + b, 0);
  console.log(`Benign corpus, JavaScript: ${files.length} files (${(bytes / 1024 / 1024).toFixed(1)} MB) from ${new Set(files.map(packageOf)).size} packages in node_modules, analysed in ${(ms / 1000).toFixed(1)} s`);
  console.log(`  packages include: ${['typescript', 'esbuild', 'mocha', 'zod', 'playwright-core', 'web-tree-sitter', '@vscode/vsce', 'yaml'].filter((p) => packages.includes(p)).join(', ')}`);
  console.log(`  dataflow: ${modes.full} file(s) name a model SDK or endpoint (full flow), ${modes.spawn} only start processes (spawn flow), ${modes.none} left by the text pre-filter`);
  console.log(`  skipped: ${skipped} file(s)${skipped ? ` (${Object.entries(skips).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`);
  for (const c of CATEGORIES) {
    const files = new Set(byCategory[c].map((l) => l.replace(/:\d+ .*$/, '')));
    console.log(`  ${c.padEnd(24)} ${String(byCategory[c].length).padStart(4)} finding(s) in ${files.size} file(s)`);
    for (const line of byCategory[c].slice(0, 40)) console.log(`      ${line}`);
    if (byCategory[c].length > 40) console.log(`      ... and ${byCategory[c].length - 40} more`);
  }
  console.log(`  notes (analysis-incomplete): ${notes.length}`);
  for (const n of notes.slice(0, 10)) console.log(`      ${n}`);
  const missed = byCategory['self-invocation'].length + byCategory['model-output-execution'].length;
  console.log(missed === 0 ? '  target met: no self-invocation or model-output-execution finding' : `  TARGET MISSED: ${missed} model finding(s) in code that calls no model`);
  if (missed) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`corpus-js: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  });
}
