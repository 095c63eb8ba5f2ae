/**
 * Python dry-runs under real bubblewrap: the same sandbox, limits and stubs as Bash and JS. The
 * SDKs' requests reach the stub server through their base-URL variables (stand-in modules answer
 * for openai/anthropic when they are not installed, and an installed package wins); the start-up
 * hook links processes, model calls and exec'd answers to lines; and Python's own escape attempts
 * leave the host unchanged, checked on the host.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseReport, runDryRun } from '../../src/sandbox';
import { HostCanaries, blockedText, dryRun, fixture, namespaceRecorder, requireSandbox, sandboxProcesses, tempWorkspace, treeHash } from './helpers';

const STAND_IN_NOTE = /the (openai|anthropic) package is not installed for the sandbox's Python: Fang's stand-in module sent its requests/;

describe('dry-run of Python (real bubblewrap)', function () {
  this.timeout(60_000);
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    ws = tempWorkspace({ 'README.md': '# paperclips\n' });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('runs an openai agent loop: each call and each executed answer on its line, and the loop', async () => {
    const { report } = await dryRun({ code: fixture('agent-loop.py'), language: 'python', workspaceDir: ws });
    parseReport(JSON.parse(JSON.stringify(report)));
    assert.equal(report.exitCode, 0, report.stderr);
    const [list, ...rest] = report.modelCalls;
    assert.ok(list, `no model call at all; stderr: ${report.stderr}`);
    assert.equal(list.url, 'http://api.openai.com/v1/chat/completions');
    assert.equal(list.line, 7);
    assert.equal(list.answerSource, 'default-list');
    const ideas = list.answer.split('\n').filter(Boolean);
    const shell = rest.filter((c) => c.line === 9);
    assert.equal(shell.length, ideas.length, 'one command call per idea');
    shell.forEach((c, i) => assert.ok(c.prompt.endsWith(`Write one shell command that does this: ${ideas[i]}`), c.prompt));
    const py = rest.find((c) => c.url === 'http://api.openai.com/v1/responses');
    assert.equal(py?.line, 11);
    assert.deepEqual(
      report.executedModelOutput.map((e) => [e.callId, e.sink, e.line]),
      [...shell.map((c) => [c.id, 'sh -c', 10]), [py!.id, 'exec', 12]],
      'each shell answer ran through sh -c at line 10, the Python answer through exec at line 12',
    );
    assert.deepEqual(report.stdout.trim().split('\n'), [...shell, py!].map((c) => `fang-ran-${c.id}`));
    const loop = report.recursion.find((r) => r.kind === 'agent-loop');
    assert.equal(loop?.line, 10, 'the loop is named at its sink');
    assert.ok(report.notes.some((n) => STAND_IN_NOTE.test(n)), report.notes.join('\n'));
    const shells = report.processes.filter((p) => p.argv[0] === '/bin/sh');
    assert.deepEqual(shells.map((p) => p.line), shell.map(() => 10));
  });

  it('answers in the shapes of the openai, anthropic and Ollama APIs, streams and async included, and records HTTPS', async () => {
    const { report } = await dryRun({ code: fixture('api-shapes.py'), language: 'python', workspaceDir: ws });
    assert.equal(report.exitCode, 0, report.stderr);
    const out = JSON.parse(report.stdout) as Record<string, string>;
    const answer = (prompt: string) => report.modelCalls.find((c) => c.prompt.endsWith(prompt))?.answer;
    assert.equal(out.openai, answer('Write a shell command that prints the date.'));
    assert.equal(out.streamed, answer('say hi'));
    assert.equal(out.responses, answer('say hello'));
    assert.equal(out.legacy, answer('legacy hi'));
    assert.equal(out.anthropic, answer('hello claude'));
    assert.equal(out.anthropic_stream, answer('stream claude'));
    assert.equal(out.async, answer('async hi'));
    assert.equal(out.ollama, answer('hi ollama'));
    for (const k of ['openai', 'streamed', 'anthropic', 'ollama']) assert.ok(out[k], `${k} answered`);
    assert.match(out.https!, /^failed/);
    assert.equal(report.modelCalls.find((c) => c.prompt.endsWith('Write a shell command that prints the date.'))?.prompt, 'Be brief.\nWrite a shell command that prints the date.');
    assert.equal(report.modelCalls.find((c) => c.prompt === 'hi ollama')?.url, 'http://127.0.0.1:11434/api/generate');
    assert.equal(report.modelCalls.find((c) => c.prompt === 'hi ollama')?.line, 28, 'requests is linked to its line through http.client');
    assert.ok(report.modelCalls.some((c) => c.answerSource === 'unanswered-https' && c.url === 'https://api.anthropic.com/'));
    assert.ok(report.network.some((n) => n.protocol === 'https' && n.host === 'api.anthropic.com' && n.blocked));
  });

  it('a file written with model output and imported is found as the sink, on its line', async () => {
    const code = 'from openai import OpenAI\nsrc = OpenAI().responses.create(model="m", input="python code for a module").output_text\nwith open("gen.py", "w") as f:\n    f.write(src)\nimport gen\n';
    const { report } = await dryRun({ code, language: 'python', workspaceDir: ws });
    assert.equal(report.exitCode, 0, report.stderr);
    const [e] = report.executedModelOutput;
    assert.ok(e, report.stdout);
    assert.match(e.sink, /^source .*gen\.py$/);
    assert.equal(e.line, 5);
    assert.deepEqual(report.fileChanges.map((f) => `${f.kind} ${f.path}`), ['created gen.py']);
  });

  it('--adversarial: every hostile answer, in Python for exec and in shell for shells, is executed and contained', async () => {
    const code = 'import subprocess\nfrom openai import OpenAI\nc = OpenAI()\nfor i in range(2):\n    exec(c.responses.create(model="m", input="write python code to tidy the folder").output_text)\nsubprocess.run(c.responses.create(model="m", input="a shell command to tidy").output_text, shell=True)\n';
    const rec = namespaceRecorder();
    const report = await runDryRun({ code, language: 'python', workspaceDir: ws, adversarial: true, limits: { timeMs: 3000 }, onEvent: rec.onEvent });
    assert.equal(rec.namespaces.length, 8, 'one sandbox per run');
    assert.deepEqual(sandboxProcesses(rec.namespaces), []);
    const outcomes = report.adversarial ?? [];
    assert.equal(outcomes.length, 7);
    for (const o of outcomes) {
      assert.ok(o.executed, `${o.name}: not executed (${o.verdict})`);
      assert.ok(o.contained, `${o.name}: not contained: ${o.evidence.join('; ')}`);
    }
    assert.ok(outcomes.find((o) => o.name === 'fork-bomb')!.evidence.some((e) => /processes limit hit|refused by the process limit/.test(e)));
    assert.ok(outcomes.find((o) => o.name === 'spawn-itself')!.evidence.some((e) => /self-spawn|processes limit hit/.test(e)), outcomes.find((o) => o.name === 'spawn-itself')!.evidence.join('; '));
    assert.ok(outcomes.find((o) => o.name === 'network-call')!.evidence.some((e) => /example\.com|192\.0\.2\.1/.test(e)));
  });

  it('an installed openai package wins over the stand-in, which never answers silently', async () => {
    const fake = 'FANG_STAND_IN = False\nclass OpenAI:\n    def __init__(self, **kw):\n        pass\n';
    fs.mkdirSync(`${ws}/openai`);
    fs.writeFileSync(`${ws}/openai/__init__.py`, fake);
    const { report } = await dryRun({ code: 'import openai\nprint("stand-in" if openai.FANG_STAND_IN else "installed")\n', language: 'python', workspaceDir: ws });
    assert.equal(report.stdout.trim(), 'installed', report.stderr);
    assert.ok(!report.notes.some((n) => STAND_IN_NOTE.test(n)), report.notes.join('\n'));
    const { report: standIn } = await dryRun({ code: 'import anthropic\nprint("stand-in" if anthropic.FANG_STAND_IN else "installed")\n', language: 'python', workspaceDir: ws });
    assert.equal(standIn.stdout.trim(), 'stand-in', standIn.stderr);
  });
});

describe('Python containment (real bubblewrap)', function () {
  this.timeout(60_000);
  let canaries: HostCanaries;
  let ws: string;
  let wsHash: string;
  before(requireSandbox);
  beforeEach(() => {
    canaries = new HostCanaries(['/etc/fang-py-owned']);
    ws = tempWorkspace({ 'existing.txt': 'original\n' });
    canaries.snapshot();
    wsHash = treeHash(ws);
  });
  afterEach(() => {
    canaries.assertUnchanged();
    assert.equal(treeHash(ws), wsHash, 'the real workspace changed');
    canaries.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('keeps host files, secrets, the network, unix sockets and host processes out of reach', async () => {
    const { report } = await dryRun({ code: fixture('python-escape.py', canaries.replacements()), language: 'python', workspaceDir: ws });
    const res = JSON.parse(report.stdout) as Record<string, string | number>;
    assert.notEqual(res.read_secret, `${canaries.secret}\n`, 'the secret was read');
    assert.notEqual(res.append_canary, undefined);
    assert.equal(res.etc, 'OSError');
    assert.match(String(res.tcp), /Error/, `tcp: ${res.tcp}`);
    assert.match(String(res.unix), /PermissionError|FileNotFoundError/, `unix: ${res.unix}`);
    assert.match(String(res.kill_init), /PermissionError|ProcessLookupError|sent/);
    assert.ok(!fs.existsSync('/etc/fang-py-owned'));
    assert.ok(report.network.some((n) => n.blocked), blockedText(report));
  });

  it('stops a Python fork bomb at the process limit and a memory bomb at the address-space limit', async () => {
    const { report } = await dryRun({ code: fixture('python-bombs.py'), language: 'python', workspaceDir: ws, limits: { timeMs: 8000 } });
    assert.match(report.stderr, /MemoryError/);
    assert.match(report.stdout, /still here/);
    assert.match(report.stdout, /fork refused after \d+/);
    assert.ok(report.limitsHit.includes('processes'), report.limitsHit.join(', '));
    assert.ok(report.limitsHit.includes('memory'), report.limitsHit.join(', '));
  });
});
