/**
 * Property-based tests: on generated and mutated Bash and TS/JS, the analysis never throws,
 * returns within its deadline plus a margin, and never turns a known finding into silence (a
 * truncated analysis says so with a budget note). FANG_PROPERTY_RUNS scales the number of runs,
 * FANG_PROPERTY_SEED changes the inputs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzer, ROOT } from './helpers';
import { Budget, type Analyzer, type FileResult } from '../../src/core/index';
import { bashProgram, bashStress, jsProgram, jsStress, mutate, pad } from '../gen/code';
import { ParseCache } from '../../src/core/parse-cache';

const RUNS = Number(process.env.FANG_PROPERTY_RUNS ?? 1);
/** FANG_PROPERTY_SEED explores other inputs than the fixed seeds every run checks. */
const SEED = process.env.FANG_PROPERTY_SEED === undefined ? undefined : Number(process.env.FANG_PROPERTY_SEED);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));
/** The deadline these tests give, and what may pass past it: the parser reads the clock only between steps. */
const BUDGET_MS = 1500;
const MARGIN_MS = 1500;

type Lang = 'bash' | 'js';
const options = (lang: Lang) => (lang === 'bash' ? { language: 'bash' as const } : { path: 'gen.ts' });

function timed(a: Analyzer, text: string, lang: Lang, budget?: Budget): { r: FileResult; ms: number } {
  const t = performance.now();
  const r = a.analyze(text, { ...options(lang), config: { analysisBudgetMs: BUDGET_MS }, budget });
  return { r, ms: performance.now() - t };
}

const noted = (r: FileResult) => r.skipped?.reason === 'time-budget' || r.findings.some((f) => f.ruleId === 'analysis-incomplete' && f.budget);
const counts = (r: FileResult) => {
  const m = new Map<string, number>();
  for (const f of r.findings) if (f.ruleId !== 'analysis-incomplete') m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
  return m;
};

/** Terminates and answers in time; describes the input when it does not. */
function checkBounded(a: Analyzer, text: string, lang: Lang): FileResult {
  const { r, ms } = timed(a, text, lang);
  assert.ok(ms <= BUDGET_MS + MARGIN_MS, `took ${ms.toFixed(0)} ms with a ${BUDGET_MS} ms budget (${text.length} chars)`);
  for (const f of r.findings) assert.ok(f.range.start.line >= 0 && f.range.start.line <= text.split('\n').length, `finding outside the text: ${f.ruleId}@${f.range.start.line}`);
  return r;
}

function fixtures(lang: Lang): { file: string; text: string }[] {
  const dir = path.join(ROOT, 'test', 'fixtures', lang === 'bash' ? 'bash' : 'ts');
  return fs
    .readdirSync(dir)
    .filter((f) => (lang === 'bash' ? f.endsWith('.sh') : /\.(ts|js|mjs|cjs)$/.test(f)))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

describe('analysis properties (fast-check)', function () {
  this.timeout(600_000);
  let a: Analyzer;
  before(async () => {
    a = await analyzer();
  });

  for (const [lang, program, stress] of [
    ['bash', bashProgram, bashStress],
    ['js', jsProgram, jsStress],
  ] as const) {
    describe(lang, () => {
      it('grammar-shaped programs: never throws, answers within the deadline plus a margin', () => {
        fc.assert(
          fc.property(program, (text) => {
            checkBounded(a, text, lang);
          }),
          { numRuns: runs(150), seed: SEED ?? 42 },
        );
      });

      it('deep nesting, long pipelines, many functions, huge lines: within the deadline, and a finding or a budget note', () => {
        fc.assert(
          fc.property(stress, (text) => {
            const r = checkBounded(a, text, lang);
            const execRule = lang === 'bash' ? 'bash-model-output-exec' : 'js-model-output-exec';
            assert.ok(r.findings.some((f) => f.ruleId === execRule) || noted(r), `silence on a known finding: ${r.findings.map((f) => f.ruleId).join(', ') || 'nothing'} (${text.length} chars)`);
          }),
          { numRuns: runs(12), seed: SEED ?? 7 },
        );
      });

      it('mutated fixtures: never throws, answers within the deadline plus a margin', () => {
        const files = fixtures(lang);
        fc.assert(
          fc.property(
            fc.nat({ max: files.length - 1 }).chain((i) => mutate(files[i]!.text).map((text) => ({ file: files[i]!.file, text }))),
            ({ text }) => {
              checkBounded(a, text, lang);
            },
          ),
          { numRuns: runs(60), seed: SEED ?? 3 },
        );
      });

      it('padded fixtures keep every finding, or say with a budget note that some may be missing', () => {
        const files = fixtures(lang).filter((f) => !/analysis-incomplete|suppression/.test(f.file));
        fc.assert(
          fc.property(
            fc.nat({ max: files.length - 1 }).chain((i) => pad(files[i]!.text, lang).map((text) => ({ file: files[i]!.file, base: files[i]!.text, text }))),
            ({ file, base, text }) => {
              const before = counts(a.analyze(base, { ...options(lang), path: file }));
              const r = checkBounded(a, text, lang);
              if (noted(r)) return;
              const after = counts(a.analyze(text, { ...options(lang), path: file, config: { analysisBudgetMs: BUDGET_MS } }));
              for (const [id, n] of before) assert.ok((after.get(id) ?? 0) >= n, `${file}: ${id} ${n} -> ${after.get(id) ?? 0} with no budget note`);
            },
          ),
          { numRuns: runs(24), seed: SEED ?? 11 },
        );
      });

      it('after any sequence of edits, analysing with the previous trees (incremental parsing) finds what a fresh analysis finds', () => {
        const files = fixtures(lang);
        fc.assert(
          fc.property(
            fc.nat({ max: files.length - 1 }),
            fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', 'x', ' $(', '\n', 'eval "$x"\n', 'exec(x);\n', '"', '}', 'while true; do\n')), { minLength: 1, maxLength: 6 }),
            (i, edits) => {
              const { file, text: start } = files[i]!;
              const cache = new ParseCache();
              try {
                let text = start;
                a.analyze(text, { ...options(lang), path: file, cache });
                for (const [at, len, insert] of edits) {
                  const from = at % (text.length + 1);
                  text = text.slice(0, from) + insert + text.slice(Math.min(text.length, from + (len % 40)));
                  const inc = a.analyze(text, { ...options(lang), path: file, cache });
                  const fresh = a.analyze(text, { ...options(lang), path: file });
                  assert.deepEqual(inc.findings, fresh.findings);
                }
              } finally {
                cache.dispose();
              }
            },
          ),
          { numRuns: runs(40), seed: SEED ?? 13 },
        );
      });

      it('cut short at any point (a deadline after k steps), a known finding stays or a time note says why not', () => {
        const text = lang === 'bash' ? `${'echo pad\n'.repeat(40)}x=$(llm "a")\n${'echo more\n'.repeat(40)}eval "$x"\n` : `${JS_HEAD}${'console.log(1);\n'.repeat(40)}const r = await client.responses.create({ input: "q" });\n${'console.log(2);\n'.repeat(40)}eval(r.output_text);\n`;
        const execRule = lang === 'bash' ? 'bash-model-output-exec' : 'js-model-output-exec';
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 400 }), (k) => {
            const r = a.analyze(text, { ...options(lang), budget: new Budget(BUDGET_MS, { maxTicks: k }) });
            assert.ok(r.findings.some((f) => f.ruleId === execRule) || r.findings.some((f) => f.budget === 'time'), `k=${k}: silent`);
          }),
          { numRuns: runs(60), seed: SEED ?? 5 },
        );
      });
    });
  }
});

const JS_HEAD = 'import OpenAI from "openai";\nconst client = new OpenAI();\n';
