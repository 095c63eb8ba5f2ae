// `npm run bench`: Fang's speed against references measured in the same run.
//  - parse-only time vs full analysis over the machine's shell scripts and the fixtures;
//  - a whole-process `fang scan` vs ShellCheck on the same files (where shellcheck exists);
//  - then the TS/JS, Python and sandbox benches, when those parts are built.
// Figures are ratios, so they mean the same on a slow or a fast machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { systemScripts } from './system-scripts.mjs';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const core = require(join(root, 'out/src/core/index.js'));
const { Grammars, ParseBudgetExceeded } = require(join(root, 'out/src/core/parser.js'));

const fixtures = readdirSync(join(root, 'test/fixtures/bash')).map((f) => join(root, 'test/fixtures/bash', f));
const files = [...systemScripts(), ...fixtures];
const texts = files.map((f) => readFileSync(f, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const BUDGET = core.DEFAULT_ANALYSIS_BUDGET_MS;

const grammars = await Grammars.load(undefined, ['bash']);
const analyzer = await core.Analyzer.create();

/** CPU time of this process in ms: steadier than wall time on a shared machine. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function parseOnly(only) {
  const t0 = cpuMs();
  let over = 0;
  for (const text of only ?? texts) {
    try {
      grammars.parse('bash', text, BUDGET).delete();
    } catch (e) {
      if (e instanceof ParseBudgetExceeded) over++;
      else throw e;
    }
  }
  return { ms: cpuMs() - t0, over };
}

const perFile = new Map();
function full(only, offset = 0) {
  const t0 = cpuMs();
  let findings = 0;
  let skipped = 0;
  (only ?? texts).forEach((text, i) => {
    const s = performance.now();
    const file = files[offset + i];
    const r = analyzer.analyze(text, { path: file, language: 'bash' });
    perFile.set(file, Math.max(perFile.get(file) ?? 0, performance.now() - s));
    findings += r.findings.length;
    if (r.skipped) skipped++;
  });
  return { ms: cpuMs() - t0, findings, skipped };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = Number(process.env.FANG_BENCH_RUNS ?? 7);
for (let i = 0; i < 3; i++) {
  parseOnly();
  full(); // warm-up of both paths: compiled code, not the interpreter, is what users run
}
const parseRuns = [];
const fullRuns = [];
let last;
for (let i = 0; i < RUNS; i++) {
  parseRuns.push(parseOnly().ms);
  last = full();
  fullRuns.push(last.ms);
}
const p = median(parseRuns);
const f = median(fullRuns);

console.log('Bash analysis benchmark');
console.log(`  files                 ${files.length} (${systemScripts.length ? '' : ''}${files.length - fixtures.length} system scripts + ${fixtures.length} fixtures)`);
console.log(`  size                  ${(bytes / 1024 / 1024).toFixed(2)} MB`);
console.log(`  parse only            ${p.toFixed(0)} ms CPU (median of ${RUNS}, interleaved with the full runs)`);
console.log(`  full analysis         ${f.toFixed(0)} ms CPU (median of ${RUNS}; parsing included)`);
console.log(`  ratio full/parse      ${(f / p).toFixed(2)}x   (target <= 1.30x)`);
// The same, per group: the fixtures are dense with model calls, the system scripts have none.
const groups = [
  ['system scripts', texts.slice(0, files.length - fixtures.length), 0],
  ['fixtures', texts.slice(files.length - fixtures.length), files.length - fixtures.length],
];
for (const [name, group, offset] of groups) {
  const ps = [];
  const fs_ = [];
  for (let i = 0; i < RUNS; i++) {
    ps.push(parseOnly(group).ms);
    fs_.push(full(group, offset).ms);
  }
  console.log(`    ${name.padEnd(19)} parse ${median(ps).toFixed(0)} ms, full ${median(fs_).toFixed(0)} ms, ratio ${(median(fs_) / median(ps)).toFixed(2)}x`);
}
console.log(`  over parse budget     ${last.skipped} file(s) skipped with a note (budget ${BUDGET} ms)`);
console.log(`  findings              ${last.findings}`);
console.log(`  peak memory (RSS)     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log('  slowest files (full analysis):');
for (const [file, ms] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
  console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${file} (${(statSync(file).size / 1024).toFixed(0)} KB)`);
}
analyzer.dispose();
grammars.dispose();

// Whole process, as a user runs it, against ShellCheck on the same files.
const fang = timeProcess(process.execPath, [join(root, 'bin/fang.js'), 'scan', '--format', 'json', '--fail-on', 'none', ...files]);
console.log(`  fang scan (process)   ${fang.ms.toFixed(0)} ms, exit ${fang.status}`);
const sc = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
if (sc.status === 0) {
  const version = /version: (\S+)/.exec(sc.stdout)?.[1];
  const shell = timeProcess('shellcheck', ['-f', 'json', '-S', 'error', ...files]);
  console.log(`  shellcheck ${version}      ${shell.ms.toFixed(0)} ms (same files)`);
  console.log(`  speed-up vs shellcheck ${(shell.ms / fang.ms).toFixed(1)}x   (target >= 10x)`);
} else {
  console.log('  shellcheck            NOT INSTALLED: no reference measured (apt-get install shellcheck)');
}

function timeProcess(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { ms: performance.now() - t0, status: r.status };
}

for (const extra of ['bench-cli.mjs', 'bench-edit.mjs', 'bench-js.mjs', 'bench-py.mjs', 'bench-worst.mjs', 'bench-sandbox.mjs']) {
  const script = join(root, 'scripts', extra);
  if (!existsSync(script)) continue;
  console.log('');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
