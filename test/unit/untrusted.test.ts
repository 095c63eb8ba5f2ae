/** A configuration from an untrusted workspace may only make Fang stricter (src/core/untrusted.ts). */
import * as assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/config';
import { applyFloor, splitUntrusted } from '../../src/core/untrusted';
import { analyzer } from './helpers';

describe('configuration from an untrusted workspace', () => {
  it('keeps raises and additions, drops and names everything that lowers, hides or skips', () => {
    const { config } = parseConfig({
      rules: { 'bash-model-cli-call': 'error', 'bash-model-output-exec': 'off', 'bash-agent-loop': 'note' },
      categories: { 'recursive-spawning': 'warning', 'self-invocation': 'off' },
      modelCommands: ['my-llm'],
      ignore: ['**/*.sh'],
      maxFileBytes: 1,
    });
    const s = splitUntrusted(config, '.fang.json');
    assert.deepEqual(s.floor, { rules: { 'bash-model-cli-call': 'error' }, categories: { 'recursive-spawning': 'warning' } });
    assert.deepEqual(s.additive, { modelCommands: ['my-llm'] });
    assert.deepEqual(s.ignored.map((p) => p.key).sort(), [
      '.fang.json: categories.self-invocation',
      '.fang.json: ignore',
      '.fang.json: maxFileBytes',
      '.fang.json: rules.bash-agent-loop',
      '.fang.json: rules.bash-model-output-exec',
    ]);
    assert.ok(s.ignored.every((p) => /not trusted/.test(p.message)));
  });

  it('raises severities on real findings and never lowers one', async () => {
    const a = await analyzer();
    const findings = a.analyze('eval "$(llm "fix it")"\n', { language: 'bash' }).findings;
    const before = Object.fromEntries(findings.map((f) => [f.ruleId, f.severity]));
    assert.deepEqual(before, { 'bash-model-cli-call': 'warning', 'bash-model-output-exec': 'error' });
    const { floor } = splitUntrusted({ rules: { 'bash-model-cli-call': 'error', 'bash-model-output-exec': 'warning' }, categories: { 'model-output-execution': 'note' } }, '.fang.json');
    const after = Object.fromEntries(applyFloor(findings, floor).map((f) => [f.ruleId, f.severity]));
    assert.deepEqual(after, { 'bash-model-cli-call': 'error', 'bash-model-output-exec': 'error' });
    assert.equal(applyFloor(findings, floor).length, findings.length);
  });
});
