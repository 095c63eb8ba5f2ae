/**
 * Analysis that cannot be hung or blinded: one deadline per analysis, loops that converge, and a
 * note for every budget that runs out, naming the budget and the place.
 */
import * as assert from 'node:assert/strict';
import { analyzer } from './helpers';
import { Budget, type FileResult } from '../../src/core/index';
import { Project } from '../../src/core/project';

const ids = (r: FileResult) => r.findings.map((f) => (f.budget ? `${f.ruleId}(${f.budget})` : f.ruleId));
const notes = (r: FileResult, budget: string) => r.findings.filter((f) => f.ruleId === 'analysis-incomplete' && f.budget === budget);

/** A deadline reached after `ticks` statements: reproducible whatever the machine's speed. */
const afterTicks = (ticks: number) => new Budget(1000, { maxTicks: ticks });

function nestedWhile(depth: number, body = 'eval(answer);'): string {
  return `import OpenAI from 'openai';\nconst client = new OpenAI();\nlet answer = '';\n${'while (true) {\n'.repeat(depth)}${body}\nanswer = await client.responses.create({ input: 'next' });\n${'}\n'.repeat(depth)}`;
}

describe('analysis budgets', function () {
  this.timeout(60000);

  it('nested JavaScript loops converge: 60 levels of while (true) take work linear in the depth, with the finding', async () => {
    const a = await analyzer();
    // Counted, not timed: a walk per level would take 2^60 rounds; converging takes about ten per level.
    const work = (depth: number) => {
      const budget = new Budget(Number.POSITIVE_INFINITY, { maxTicks: 5000 });
      const r = a.analyze(nestedWhile(depth), { path: 'nested.ts', budget });
      assert.deepEqual(notes(r, 'time'), [], `depth ${depth}: ran out of 5000 ticks: loops are re-walked per level again`);
      assert.ok(ids(r).includes('js-model-output-exec'), ids(r).join(', '));
      return budget.ticksSpent;
    };
    const [w30, w60] = [work(30), work(60)];
    assert.ok(w60 < 2.5 * w30, `30 levels took ${w30} ticks, 60 levels ${w60}: not linear`);
  });

  it('a loop-carried chain longer than the rounds allow ends in a loop-rounds note at the loop head', async () => {
    const a = await analyzer();
    const n = 10;
    const vars = Array.from({ length: n + 1 }, (_, i) => `v${i} = ''`).join(', ');
    const shifts = Array.from({ length: n }, (_, i) => `  v${i} = v${i + 1};`).join('\n');
    const text = `import OpenAI from 'openai';\nconst c = new OpenAI();\nlet ${vars};\nwhile (true) {\n  eval(v0);\n${shifts}\n  v${n} = await c.responses.create({ input: 'x' });\n}\n`;
    const r = a.analyze(text, { path: 'chain.ts' });
    const [note] = notes(r, 'loop-rounds');
    assert.ok(note, ids(r).join(', '));
    assert.equal(note.range.start.line, 3);
    assert.match(note.message, /loop rounds/);
  });

  it('the deadline covers the dataflow: past it, what was found stands and a time note says where the walk stopped', async () => {
    const a = await analyzer();
    const calls = Array.from({ length: 400 }, (_, i) => `x${i}=$(llm "q${i}")\neval "$x${i}"`).join('\n');
    const full = a.analyze(calls, { language: 'bash' });
    assert.equal(full.findings.filter((f) => f.ruleId === 'bash-model-output-exec').length, 400);
    const r = a.analyze(calls, { language: 'bash', budget: afterTicks(500) });
    const [note] = notes(r, 'time');
    assert.ok(note, ids(r).slice(0, 5).join(', '));
    assert.match(note.message, /ran out of its 1000 ms time budget \(analysisBudgetMs\)/);
    const execs = r.findings.filter((f) => f.ruleId === 'bash-model-output-exec');
    assert.ok(execs.length > 0 && execs.length < 400, `${execs.length} findings before the deadline`);
    assert.ok(note.range.start.line >= execs[execs.length - 1]!.range.start.line, 'the note stands where the walk stopped');
  });

  it('the deadline covers parsing: a file the parser cannot finish in time is skipped with the budget named', async () => {
    const a = await analyzer();
    const text = 'if true; then echo "$(date)"; fi\n'.repeat(20000);
    const r = a.analyze(text, { language: 'bash', config: { analysisBudgetMs: 1 } });
    assert.equal(r.skipped?.reason, 'time-budget');
    assert.match(r.skipped!.message, /1 ms time budget \(analysisBudgetMs\)/);
  });

  it('a Markdown fence the parser cannot finish in time gets a note at the fence, in document lines', async () => {
    const a = await analyzer();
    const md = `# title\n\ntext\n\n\`\`\`bash\n${'if true; then echo "$(date)"; fi\n'.repeat(20000)}\`\`\`\n`;
    const r = a.analyze(md, { language: 'markdown', config: { analysisBudgetMs: 1 } });
    const [note] = notes(r, 'time');
    assert.ok(note, ids(r).join(', '));
    assert.ok(note.range.start.line >= 5, `line ${note.range.start.line}`);
    assert.match(note.message, /this code block was not analysed/);
  });

  it('400 trivial Bash functions before one that runs model output: the finding is there', async () => {
    const a = await analyzer();
    const trivial = Array.from({ length: 400 }, (_, i) => `f${i}() { echo ${i}; }`).join('\n');
    const r = a.analyze(`${trivial}\nrun() { eval "$(llm "next step")"; }\n`, { language: 'bash' });
    assert.ok(ids(r).includes('bash-model-output-exec'), ids(r).join(', '));
  });

  it('more Bash function evaluations than the budget: a function-evaluations note names the function where it stopped', async () => {
    const a = await analyzer();
    // Every call with a new model origin is a new evaluation of g.
    const calls = Array.from({ length: 450 }, (_, i) => `g "$(llm "q${i}")"`).join('\n');
    const r = a.analyze(`g() { echo "$1"; }\n${calls}\nlast() { eval "$(llm "x")"; }\n`, { language: 'bash' });
    const [note] = notes(r, 'function-evaluations');
    assert.ok(note, ids(r).slice(0, 8).join(', '));
    assert.match(note.message, /function evaluations/);
    assert.ok(note.range.start.line > 0);
    // never silent: the finding, or the note that says it may be missing
    assert.ok(ids(r).includes('bash-model-output-exec') || note);
  });

  it('2,500 trivial JavaScript functions, each called, before one that runs model output: the finding is there', async () => {
    const a = await analyzer();
    const trivial = Array.from({ length: 2500 }, (_, i) => `function f${i}() { return ${i}; }\nf${i}();`).join('\n');
    const text = `import OpenAI from 'openai';\nconst c = new OpenAI();\n${trivial}\nasync function run() { eval(await c.responses.create({ input: 'x' })); }\nrun();\n`;
    const r = a.analyze(text, { path: 'many.ts', budget: Budget.unlimited() });
    assert.ok(ids(r).includes('js-model-output-exec'), ids(r).join(', '));
    assert.deepEqual(notes(r, 'function-evaluations'), []);
  });

  it('more JavaScript function evaluations than the budget: a note at the call where it stopped, a few notes and a count, never silence', async () => {
    const a = await analyzer();
    // Every call with a new model origin is a new evaluation of g: 2,100 of them.
    const calls = Array.from({ length: 2100 }, (_, i) => `g(await c.responses.create({ input: 'q${i}' }));`).join('\n');
    const text = `import OpenAI from 'openai';\nconst c = new OpenAI();\nfunction g(x) { return x; }\n${calls}\nasync function last() { eval(await c.responses.create({ input: 'x' })); }\n`;
    const r = a.analyze(text, { path: 'many.ts', budget: Budget.unlimited() });
    const evals = notes(r, 'function-evaluations');
    assert.equal(evals.length, 3, ids(r).filter((i) => i.startsWith('analysis')).join(', '));
    assert.match(evals[0]!.message, /it had evaluated \d+ function bodies \(function evaluations\); `g` and the functions after it were not followed/);
    assert.ok(evals[0]!.range.start.line > 2000, `line ${evals[0]!.range.start.line}`);
    assert.match(evals[2]!.message, /the same budget ran out at \d+ more places after this one/);
    // a function no call reached is still evaluated once on its own
    assert.ok(ids(r).includes('js-model-output-exec'), 'the uncalled function was not followed');
  });

  it('budget notes cannot be suppressed by the code that exhausts the budget', async () => {
    const a = await analyzer();
    const text = `# fang-ignore-file -- generated\n${Array.from({ length: 300 }, (_, i) => `x${i}=$(llm "q${i}")\neval "$x${i}"`).join('\n')}`;
    const r = a.analyze(text, { language: 'bash', budget: afterTicks(500) });
    assert.equal(notes(r, 'time').length, 1, ids(r).join(', '));
  });

  it('a dataflow path longer than the steps shown is cut with a marked step and a path-length note, the finding stays', async () => {
    const a = await analyzer();
    const chain = Array.from({ length: 40 }, (_, i) => `v${i + 1}="$v${i}"`).join('\n');
    const r = a.analyze(`v0=$(llm "a")\n${chain}\neval "$v40"\n`, { language: 'bash' });
    const exec = r.findings.find((f) => f.ruleId === 'bash-model-output-exec');
    assert.ok(exec, ids(r).join(', '));
    assert.ok(exec.path.some((s) => s.truncated && /path length/.test(s.message)), JSON.stringify(exec.path.map((s) => s.message)));
    const [note] = notes(r, 'path-length');
    assert.ok(note, ids(r).join(', '));
    assert.equal(note.range.start.line, exec.range.start.line);
  });

  it('a project with more modules than the dataflow follows: a files note on the entry, never silence', async () => {
    const p = new Project(await analyzer());
    try {
      const n = 305;
      for (let i = 0; i < n; i++) p.update(`/proj/m${i}.js`, `import OpenAI from 'openai';\nexport const a${i} = new OpenAI();\n`);
      p.update('/proj/llm.js', "import OpenAI from 'openai';\nconst c = new OpenAI();\nexport async function ask() {\n  return (await c.responses.create({ input: 'q' })).output_text;\n}\n");
      const imports = Array.from({ length: n }, (_, i) => `import { a${i} } from './m${i}.js';`).join('\n');
      p.update('/proj/main.js', `${imports}\nimport { ask } from './llm.js';\neval(await ask());\n`);
      const main = p.analyzeAll().find((r) => r.path === '/proj/main.js')!;
      const found = main.findings.some((f) => f.ruleId === 'js-model-output-exec');
      const [note] = notes(main, 'files');
      assert.ok(note, main.findings.map((f) => f.ruleId).join(', '));
      assert.match(note.message, /modules of the project \(files\)/);
      assert.ok(found || note);
    } finally {
      p.dispose();
    }
  });
});
