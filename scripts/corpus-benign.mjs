// `npm run corpus:benign`: scans code that calls no model (the machine's shell scripts, then the
// JavaScript in node_modules and the machine's Python under /usr/lib/python3*) and prints the findings per category
// with their files. Target: zero self-invocation and zero model-output-execution findings; every
// recursive-spawning finding listed is to be checked by a person. Exit 1 when the target is missed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { systemScripts } from './system-scripts.mjs';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const { Analyzer, CATEGORIES } = require(join(root, 'out/src/core/index.js'));

const files = systemScripts();
const analyzer = await Analyzer.create();
const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
const notes = [];
let skipped = 0;
let bytes = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  const r = analyzer.analyze(text, { path: file, language: 'bash' });
  if (r.skipped) {
    skipped++;
    notes.push(`${file}: ${r.skipped.message}`);
  }
  for (const f of r.findings) {
    if (f.severity === 'note') notes.push(`${file}:${f.range.start.line + 1} ${f.ruleId}: ${f.message}`);
    else byCategory[f.category].push(`${file}:${f.range.start.line + 1} ${f.ruleId}: ${f.message}`);
  }
}
analyzer.dispose();

console.log(`Benign corpus, Bash: ${files.length} system scripts (${(bytes / 1024 / 1024).toFixed(2)} MB), ${skipped} skipped`);
for (const c of CATEGORIES) {
  console.log(`  ${c.padEnd(24)} ${String(byCategory[c].length).padStart(4)} finding(s)`);
  for (const line of byCategory[c]) console.log(`      ${line}`);
}
console.log(`  notes (analysis-incomplete, skips): ${notes.length}`);
for (const n of notes.slice(0, 20)) console.log(`      ${n}`);
const missed = byCategory['self-invocation'].length + byCategory['model-output-execution'].length;
console.log(missed === 0 ? '  target met: no self-invocation or model-output-execution finding' : `  TARGET MISSED: ${missed} model finding(s) in code that calls no model`);
if (missed) process.exitCode = 1;

for (const extra of ['corpus-js.mjs', 'corpus-py.mjs']) {
  const script = join(root, 'scripts', extra);
  if (!existsSync(script)) continue;
  console.log('');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
