// The Python side of `npm run bench`: parse-only time vs full analysis time over the machine's
// Python (/usr/lib/python3*, the benign corpus of scripts/corpus-py.mjs), and the same over the
// rule fixtures, where the full dataflow runs on every file. Target: full analysis <= 1.3x
// parse-only on the corpus. CPU time, median of interleaved runs.
//
//   node scripts/bench-py.mjs [--max-files N] [--runs N]
//
// Files over the analyzer's size cap (1 MB) are left out of both sides and counted.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pythonFiles } from './corpus-py.mjs';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const core = require(join(root, 'out/src/core/index.js'));
const { Grammars, ParseBudgetExceeded } = require(join(root, 'out/src/core/parser.js'));

const argv = process.argv.slice(2);
let runs = Number(process.env.FANG_BENCH_RUNS ?? 5);
let maxFiles = Infinity;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs' && Number(argv[i + 1]) > 0) runs = Number(argv[++i]);
  else if (argv[i] === '--max-files' && Number(argv[i + 1]) > 0) maxFiles = Number(argv[++i]);
  else {
    console.error(`bench-py: unknown argument ${argv[i]}; expected --max-files N, --runs N`);
    process.exit(2);
  }
}

const cap = core.DEFAULT_MAX_FILE_BYTES;
const BUDGET = core.DEFAULT_ANALYSIS_BUDGET_MS;
const texts = [];
const files = [];
let tooLarge = 0;
for (const f of pythonFiles({ maxFiles })) {
  const t = readFileSync(f, 'utf8');
  if (Buffer.byteLength(t) > cap) {
    tooLarge++;
    continue;
  }
  texts.push(t);
  files.push(f);
}
if (files.length === 0) {
  console.log('Python analysis benchmark: NO PYTHON FOUND under /usr/lib/python3*: nothing measured (apt-get install python3)');
  process.exit(1);
}
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const grammars = await Grammars.load(undefined, ['python']);
const analyzer = await core.Analyzer.create({ languages: ['python'] });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function parseOnly() {
  const t0 = cpuMs();
  let over = 0;
  for (const text of texts) {
    try {
      grammars.parse('python', text, BUDGET).delete();
    } catch (e) {
      if (e instanceof ParseBudgetExceeded) over++;
      else throw e;
    }
  }
  return { ms: cpuMs() - t0, over };
}

const perFile = new Map();
function full() {
  const t0 = cpuMs();
  let findings = 0;
  let skipped = 0;
  let notes = 0;
  texts.forEach((text, i) => {
    const s = cpuMs();
    const r = analyzer.analyze(text, { path: files[i], language: 'python' });
    perFile.set(files[i], Math.max(perFile.get(files[i]) ?? 0, cpuMs() - s));
    findings += r.findings.filter((f) => f.severity !== 'note').length;
    notes += r.findings.filter((f) => f.severity === 'note').length;
    if (r.skipped) skipped++;
  });
  return { ms: cpuMs() - t0, findings, notes, skipped };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
parseOnly();
full(); // warm-up of both paths
const parseRuns = [];
const fullRuns = [];
let last;
let lastParse;
for (let i = 0; i < runs; i++) {
  lastParse = parseOnly();
  parseRuns.push(lastParse.ms);
  last = full();
  fullRuns.push(last.ms);
}
const p = median(parseRuns);
const f = median(fullRuns);
console.log("Python analysis benchmark (the machine's Python under /usr/lib/python3*)");
console.log(`  files                 ${files.length} (${(bytes / 1024 / 1024).toFixed(1)} MB); ${tooLarge} over the ${cap / 1024 / 1024} MB size cap left out`);
console.log(`  parse only            ${p.toFixed(0)} ms CPU (median of ${runs}, interleaved with the full runs)`);
console.log(`  full analysis         ${f.toFixed(0)} ms CPU (median of ${runs}; parsing included)`);
console.log(`  ratio full/parse      ${(f / p).toFixed(2)}x   (target <= 1.30x)`);
console.log(`  over parse budget     ${lastParse.over} file(s) (budget ${BUDGET} ms), skipped with a note by the analyzer: ${last.skipped}`);
console.log(`  findings              ${last.findings} (and ${last.notes} analysis-incomplete notes)`);
console.log(`  peak memory (RSS)     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log('  slowest files (full analysis, CPU):');
for (const [file, ms] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${file}`);

// The same measure where the full dataflow runs on every file: the rule fixtures (agent code).
const fixDir = join(root, 'test/fixtures/python');
const fixtures = readdirSync(fixDir).map((n) => join(fixDir, n));
const fixTexts = fixtures.map((x) => readFileSync(x, 'utf8'));
const fixParse = [];
const fixFull = [];
for (let i = 0; i < runs * 4; i++) {
  let t0 = cpuMs();
  for (const t of fixTexts) grammars.parse('python', t, BUDGET).delete();
  fixParse.push(cpuMs() - t0);
  t0 = cpuMs();
  fixtures.forEach((x, j) => analyzer.analyze(fixTexts[j], { path: x }));
  fixFull.push(cpuMs() - t0);
}
const fp = median(fixParse);
const ff = median(fixFull);
console.log(`  fixtures (dataflow on every file, for reference): ${fixtures.length} files, parse ${fp.toFixed(1)} ms, full ${ff.toFixed(1)} ms, ratio ${(ff / fp).toFixed(2)}x`);

if (f / p > 1.3) {
  console.log('  TARGET MISSED: full analysis is more than 1.3x parse-only');
  process.exitCode = 1;
}
analyzer.dispose();
grammars.dispose();
