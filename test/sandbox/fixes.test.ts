/**
 * The quick fixes proven by running them (issue 15 item 4): each hostile fixture in
 * test/fixtures/fixes is dry-run under real bubblewrap as written and as rewritten by its fix.
 * "Insert confirmation", answered no (the sandbox's stdin is empty, and an explicit `n`), must
 * run nothing the original did not run and must not run the model's answer; answered y, it must
 * still do what the original did. "Add an iteration cap" must stop an endless agent loop after
 * its cap, where the original runs until the time limit.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../src/core/index';
import { applyFix, fixTarget, ITERATION_CAP } from '../../src/core/fixes/index';
import type { DryRunReport } from '../../src/sandbox';
import { dryRun, requireSandbox, tempWorkspace } from './helpers';

const DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fixes');
/** The model's answer: a command whose file shows when the answer was run. */
const MARK = 'ran-by-model';
const RESPONSES = { rules: [{ pattern: '.*', answers: [`touch ${MARK}`] }], defaultAnswer: `touch ${MARK}` };

/** What ran, by argv, leaving out the snippet's own shell and the model stubs. */
function commands(r: DryRunReport): Set<string> {
  return new Set(r.processes.filter((p) => !p.model && p.ppid !== null && !p.argv.includes('/run/fang/snippet.sh')).map((p) => p.argv.join(' ')));
}

function files(r: DryRunReport): string[] {
  return r.fileChanges.map((f) => f.path.replace(/^.*\//, ''));
}

describe('quick fixes, dry-run as written and as rewritten (real bubblewrap)', function () {
  this.timeout(120_000);
  let analyzer: Analyzer;
  let ws: string;
  before(async () => {
    await requireSandbox();
    analyzer = await Analyzer.create();
  });
  after(() => analyzer?.dispose());
  beforeEach(() => {
    ws = tempWorkspace({ 'notes.txt': 'x\n' });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  function rewrite(file: string, category: 'model-output-execution' | 'recursive-spawning'): { code: string; fixed: string; lang: 'bash' | 'js' } {
    const code = fs.readFileSync(path.join(DIR, file), 'utf8');
    const language = file.endsWith('.sh') ? 'bash' : 'javascript';
    const finding = analyzer.analyze(code, { language }).findings.find((f) => f.category === category);
    assert.ok(finding, `${file}: no ${category} finding`);
    const fixes = analyzer.fixes(code, language, fixTarget(finding));
    assert.equal(fixes.length, 1, `${file}: no fix offered`);
    return { code, fixed: applyFix(code, fixes[0]!), lang: language === 'bash' ? 'bash' : 'js' };
  }

  const confirmFixtures = fs.readdirSync(DIR).filter((f) => f.startsWith('confirm-')).sort();
  it('has hostile fixtures for the confirmation', () => assert.ok(confirmFixtures.length >= 9, confirmFixtures.join(', ')));

  for (const file of confirmFixtures) {
    it(`${file}: answered no, the rewrite runs nothing new and not the answer; answered y, it runs the answer`, async () => {
      const { code, fixed } = rewrite(file, 'model-output-execution');
      const run = async (text: string) => (await dryRun({ code: text, language: 'bash', workspaceDir: ws, responses: RESPONSES })).report;
      const original = await run(code);
      assert.ok(files(original).includes(MARK), `${file}: the original did not run the model's answer: ${JSON.stringify(original.fileChanges)}`);
      for (const [label, prefix] of [['an empty stdin', ''], ['"n"', "exec 0<<<'n'\n"]] as const) {
        const declined = await run(prefix + fixed);
        const extra = [...commands(declined)].filter((c) => !commands(original).has(c));
        assert.deepEqual(extra, [], `${file}, ${label}: the rewrite ran commands the original did not`);
        assert.ok(!files(declined).includes(MARK), `${file}, ${label}: the answer ran although declined`);
        assert.ok(!files(declined).includes('X'), `${file}, ${label}: text from a comment or a string ran`);
        assert.deepEqual(declined.executedModelOutput, [], `${file}, ${label}`);
        assert.ok(declined.modelCalls.length >= 1, `${file}, ${label}: the model was not even asked`);
        // the generated code was shown before the question
        assert.match(declined.stderr, new RegExp(`touch ${MARK}`), `${file}, ${label}: the answer was not printed`);
      }
      const accepted = await run(`exec 0<<<'y'\n${fixed}`);
      assert.ok(files(accepted).includes(MARK), `${file}: answered y, the answer did not run: ${accepted.stderr}`);
      assert.ok(!files(accepted).includes('X'), `${file}: answered y, text from a comment or a string ran`);
    });
  }

  const capFixtures = fs.readdirSync(DIR).filter((f) => f.startsWith('cap-')).sort();
  it('has hostile fixtures for the iteration cap', () => assert.ok(capFixtures.length >= 5, capFixtures.join(', ')));

  for (const file of capFixtures) {
    it(`${file}: the capped loop stops by the cap and runs nothing new`, async () => {
      const { code, fixed, lang } = rewrite(file, 'recursive-spawning');
      const answer = lang === 'bash' ? 'true' : '1';
      const responses = { rules: [{ pattern: '.*', answers: [answer] }], defaultAnswer: answer };
      // Every run may take its turns as slowly as a busy machine makes it: the capped one must end
      // by the cap, not by the clock, and whether a loop is endless is decided by what it does,
      // never by how far it got before a time limit.
      const capped = (await dryRun({ code: fixed, language: lang, workspaceDir: ws, responses, limits: { timeMs: 30_000 } })).report;
      assert.ok(!capped.limitsHit.includes('time'), `${file}: the capped loop still ran into the time limit`);
      const reachedCap = new RegExp(`stopping after ${ITERATION_CAP} iterations`).test(capped.stderr);
      // A loop the cap stopped must be endless as written: the original runs until its time limit.
      // A loop that ended by itself must end by itself as written too, given all the time it needs.
      const original = (await dryRun({ code, language: lang, workspaceDir: ws, responses, limits: reachedCap ? {} : { timeMs: 30_000 } })).report;
      const extra = [...commands(capped)].filter((c) => !commands(original).has(c));
      assert.deepEqual(extra, [], `${file}: the rewrite ran commands the original did not`);
      if (reachedCap) {
        assert.ok(original.limitsHit.includes('time'), `${file}: the cap stopped a loop that ends by itself as written (${original.modelCalls.length} model calls)`);
        // each turn asks the model at most twice here (head and body)
        assert.ok(capped.modelCalls.length <= 2 * (ITERATION_CAP + 1), `${file}: ${capped.modelCalls.length} model calls`);
      } else {
        assert.ok(!original.limitsHit.includes('time'), `${file}: the original loop is endless but the capped one did not stop at the cap: ${capped.stderr.slice(-300)}`);
        assert.equal(capped.modelCalls.length, original.modelCalls.length, `${file}: a bounded loop must run as before`);
      }
    });
  }
});
