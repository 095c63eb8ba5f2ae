/** Wording and severity of the Bash findings that the fixtures (lines only) cannot check. */
import { renderMessage } from '../../src/core/refs';
import * as assert from 'node:assert/strict';
import { analyzer } from './helpers';

async function findings(text: string) {
  return (await analyzer()).analyze(text, { language: 'bash' }).findings;
}

describe('Bash detection: severities and wording', () => {
  it('an execution behind a confirmation is a warning that names the question', async () => {
    const f = await findings('cmd=$(llm "a command")\nread -r -p "Run? [y/N] " ok\nif [[ $ok == y ]]; then\n  eval "$cmd"\nfi\n');
    const exec = f.find((x) => x.ruleId === 'bash-model-output-exec');
    assert.ok(exec, 'no finding');
    assert.equal(exec.severity, 'warning');
    assert.match(renderMessage(exec), /only after a confirmation \(`read -r -p "Run\? \[y\/N\] " ok`, line 2\)/);
    assert.ok(exec.path.some((s) => s.range.start.line === 1 && /asked to confirm/.test(s.message)), 'the path shows the question');
  });

  it('an unguarded execution stays an error', async () => {
    const f = await findings('cmd=$(llm "a command")\nread -r -p "Run? [y/N] " ok\neval "$cmd"\n');
    assert.equal(f.find((x) => x.ruleId === 'bash-model-output-exec')?.severity, 'error');
  });

  it('a flag that skips the confirmation is named', async () => {
    const text = 'case "$1" in\n  -y|--yes) YES=1 ;;\nesac\ncmd=$(llm "x")\nif [[ $YES == 1 ]] || gum confirm "Run?"; then\n  eval "$cmd"\nfi\n';
    const exec = (await findings(text)).find((x) => x.ruleId === 'bash-model-output-exec');
    assert.equal(exec?.severity, 'warning');
    assert.match(renderMessage(exec!), /which the flag `-y\|--yes\)` skips/);
  });

  it('staging on the command line is a warning with its own rule and wording', async () => {
    const f = await findings('w() {\n  BUFFER=$(llm "complete: $BUFFER")\n}\nzle -N w\n');
    const staged = f.find((x) => x.ruleId === 'bash-model-output-staged');
    assert.equal(staged?.category, 'model-output-execution');
    assert.equal(staged?.severity, 'warning');
    assert.match(renderMessage(staged!), /put on the command line by `BUFFER=` \(line 2\): one Enter runs it/);
    assert.ok(!f.some((x) => x.ruleId === 'bash-model-output-exec'), 'not reported as executed');
  });

  it('a coding agent with approvals off is execution, named by its flag, and not also a plain model call', async () => {
    const f = await findings('while :; do\n  claude -p "next task" --dangerously-skip-permissions\ndone\n');
    assert.deepEqual(f.map((x) => [x.ruleId, x.category, x.range.start.line]).sort(), [
      ['bash-agent-cli-exec', 'model-output-execution', 1],
      ['bash-agent-loop', 'recursive-spawning', 0],
    ]);
    assert.match(f.find((x) => x.ruleId === 'bash-agent-cli-exec')!.message, /with `--dangerously-skip-permissions`/);
  });
});
