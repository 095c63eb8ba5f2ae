/** What enters the dry-run from outside: model command scan, response scripts, limits, reports. */
import * as assert from 'node:assert/strict';
import { modelCommandsIn, normalizeResponses, parseReport, resolveLimits } from '../../src/sandbox';
import { sandboxEnv } from '../../src/sandbox/env';
import { needsStub } from '../../src/sandbox/prepare';

describe('model commands a snippet names', () => {
  it('finds catalog commands, wrapper names and the values of wrapper variables', () => {
    const code = 'RUN_AI=./query-model\nLLM="ollama run llama3"\nx=$(llm "hi")\n$RUN_AI "list" | ask_gpt\npip install llm\necho sgpt\n';
    assert.deepEqual(modelCommandsIn(code, 'bash'), ['./query-model', 'ask_gpt', 'llm', 'ollama']);
  });
  it('reads commands inside JS strings and configured names', () => {
    assert.deepEqual(modelCommandsIn("execSync(`mods 'x'`); spawn('ls')", 'js', ['mytool ask']), ['mods', 'mytool']);
  });
  it('starts the stub only when something can reach a model or the network', () => {
    assert.equal(needsStub('echo hi\nls -la\n', 'bash', []), false);
    assert.equal(needsStub('curl https://x.example', 'bash', []), true);
    assert.equal(needsStub('echo hi', 'bash', ['llm']), true);
    assert.equal(needsStub('console.log(1)', 'js', []), true);
  });
});

describe('response scripts', () => {
  it('accepts the list and the map forms', () => {
    assert.deepEqual(normalizeResponses({ responses: [{ when: 'list', answer: 'a\nb' }, { when: 'code', answers: ['x', 'y'] }], default: 'd' }), {
      rules: [{ pattern: 'list', answers: ['a\nb'] }, { pattern: 'code', answers: ['x', 'y'] }],
      defaultAnswer: 'd',
    });
    assert.deepEqual(normalizeResponses({ 'ideas?': ['1', '2'] }).rules, [{ pattern: 'ideas?', answers: ['1', '2'] }]);
  });
  it('rejects bad scripts with a message that names the problem', () => {
    assert.throws(() => normalizeResponses({ responses: [{ when: 'x' }] }, 'r.yaml'), /r\.yaml: not a valid response script/);
    assert.throws(() => normalizeResponses({ 'a(': 'x' }, 'r.yaml'), /"a\(" is not a valid regular expression/);
    assert.throws(() => normalizeResponses([1, 2], 'r.json'), /not a valid response script/);
  });
});

describe('limits and environment', () => {
  it('merges limits over the defaults and refuses nonsense', () => {
    assert.equal(resolveLimits({ timeMs: 2000 }).processes, 64);
    assert.throws(() => resolveLimits({ processes: 1 }), /invalid dry-run limits: processes/);
  });
  it('passes no credentials into the sandbox', () => {
    const env = sandboxEnv({ LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'x', GITHUB_TOKEN: 'y', SSH_AUTH_SOCK: '/s', OPENAI_API_KEY: 'real', PATH: '/x' }, { home: '/root', workspace: '/w', pathPrefix: '/run/fang/bin' });
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
    assert.equal(env.GITHUB_TOKEN, undefined);
    assert.equal(env.SSH_AUTH_SOCK, undefined);
    assert.equal(env.OPENAI_API_KEY, 'fang-sandbox-fake-key');
    assert.equal(env.OPENAI_BASE_URL, 'http://api.openai.com/v1');
    assert.ok(env.PATH!.startsWith('/run/fang/bin:'));
  });
});

describe('report schema', () => {
  it('rejects a report with a missing or renamed key', () => {
    assert.throws(() => parseReport({ version: 1, verdict: 'x' }), /not a valid Fang dry-run report/);
  });
});
