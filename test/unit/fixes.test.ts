/**
 * Quick fixes built from the syntax tree (src/core/fixes) on hostile lines: comments with quotes,
 * `$(` and " do " inside strings, heredocs, a brace in a string. Each fix must be offered, must
 * parse as planned (the core checks that before offering it), and must put its pieces where
 * they act: checked here by reading the rewritten tree. test/sandbox/fixes.test.ts dry-runs them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyFix, fixTarget, type RejectedFix } from '../../src/core/fixes/index';
import { applyEdits, disproof } from '../../src/core/fixes/rewrite';
import { Grammars } from '../../src/core/parser';
import type { Finding } from '../../src/core/types';
import { analyzer, ROOT } from './helpers';

const DIR = path.join(ROOT, 'test', 'fixtures', 'fixes');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');

async function fixed(file: string, category: Finding['category']): Promise<{ text: string; out: string; title: string }> {
  const a = await analyzer();
  const text = read(file);
  const language = file.endsWith('.sh') ? 'bash' : 'javascript';
  const findings = a.analyze(text, { language }).findings.filter((f) => f.category === category);
  assert.equal(findings.length >= 1, true, `${file}: no ${category} finding`);
  const rejected: RejectedFix[] = [];
  const fixes = a.fixes(text, language, fixTarget(findings[0]!), rejected);
  assert.equal(fixes.length, 1, `${file}: ${fixes.length} fixes; rejected: ${JSON.stringify(rejected)}`);
  return { text, out: applyFix(text, fixes[0]!), title: fixes[0]!.title };
}

describe('quick fixes from the syntax tree', function () {
  this.timeout(20_000);

  it('"Insert confirmation" keeps a comment a comment and runs nothing from it', async () => {
    const { out, title } = await fixed('confirm-comment-quotes.sh', 'model-output-execution');
    assert.match(title, /Insert confirmation/);
    assert.equal(out, [
      '#!/bin/bash',
      'fang_generated=$(llm hi)',
      `printf '%s\\n' "$fang_generated" >&2`,
      `read -r -p 'Run the generated code above? [y/N] ' fang_answer`,
      'if [ "${fang_answer-}" = y ]; then',
      '  eval $fang_generated',
      'fi # "; touch X; : "$(true)',
      'echo after',
      '',
    ].join('\n'));
  });

  it('captures exactly the substitution that holds the model call, quotes and `$(` inside it included', async () => {
    const { out } = await fixed('confirm-subst-in-string.sh', 'model-output-execution');
    assert.match(out, /^fang_generated=\$\(llm "say \\"\\\$\(touch X\)\\" and \) do"\)$/m);
    assert.match(out, /^  eval "\$fang_generated"$/m);
  });

  it('a pipe into a shell: the stages before it are captured, the comment stays', async () => {
    const { out } = await fixed('confirm-pipe-comment.sh', 'model-output-execution');
    assert.match(out, /^fang_generated=\$\(llm 'write code'\)$/m);
    assert.match(out, /^  printf '%s\\n' "\$fang_generated" \| bash$/m);
    assert.match(out, /^fi # \| sh ; touch X$/m);
  });

  it('a command in the middle of a line, with a redirection and a command after it', async () => {
    const { out } = await fixed('confirm-mid-line.sh', 'model-output-execution');
    assert.match(out, /^x=1; fang_generated=\$\(llm 'echo "\$\(" do '\)$/m);
    assert.match(out, /^  eval "\$fang_generated" 2>\/dev\/null$/m);
    assert.match(out, /^fi; echo after "\$x"$/m);
  });

  it('a heredoc: the answer is captured and the heredoc body keeps its terminator line', async () => {
    const { out } = await fixed('confirm-heredoc.sh', 'model-output-execution');
    assert.match(out, /^fang_generated=\$\(llm "code for: \) do done"\)$/m);
    assert.match(out, /^  bash <<EOF\n\$fang_generated\nEOF\nfi\necho after$/m);
  });

  it('model output in a variable: the variable is printed, the command runs only on yes', async () => {
    const { out } = await fixed('confirm-variable.sh', 'model-output-execution');
    assert.match(out, /^printf '%s\\n' "\$out" >&2$/m);
    assert.match(out, /^  eval "\$out"\nfi # ; touch X$/m);
  });

  it('a command inside a list becomes a group that stops the script when the answer is no', async () => {
    const { out } = await fixed('confirm-list.sh', 'model-output-execution');
    assert.match(out, /^true && \{\n  fang_generated=\$\(llm hi\)\n[\s\S]*\n  else\n    echo 'not run; stopping' >&2\n    exit 1\n  fi\n\} \|\| touch X$/m);
  });

  it('process substitution and here-string', async () => {
    const ps = await fixed('confirm-process-subst.sh', 'model-output-execution');
    assert.match(ps.out, /^fang_generated=\$\(llm "print env \) do"\)$/m);
    assert.match(ps.out, /^  source <\(printf '%s\\n' "\$fang_generated"\)$/m);
    const hs = await fixed('confirm-herestring.sh', 'model-output-execution');
    assert.match(hs.out, /^  bash <<< "\$fang_generated"\nfi # \$\($/m);
  });

  it('"Add an iteration cap" goes after the loop\'s own `do`, never into a string or a comment', async () => {
    const strings = await fixed('cap-do-in-strings.sh', 'recursive-spawning');
    assert.equal(strings.out.split('\n')[1], 'fang_iterations=0');
    assert.match(strings.out, /^for i in "a do b" c; do\n  fang_iterations=\$\(\(fang_iterations \+ 1\)\)\n  if \[ "\$fang_iterations" -gt 10 \]; then echo "stopping after 10 iterations" >&2; break; fi; eval/m);
    const head = await fixed('cap-do-in-head.sh', 'recursive-spawning');
    assert.match(head.out, /"stop do" \]; do\n  fang_iterations=/);
    const heredoc = await fixed('cap-heredoc-body.sh', 'recursive-spawning');
    assert.match(heredoc.out, /^while :; do\n  fang_iterations=[^\n]*\n  if [^\n]*fi # do "quote\n  cat <<EOF \| bash\n\$\(llm "next do"\)\nEOF\ndone$/m);
  });

  it('JavaScript: the guard goes after the body\'s own `{`, a single statement gets braces', async () => {
    const brace = await fixed('cap-brace-in-string.mjs', 'recursive-spawning');
    assert.match(brace.out, /^let fangIterations = 0;\nwhile \(prompt !== '\{ stop \}'\) \{\n  if \(\+\+fangIterations > 10\) \{ console\.error\('stopping after 10 iterations'\); break; \} prompt = ask/m);
    const single = await fixed('cap-single-statement.mjs', 'recursive-spawning');
    assert.match(single.out, /^let fangIterations = 0;\nfor \(const task of ask\('list tasks \{ one per line \}'\)\.split\('\\n'\)\) \{ if \(\+\+fangIterations > 10\) \{[^}]*\} eval\(ask\(`code for \$\{task\}`\)\); \}$/m);
  });

  it('a rewrite whose piece would land in a string, or add a syntax error, is disproved', async () => {
    const g = await Grammars.load(undefined, ['bash']);
    const text = 'echo "a b"\n';
    const before = g.parse('bash', text, 1000);
    const check = (edit: { start: number; end: number; text: string }) => {
      const r = { title: 't', edits: [edit], expect: [{ edit: 0, offset: 0, length: edit.text.length, types: ['variable_assignment'] }] };
      const applied = applyEdits(text, r.edits);
      const after = g.parse('bash', applied.text, 1000);
      try {
        return disproof(before, after, r, applied.starts);
      } finally {
        after.delete();
      }
    };
    try {
      assert.equal(check({ start: 0, end: 0, text: 'n=0' }), '`n=0` does not parse as variable_assignment', 'glued to the next word');
      assert.equal(check({ start: 0, end: 0, text: 'n=0\n' }), '`n=0` does not parse as variable_assignment', 'the expectation covers the newline too');
      assert.match(check({ start: 7, end: 7, text: 'n=0' }) ?? '', /does not parse as variable_assignment/, 'inside the string');
      assert.match(check({ start: 0, end: 0, text: 'if n=0' }) ?? '', /syntax error/);
      // the same piece as its own statement is proven
      const r = { title: 't', edits: [{ start: 0, end: 0, text: 'n=0\n' }], expect: [{ edit: 0, offset: 0, length: 3, types: ['variable_assignment'] }] };
      const applied = applyEdits(text, r.edits);
      const after = g.parse('bash', applied.text, 1000);
      assert.equal(disproof(before, after, r, applied.starts), undefined);
      after.delete();
    } finally {
      before.delete();
      g.dispose();
    }
  });

  it('names it uses are new in the file', async () => {
    const a = await analyzer();
    const text = 'fang_generated=1; fang_answer=2\neval "$(llm hi)"\n';
    const f = a.analyze(text, { language: 'bash' }).findings.find((x) => x.category === 'model-output-execution')!;
    const out = applyFix(text, a.fixes(text, 'bash', fixTarget(f))[0]!);
    assert.match(out, /fang_generated_2=\$\(llm hi\)/);
    assert.match(out, /fang_answer_2/);
  });

  it('in Markdown: a plain fence is rewritten at document positions; an indented or console fence is left alone', async () => {
    const a = await analyzer();
    const md = '# notes\n\n```bash\neval "$(llm hi)" # "; x\n```\n\n```console\n$ eval "$(llm hi)"\n```\n';
    const findings = a.analyze(md, { language: 'markdown' }).findings.filter((f) => f.category === 'model-output-execution');
    assert.equal(findings.length, 2);
    const plain = a.fixes(md, 'markdown', fixTarget(findings[0]!));
    assert.equal(plain.length, 1);
    assert.match(applyFix(md, plain[0]!), /```bash\nfang_generated=\$\(llm hi\)\n[\s\S]*\n  eval "\$fang_generated"\nfi # "; x\n```\n\n```console/);
    assert.deepEqual(a.fixes(md, 'markdown', fixTarget(findings[1]!)), []);
  });
});
