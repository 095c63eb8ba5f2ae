// Edit to diagnostics, as the editor's worker does it, for `npm run bench`: the 1,000-line script
// of the VS Code suite (test/gen/shell-script.ts), one line changed per round. Reference in the
// same run: the full analysis of the same text (parse included). CPU time, median of rounds.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const core = require(join(root, 'out/src/core/index.js'));
const { ParseCache } = require(join(root, 'out/src/core/parse-cache.js'));
const { script } = require(join(root, 'out/test/gen/shell-script.js'));

const ROUNDS = Number(process.env.FANG_BENCH_RUNS ?? 15) * 2 + 1;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const analyzer = await core.Analyzer.create({ languages: ['bash'] });
const base = script(1000).split('\n');
const cache = new ParseCache();
analyzer.analyze(base.join('\n'), { language: 'bash', cache });
/** One round per edit: the full analysis of the edited text, then the worker's incremental one. */
function measure(edit, rounds = ROUNDS) {
  const full = [];
  const edited = [];
  for (let k = 0; k < rounds; k++) {
    const lines = [...base];
    lines[200 + ((k * 37) % 700)] = edit(k);
    const text = lines.join('\n');
    let t = cpuMs();
    const a = analyzer.analyze(text, { language: 'bash' });
    full.push(cpuMs() - t);
    t = cpuMs();
    const b = analyzer.analyze(text, { language: 'bash', cache });
    edited.push(cpuMs() - t);
    if (JSON.stringify(a.findings) !== JSON.stringify(b.findings)) throw new Error('the incremental analysis differs from the full one');
  }
  return { full: median(full), edited: median(edited) };
}
// a line changed, and (as the VS Code suite types it) a line that runs a model's answer
measure((k) => `  echo "warm-up ${k}"`, 9);
const plain = measure((k) => `  echo "edited ${k}"`);
const finding = measure((k) => `  eval "$(sgpt --shell "clean up ${k}")"`);
cache.dispose();
analyzer.dispose();
console.log('Edit to diagnostics (the worker\'s analysis of a 1,000-line script after a one-line edit)');
for (const [what, m] of [['a changed line', plain], ['a new eval of a model answer', finding]]) {
  console.log(`  ${what}:`);
  console.log(`    full analysis       ${m.full.toFixed(1)} ms CPU (median of ${ROUNDS}, parse included)`);
  console.log(`    after the edit      ${m.edited.toFixed(1)} ms CPU (previous tree edited and reused)   (target < 20 ms)`);
  console.log(`    ratio edit/full     ${(m.edited / m.full).toFixed(2)}x`);
}
