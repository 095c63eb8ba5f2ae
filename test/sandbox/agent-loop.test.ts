/**
 * The classic agent loop from the Bash issue, dry-run with the default answers and with a
 * response script: the list call, one code call per listed idea, one eval per code answer,
 * and the recursion in the verdict.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadResponsesFile, parseReport } from '../../src/sandbox';
import { FIXTURES, dryRun, fixture, requireSandbox, tempWorkspace } from './helpers';

describe('dry-run of the agent loop (real bubblewrap)', function () {
  this.timeout(60_000);
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    ws = tempWorkspace({ 'README.md': '# paperclips\n' });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('shows the list call, one code call per idea, one eval per answer and the loop', async () => {
    const { report } = await dryRun({ code: fixture('agent-loop.sh'), language: 'bash', workspaceDir: ws });
    parseReport(JSON.parse(JSON.stringify(report)));
    const [list, ...code] = report.modelCalls;
    assert.ok(list, 'no model call at all');
    assert.equal(list.command, './query-model');
    assert.equal(list.line, 5);
    assert.match(list.prompt, /On separate lines, list ideas to try\./);
    assert.equal(list.answerSource, 'default-list');
    const ideas = list.answer.split('\n').filter(Boolean);
    assert.equal(ideas.length, 3);
    assert.equal(code.length, ideas.length, 'one code call per listed idea');
    code.forEach((c, i) => {
      assert.equal(c.line, 7);
      assert.ok(c.prompt.endsWith(`What code implements this suggestion?: ${ideas[i]}`), c.prompt);
      assert.equal(c.answerSource, 'default-code');
    });
    assert.deepEqual(
      report.executedModelOutput.map((e) => [e.callId, e.sink, e.line]),
      code.map((c) => [c.id, 'eval', 7]),
      'one eval per code answer, at line 7',
    );
    assert.deepEqual(report.stdout.trim().split('\n'), code.map((c) => `fang-ran-${c.id}`));
    const loop = report.recursion.find((r) => r.kind === 'agent-loop');
    assert.ok(loop, 'the recursion is named');
    assert.equal(loop.line, 7);
    assert.match(report.verdict, /4 model calls, 3 of them produced code that was executed/);
    assert.match(report.verdict, /agent loop/);
    const shims = report.processes.filter((p) => p.model);
    assert.deepEqual(shims.map((p) => p.line), [5, 7, 7, 7]);
    assert.deepEqual(report.fileChanges, []);
  });

  it('answers from a response script: each answer in turn, and its effects', async () => {
    const responses = loadResponsesFile(path.join(FIXTURES, 'responses-agent.yaml'));
    const { report } = await dryRun({ code: fixture('agent-loop.sh'), language: 'bash', workspaceDir: ws, responses });
    assert.deepEqual(report.modelCalls.map((c) => c.answerSource), ['responses[0]', 'responses[1]', 'responses[1]']);
    assert.deepEqual(report.modelCalls.slice(1).map((c) => c.answer), ['echo one > made-by-model.txt', 'echo two']);
    assert.equal(report.executedModelOutput.length, 2);
    assert.equal(report.stdout, 'two\n');
    assert.deepEqual(report.fileChanges.map((f) => `${f.kind} ${f.path}`), ['created made-by-model.txt']);
    assert.ok(!fs.existsSync(path.join(ws, 'made-by-model.txt')), 'the real workspace was written');
  });

  it('catches model calls over HTTP from TypeScript and the command it runs', async () => {
    const { report } = await dryRun({ code: fixture('agent-fetch.ts'), language: 'ts', workspaceDir: ws });
    assert.equal(report.modelCalls.length, 1, report.stderr);
    const call = report.modelCalls[0]!;
    assert.equal(call.url, 'http://api.openai.com/v1/chat/completions');
    assert.equal(call.prompt, 'Give me a shell command that shows the disk usage.');
    assert.deepEqual(report.executedModelOutput.map((e) => [e.sink, e.line]), [['sh -c', 19]]);
    assert.equal(call.line, 8, 'the fetch line, through the TypeScript source map');
    assert.match(report.stdout, new RegExp(`fang-ran-${call.id}`));
  });

  it('lets a snippet use the workspace\'s node_modules, read-only', async () => {
    fs.chmodSync(ws, 0o755);
    fs.mkdirSync(path.join(ws, 'node_modules', 'fake-sdk'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'node_modules', 'fake-sdk', 'index.js'), "module.exports = { hello: () => 'hello from fake-sdk' };\n");
    const code = "const sdk = require('fake-sdk');\nconsole.log(sdk.hello());\ntry { require('fs').writeFileSync('node_modules/fake-sdk/index.js', 'x'); } catch (e) { console.log('write:', e.code); }\n";
    const { report } = await dryRun({ code, language: 'js', workspaceDir: ws });
    assert.equal(report.stdout, 'hello from fake-sdk\nwrite: EROFS\n', report.stderr);
    assert.match(fs.readFileSync(path.join(ws, 'node_modules', 'fake-sdk', 'index.js'), 'utf8'), /hello from fake-sdk/);
  });

  it('says so when node_modules sits where the sandbox uid cannot reach it', async function () {
    if (process.getuid?.() !== 0) assert.fail('only a root caller runs the sandbox as another uid; run this suite as root (CI does)');
    fs.chmodSync(ws, 0o700);
    fs.mkdirSync(path.join(ws, 'node_modules', 'fake-sdk'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'node_modules', 'fake-sdk', 'index.js'), 'module.exports = {};\n');
    const { report } = await dryRun({ code: "require('fake-sdk')", language: 'js', workspaceDir: ws });
    assert.ok(report.notes.some((n) => /node_modules is not readable by the sandbox uid/.test(n)), report.notes.join('\n'));
    assert.match(report.stderr, /Cannot find module 'fake-sdk'/);
  });

  it('finds where each answer ran: here-string, process substitution, write-then-run, node -e', async () => {
    const { report } = await dryRun({ code: fixture('sinks.sh'), language: 'bash', workspaceDir: ws });
    assert.deepEqual(
      report.modelCalls.map((c) => [c.command, c.line]),
      [['llm', 2], ['sgpt', 4], ['mods', 5], ['aichat', 7], ['llm', 8]],
    );
    assert.deepEqual(
      report.executedModelOutput.map((e) => [e.callId, e.sink, e.line]),
      [[1, 'bash', 3], [2, 'source /dev/fd/63', 4], [3, 'bash gen.sh', 6], [5, 'node -e', 9]],
    );
    assert.ok(!report.recursion.some((r) => r.kind === 'agent-loop'), 'different sinks on different lines are not a loop');
    assert.deepEqual(report.fileChanges.map((f) => `${f.kind} ${f.path}`), ['created gen.sh']);
  });

  it('answers in the shapes of the Anthropic, Ollama and OpenAI APIs, and records unanswerable HTTPS', async () => {
    const { report } = await dryRun({ code: fixture('api-shapes.js'), language: 'js', workspaceDir: ws });
    const out = JSON.parse(report.stdout) as { anthropic: string; ollama: string; openai: string; streamedLines: boolean[]; https: string };
    const byUrl = (u: string) => report.modelCalls.find((c) => c.url === u);
    assert.equal(out.anthropic, byUrl('http://api.anthropic.com/v1/messages')?.answer);
    assert.equal(out.ollama, byUrl('http://127.0.0.1:11434/api/generate')?.answer);
    assert.equal(out.openai, byUrl('http://api.openai.com/v1/chat/completions')?.answer);
    assert.deepEqual(out.streamedLines, [false, true], 'Ollama streams NDJSON by default');
    assert.match(out.https, /^failed/);
    assert.equal(byUrl('http://api.openai.com/v1/chat/completions')?.prompt, 'Be brief.\nWrite a shell command that prints the date.');
    assert.equal(byUrl('http://api.anthropic.com/v1/messages')?.line, 4, 'the line of the fetch itself, inside the helper');
    const tls = report.modelCalls.find((c) => c.answerSource === 'unanswered-https');
    assert.equal(tls?.url, 'https://api.anthropic.com/');
    assert.ok(report.network.some((n) => n.protocol === 'https' && n.host === 'api.anthropic.com' && n.blocked));
  });
});
