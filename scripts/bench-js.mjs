// The TypeScript/JavaScript side of `npm run bench`: parse-only time vs full analysis time over
// the JavaScript of the project's own node_modules (the benign corpus of scripts/corpus-js.mjs).
// Target: full analysis <= 1.3x parse-only. CPU time, median of interleaved runs.
//
//   node scripts/bench-js.mjs [--max-files N] [--packages a,b,...] [--runs N]
//
// Files over the analyzer's size cap (1 MB) are left out of both sides and counted.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { corpusFiles, parseArgs } from './corpus-js.mjs';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const core = require(join(root, 'out/src/core/index.js'));
const { Grammars, ParseBudgetExceeded } = require(join(root, 'out/src/core/parser.js'));

const argv = process.argv.slice(2);
let runs = Number(process.env.FANG_BENCH_RUNS ?? 5);
const ri = argv.indexOf('--runs');
if (ri >= 0) {
  runs = Number(argv[ri + 1]);
  argv.splice(ri, 2);
}
let opts;
try {
  opts = parseArgs(argv);
  if (!(runs > 0)) throw new Error('--runs must be a positive number');
} catch (e) {
  console.error(`bench-js: ${e.message}`);
  process.exit(2);
}

const cap = core.DEFAULT_MAX_FILE_BYTES;
const BUDGET = core.DEFAULT_ANALYSIS_BUDGET_MS;
const all = corpusFiles(opts).files;
const texts = [];
const files = [];
let tooLarge = 0;
for (const f of all) {
  const t = readFileSync(f, 'utf8');
  if (Buffer.byteLength(t) > cap) {
    tooLarge++;
    continue;
  }
  texts.push(t);
  files.push(f);
}
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

const grammars = await Grammars.load(undefined, ['javascript']);
const analyzer = await core.Analyzer.create();

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function parseOnly() {
  const t0 = cpuMs();
  let over = 0;
  for (const text of texts) {
    try {
      grammars.parse('javascript', text, BUDGET).delete();
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
  texts.forEach((text, i) => {
    const s = performance.now();
    const r = analyzer.analyze(text, { path: files[i], language: 'javascript' });
    perFile.set(files[i], Math.max(perFile.get(files[i]) ?? 0, performance.now() - s));
    findings += r.findings.length;
    if (r.skipped) skipped++;
  });
  return { ms: cpuMs() - t0, findings, skipped };
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
console.log('TypeScript/JavaScript analysis benchmark (node_modules JavaScript)');
console.log(`  files                 ${files.length} (${(bytes / 1024 / 1024).toFixed(1)} MB); ${tooLarge} over the ${cap / 1024 / 1024} MB size cap left out`);
console.log(`  parse only            ${p.toFixed(0)} ms CPU (median of ${runs}, interleaved with the full runs)`);
console.log(`  full analysis         ${f.toFixed(0)} ms CPU (median of ${runs}; parsing included)`);
console.log(`  ratio full/parse      ${(f / p).toFixed(2)}x   (target <= 1.30x)`);
console.log(`  over parse budget     ${lastParse.over} file(s) (budget ${BUDGET} ms), skipped with a note by the analyzer: ${last.skipped}`);
console.log(`  findings              ${last.findings}`);
console.log(`  peak memory (RSS)     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log('  slowest files (full analysis):');
for (const [file, ms] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${relative(root, file)}`);

// The same measure where the full dataflow runs on every file: the rule fixtures (agent code).
const fixDir = join(root, 'test/fixtures/ts');
const fixtures = readdirSync(fixDir).map((n) => join(fixDir, n));
const fixTexts = fixtures.map((f) => readFileSync(f, 'utf8'));
const langOf = (f) => (f.endsWith('.tsx') ? 'tsx' : /\.(ts|mts|cts)$/.test(f) ? 'typescript' : 'javascript');
const fixGrammars = await Grammars.load(undefined, ['typescript', 'tsx', 'javascript']);
const fixParse = [];
const fixFull = [];
for (let i = 0; i < runs * 4; i++) {
  let t0 = cpuMs();
  fixtures.forEach((f, j) => fixGrammars.parse(langOf(f), fixTexts[j], BUDGET).delete());
  fixParse.push(cpuMs() - t0);
  t0 = cpuMs();
  fixtures.forEach((f, j) => analyzer.analyze(fixTexts[j], { path: f }));
  fixFull.push(cpuMs() - t0);
}
const fp = median(fixParse);
const ff = median(fixFull);
console.log(`  fixtures (dataflow on every file, for reference): ${fixtures.length} files, parse ${fp.toFixed(1)} ms, full ${ff.toFixed(1)} ms, ratio ${(ff / fp).toFixed(2)}x`);
fixGrammars.dispose();

if (f / p > 1.3) {
  console.log('  TARGET MISSED: full analysis is more than 1.3x parse-only');
  process.exitCode = 1;
}
analyzer.dispose();
grammars.dispose();
