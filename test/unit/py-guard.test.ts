/**
 * Python executions behind a confirmation: the fixture's functions say by their name prefix what
 * each finding in them must be (confirmed_: a warning naming the question; flag_skips_: also
 * naming the flag; flag_branch_: an error naming the flag; not_a_confirmation_: a plain error).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'node:assert/strict';
import { renderMessage } from '../../src/core/refs';
import type { Finding } from '../../src/core/types';
import { analyzer } from './helpers';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', 'py-model-output-exec.py');

async function findings(text: string): Promise<Finding[]> {
  return (await analyzer()).analyze(text, { language: 'python' }).findings;
}

/** The name of the function a 0-based line is in (the nearest `def` above at a lower indent). */
function functionAt(lines: string[], line: number): string | undefined {
  const indent = /^\s*/.exec(lines[line]!)![0].length;
  for (let i = line; i >= 0; i--) {
    const m = /^(\s*)def (\w+)/.exec(lines[i]!);
    if (m && m[1]!.length < indent) return m[2];
  }
  return undefined;
}

describe('Python: executions behind a confirmation', () => {
  it('the fixture: each prefix of function gets its severity and wording', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const lines = text.split('\n');
    const seen = new Map<string, number>();
    for (const f of (await findings(text)).filter((x) => x.ruleId === 'py-model-output-exec')) {
      const fn = functionAt(lines, f.range.start.line) ?? '';
      const prefix = /^(confirmed|flag_skips|flag_branch|not_a_confirmation)_/.exec(fn)?.[1];
      const msg = renderMessage(f);
      // run_command is called only from confirmed_at_the_call: the question is at its call site
      const kind = fn === 'run_command' ? 'confirmed' : prefix;
      if (!kind) {
        assert.equal(f.severity, 'error', `line ${f.range.start.line + 1}: ${msg}`);
        assert.doesNotMatch(msg, /confirmation/);
        continue;
      }
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      if (kind === 'confirmed' || kind === 'flag_skips') {
        assert.equal(f.severity, 'warning', `line ${f.range.start.line + 1} (${fn}): ${msg}`);
        assert.match(msg, /only after a confirmation \(`.+`, line \d+\)/);
        assert.ok(f.path.some((s) => /the user is asked to confirm here/.test(s.message)), `${fn}: the path shows the question`);
        if (kind === 'flag_skips') assert.match(msg, /which `-y\/--yes` skips$/, fn);
        else assert.doesNotMatch(msg, /skips/, fn);
      } else if (kind === 'flag_branch' && /only after a confirmation/.test(msg)) {
        // the other branch of the same `if`: asked unless the flag is given
        assert.equal(f.severity, 'warning', `${fn}: ${msg}`);
        assert.match(msg, /which `-y\/--yes` skips$/, fn);
      } else if (kind === 'flag_branch') {
        assert.equal(f.severity, 'error', `${fn}: ${msg}`);
        assert.match(msg, /without a confirmation: this branch is taken when (`-y\/--yes`|the environment variable `AI_AUTO_CONFIRM`) is set/, fn);
      } else {
        assert.equal(f.severity, 'error', `${fn}: ${msg}`);
        assert.doesNotMatch(msg, /confirmation/, fn);
      }
    }
    // confirmed: input x2, questionary, typer abort, rich, the call site; flag_branch: the flag's
    // branch and the env var (the elif behind click.confirm is confirmed, inside flag_branch_yes)
    assert.deepEqual(Object.fromEntries([...seen].sort()), { confirmed: 6, flag_branch: 3, flag_skips: 2, not_a_confirmation: 3 });
  });

  it('the question is named in the other module when the sink is reached through a call there', async () => {
    const f = await findings(
      'import os, click\nfrom openai import OpenAI\nc = OpenAI()\n\ndef run(cmd):\n    os.system(cmd)\n\n' +
        'cmd = c.responses.create(model="gpt-4o", input="a command").output_text\nif click.confirm("Run?"):\n    run(cmd)\nrun(cmd)\n',
    );
    const exec = f.filter((x) => x.ruleId === 'py-model-output-exec');
    assert.equal(exec.length, 1);
    // one of the two calls is not asked: the sink stays an error
    assert.equal(exec[0]!.severity, 'error');
  });

  it('a question about something else, or the else branch of a yes, guards nothing', async () => {
    const text =
      'import os, click\nfrom openai import OpenAI\nc = OpenAI()\ncmd = c.responses.create(model="gpt-4o", input="x").output_text\n' +
      'if click.confirm("Save history?"):\n    print("ok")\nos.system(cmd)\n' +
      'if input("print only? [y/N]") == "y":\n    print(cmd)\nelse:\n    os.system(cmd)\n' +
      'if not click.confirm("Run?"):\n    os.system(cmd)\n';
    const exec = (await findings(text)).filter((x) => x.ruleId === 'py-model-output-exec');
    assert.deepEqual(exec.map((x) => [x.range.start.line + 1, x.severity]), [[7, 'error'], [11, 'error'], [13, 'error']]);
  });
});
