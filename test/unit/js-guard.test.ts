/**
 * JavaScript/TypeScript executions behind a confirmation: the fixture's functions say by their
 * name prefix what each finding in them must be (confirmed: a warning naming the question;
 * flagSkips: also naming the flag; flagBranch: an error naming the flag; notAConfirmation: a
 * plain error). runCommand is called only from confirmedAtTheCall, behind its question.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'node:assert/strict';
import { renderMessage } from '../../src/core/refs';
import type { Finding } from '../../src/core/types';
import { analyzer } from './helpers';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ts', 'js-model-output-exec.mts');

async function findings(text: string, path = 'snippet.mts'): Promise<Finding[]> {
  return (await analyzer()).analyze(text, { language: 'typescript', path }).findings;
}

function functionAt(lines: string[], line: number): string | undefined {
  for (let i = line; i >= 0; i--) {
    const m = /^(?:export )?(?:async )?function (\w+)/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

describe('JavaScript: executions behind a confirmation', () => {
  it('the fixture: each prefix of function gets its severity and wording', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const lines = text.split('\n');
    const seen = new Map<string, number>();
    for (const f of (await findings(text, FIXTURE)).filter((x) => x.ruleId === 'js-model-output-exec')) {
      const fn = functionAt(lines, f.range.start.line) ?? '';
      const kind = fn === 'runCommand' ? 'confirmed' : /^(confirmed|flagSkips|flagBranch|notAConfirmation)/.exec(fn)?.[1];
      const msg = renderMessage(f);
      assert.ok(kind, `line ${f.range.start.line + 1} in ${fn}: ${msg}`);
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      if (kind === 'confirmed' || kind === 'flagSkips') {
        assert.equal(f.severity, 'warning', `${fn}: ${msg}`);
        assert.match(msg, /only after a confirmation \(`.+`, line \d+\)/, fn);
        assert.ok(f.path.some((s) => /the user is asked to confirm here/.test(s.message)), `${fn}: the path shows the question`);
        if (kind === 'flagSkips') assert.match(msg, /which `-y\/--yes` skips$/, fn);
        else assert.doesNotMatch(msg, /skips/, fn);
      } else if (kind === 'flagBranch') {
        assert.equal(f.severity, 'error', `${fn}: ${msg}`);
        assert.match(msg, /without a confirmation: this branch is taken when (`-y\/--yes`|`--yes`|the environment variable `AI_AUTO_CONFIRM`) is set/, fn);
      } else {
        assert.equal(f.severity, 'error', `${fn}: ${msg}`);
        assert.doesNotMatch(msg, /confirmation/, fn);
      }
    }
    assert.deepEqual(Object.fromEntries([...seen].sort()), { confirmed: 6, flagBranch: 3, flagSkips: 2, notAConfirmation: 3 });
  });

  it('a function called once behind a question and once without stays an error', async () => {
    const text =
      "import { execSync } from 'node:child_process';\nimport OpenAI from 'openai';\nconst c = new OpenAI();\n" +
      "function run(cmd: string) {\n  execSync(cmd);\n}\n" +
      "const r = await c.chat.completions.create({ model: 'gpt-4o', messages: [] });\nconst cmd = r.choices[0].message.content ?? '';\n" +
      "if (confirm('Run?')) run(cmd);\nrun(cmd);\n";
    const exec = (await findings(text)).filter((x) => x.ruleId === 'js-model-output-exec');
    assert.equal(exec.length, 1);
    assert.equal(exec[0]!.severity, 'error');
  });
});
