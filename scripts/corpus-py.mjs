// The Python side of `npm run corpus:benign`: analyses the machine's own Python (the standard
// library and Debian's packages under /usr/lib/python3*), code that calls no model, and prints the
// findings per category with their files. Target: zero self-invocation and zero
// model-output-execution findings; every recursive-spawning finding listed is to be checked by a
// person. Exit 1 when the target is missed, or when there is no Python on the machine to read.
//
//   node scripts/corpus-py.mjs [--max-files N]
//
// Files over the analyzer's size cap (1 MB) are skipped and counted, as `fang scan` does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));

/** The .py files under /usr/lib/python3*, sorted, each once (by inode). */
export function pythonFiles({ maxFiles = Infinity } = {}) {
  let tops;
  try {
    tops = readdirSync('/usr/lib').filter((d) => /^python3(\.\d+)?$/.test(d)).sort().map((d) => join('/usr/lib', d));
  } catch {
    return [];
  }
  const out = [];
  const seen = new Set();
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= maxFiles) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.py')) {
        const st = statSync(p);
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(p);
      }
    }
  };
  for (const t of tops) walk(t);
  return out;
}

async function main() {
  const argv = process.argv.slice(2);
  let maxFiles = Infinity;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-files' && Number(argv[i + 1]) > 0) maxFiles = Number(argv[++i]);
    else {
      console.error(`corpus-py: unknown argument ${argv[i]}; expected --max-files N`);
      process.exit(2);
    }
  }
  const { Analyzer, CATEGORIES } = require(join(root, 'out/src/core/index.js'));
  const files = pythonFiles({ maxFiles });
  if (files.length === 0) {
    console.log('Benign corpus, Python: NO PYTHON FOUND under /usr/lib/python3*: nothing measured (apt-get install python3)');
    process.exitCode = 1;
    return;
  }
  const analyzer = await Analyzer.create({ languages: ['python'] });
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
  const notes = [];
  let skipped = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    const r = analyzer.analyze(text, { path: file, language: 'python' });
    if (r.skipped) {
      skipped++;
      notes.push(`${file}: ${r.skipped.message}`);
    }
    for (const f of r.findings) {
      const line = `${file}:${f.range.start.line + 1} ${f.ruleId}: ${f.message.replace(/\{(\d+)\}/g, '?')}`;
      if (f.severity === 'note') notes.push(line);
      else byCategory[f.category].push(line);
    }
  }
  const ms = performance.now() - t0;
  analyzer.dispose();
  console.log(`Benign corpus, Python: ${files.length} files of the machine's Python (${(bytes / 1024 / 1024).toFixed(2)} MB) in ${(ms / 1000).toFixed(1)} s, ${skipped} skipped`);
  for (const c of CATEGORIES) {
    console.log(`  ${c.padEnd(24)} ${String(byCategory[c].length).padStart(4)} finding(s)`);
    for (const line of byCategory[c]) console.log(`      ${line}`);
  }
  console.log(`  notes (analysis-incomplete, skips): ${notes.length}`);
  for (const n of notes.slice(0, 20)) console.log(`      ${n}`);
  const missed = byCategory['self-invocation'].length + byCategory['model-output-execution'].length;
  console.log(missed === 0 ? '  target met: no self-invocation or model-output-execution finding' : `  TARGET MISSED: ${missed} model finding(s) in code that calls no model`);
  if (missed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
