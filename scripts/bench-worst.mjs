// The worst generated input per language, for `npm run bench`: inputs from the property tests'
// generators (test/gen/code.ts: deep nesting, long pipelines, many functions, huge lines, and
// grammar-shaped programs), fixed seeds, analysed with a deadline far away so the real cost
// shows. Reference measured in the same run: parsing the same input alone. Ratios, CPU time.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const core = require(join(root, 'out/src/core/index.js'));
const { Grammars } = require(join(root, 'out/src/core/parser.js'));
const gen = require(join(root, 'out/test/gen/code.js'));
const fc = require('fast-check');

const LIMIT_MS = 60_000;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const analyzer = await core.Analyzer.create();
const grammars = await Grammars.load();
console.log(`Worst generated input per language (analysis with a ${LIMIT_MS / 1000} s deadline; reference: parsing the same input alone)`);
console.log(`  default deadline      ${core.DEFAULT_ANALYSIS_BUDGET_MS} ms per document (analysisBudgetMs)`);
for (const [lang, stress, program, opts, grammar] of [
  ['Bash', gen.bashStress, gen.bashProgram, { language: 'bash' }, 'bash'],
  ['TS/JS', gen.jsStress, gen.jsProgram, { path: 'gen.ts' }, 'typescript'],
]) {
  const inputs = [...fc.sample(stress, { seed: 1, numRuns: 24 }), ...fc.sample(program, { seed: 2, numRuns: 200 })];
  let worst;
  for (const text of inputs) {
    analyzer.analyze(text, { ...opts, config: { analysisBudgetMs: LIMIT_MS } }); // warm: compiled code is what users run
    const t0 = cpuMs();
    const r = analyzer.analyze(text, { ...opts, config: { analysisBudgetMs: LIMIT_MS } });
    const ms = cpuMs() - t0;
    if (!worst || ms > worst.ms) worst = { text, ms, r };
  }
  const p0 = cpuMs();
  grammars.parse(grammar, worst.text, LIMIT_MS).delete();
  const parse = cpuMs() - p0;
  const notes = worst.r.findings.filter((f) => f.budget).map((f) => f.budget);
  const shape = worst.text.split('\n').slice(0, 3).join(' ⏎ ').slice(0, 70);
  console.log(
    `  ${lang.padEnd(6)} worst of ${inputs.length}   ${worst.ms.toFixed(0)} ms analysis, ${parse.toFixed(0)} ms parse (ratio ${(worst.ms / Math.max(parse, 0.1)).toFixed(1)}x), ` +
      `${(worst.text.length / 1024).toFixed(0)} KB${notes.length ? `, budget notes: ${notes.join(', ')}` : ''}${worst.r.skipped ? `, skipped: ${worst.r.skipped.reason}` : ''}; starts: ${shape}`,
  );
}
analyzer.dispose();
grammars.dispose();
