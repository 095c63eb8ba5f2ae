/**
 * The JavaScript/TypeScript analysis beyond the fixtures: docs examples, messages and related
 * paths, configuration (sdkNames, modelCommands), suppressions, Markdown fences, the flow leaving
 * the file, and the cheap pre-filter.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzer, ROOT } from './helpers';
import { Budget, renderMessage, type Finding } from '../../src/core/index';
import { JsFacts } from '../../src/core/js/facts';

const ids = (fs: Finding[]) => fs.map((f) => `${f.ruleId}@${f.range.start.line + 1}`);

function section(md: string, title: string): { info: string; code: string } {
  const m = new RegExp(`## ${title}\\n+\`\`\`(\\w+)\\n([^]*?)\`\`\``).exec(md);
  assert.ok(m, `no "## ${title}" fence`);
  return { info: m[1]!, code: m[2]! };
}

describe('js analysis', function () {
  this.timeout(30000);

  it("each js-* docs page's Bad fence fires its rule and its Good fence does not (read as Markdown)", async () => {
    const a = await analyzer();
    const pages = fs.readdirSync(path.join(ROOT, 'docs', 'rules')).filter((f) => f.startsWith('js-'));
    assert.ok(pages.length >= 9, `only ${pages.length} js-* pages`);
    const problems: string[] = [];
    for (const p of pages) {
      const id = p.replace(/\.md$/, '');
      const md = fs.readFileSync(path.join(ROOT, 'docs', 'rules', p), 'utf8');
      for (const [title, want] of [['Bad', true], ['Good', false]] as const) {
        const { info, code } = section(md, title);
        const doc = `# example\n\n\`\`\`${info}\n${code}\`\`\`\n`;
        const r = a.analyze(doc, { path: `${id}.md` });
        const fired = r.findings.some((f) => f.ruleId === id);
        if (fired !== want) problems.push(`${id}: ${title} example ${fired ? 'fires' : 'does not fire'}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('names both ends in the message and walks the path in related locations', async () => {
    const a = await analyzer();
    const text = [
      "import OpenAI from 'openai';",
      'const openai = new OpenAI();',
      'async function ask(q) {',
      "  const res = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: q }] });",
      '  return res.choices[0].message.content;',
      '}',
      "const { exec } = require('child_process');",
      "const cmd = await ask('a command');",
      'exec(`sudo ${cmd}`);',
    ].join('\n');
    const r = a.analyze(text, { path: 'agent.mjs' });
    const f = r.findings.find((x) => x.ruleId === 'js-model-output-exec');
    assert.ok(f, ids(r.findings).join(', '));
    assert.equal(renderMessage(f), 'output of `openai.chat.completions.create` (line 4) reaches `exec` (line 9) and runs as code');
    assert.equal(f.category, 'model-output-execution');
    assert.equal(f.range.start.line, 8);
    const lines = f.path.map((s) => s.range.start.line + 1);
    assert.equal(lines[0], 4);
    assert.equal(lines[lines.length - 1], 9);
    assert.ok(f.path.some((s) => /returned by `ask\(\)`/.test(s.message) && s.range.start.line === 7), JSON.stringify(f.path));
    assert.ok(f.path.some((s) => /assigned to `cmd`/.test(s.message)), JSON.stringify(f.path));
  });

  it('honours sdkNames and modelCommands from the configuration', async () => {
    const a = await analyzer();
    const text = "import { ask } from '@acme/llm';\nimport { execSync } from 'node:child_process';\nconst a = await ask('x');\nconst b = execSync('acme-ai chat hello').toString();\neval(a + b);\n";
    const without = a.analyze(text, { path: 'x.ts' });
    assert.deepEqual(ids(without.findings), []);
    const withCfg = a.analyze(text, { path: 'x.ts', config: { sdkNames: ['@acme/llm'], modelCommands: ['acme-ai chat'] } });
    assert.deepEqual(ids(withCfg.findings).sort(), ['js-model-cli-spawn@4', 'js-model-output-exec@5', 'js-model-sdk-call@3']);
    const exec = withCfg.findings.find((f) => f.ruleId === 'js-model-output-exec')!;
    assert.match(exec.message, /and 1 other source/);
  });

  it('honours fang-ignore-next-line with a reason, and reports one without', async () => {
    const a = await analyzer();
    const base = "import ollama from 'ollama';\nconst r = await ollama.generate({ model: 'm', prompt: 'p' });\n";
    const quiet = a.analyze(`${base}// fang-ignore-next-line js-model-output-exec -- sandboxed harness\neval(r.response);\n`, { path: 'a.js' });
    assert.deepEqual(ids(quiet.findings).filter((x) => !x.startsWith('js-model-sdk-call')), []);
    const noReason = a.analyze(`${base}// fang-ignore-next-line js-model-output-exec\neval(r.response);\n`, { path: 'a.js' });
    assert.deepEqual(ids(noReason.findings).filter((x) => !x.startsWith('js-model-sdk-call')), ['suppression-without-reason@3']);
  });

  it('reads ts, typescript, js, javascript, tsx and jsx fences in Markdown with document line numbers', async () => {
    const a = await analyzer();
    const body = "import { generateText } from 'ai';\nconst { text } = await generateText({ model, prompt: 'code' });\neval(text);\n";
    const infos = ['ts', 'typescript', 'js', 'javascript', 'tsx', 'jsx'];
    const md = infos.map((i) => `## ${i}\n\n\`\`\`${i}\n${body}\`\`\`\n`).join('\n');
    const r = a.analyze(md, { path: 'README.md' });
    const evalLines = r.findings.filter((f) => f.ruleId === 'js-model-output-exec').map((f) => f.range.start.line);
    const expected = md.split('\n').flatMap((l, i) => (l === 'eval(text);' ? [i] : []));
    assert.equal(expected.length, infos.length);
    assert.deepEqual(evalLines, expected);
  });

  it('says the analysis is incomplete where model output leaves the file or the tree is broken near a model call', async () => {
    const a = await analyzer();
    const leaving = "import Anthropic from '@anthropic-ai/sdk';\nimport { runStep } from './runner.js';\nconst c = new Anthropic();\nconst m = await c.messages.create({ model: 'x', max_tokens: 9, messages: [] });\nrunStep(m.content[0].text);\n";
    const r1 = a.analyze(leaving, { path: 'agent.ts' });
    const inc = r1.findings.find((f) => f.ruleId === 'analysis-incomplete');
    assert.ok(inc, ids(r1.findings).join(', '));
    assert.equal(inc.range.start.line, 4);
    assert.match(inc.message, /`runStep`, imported from another file/);
    const broken = "import OpenAI from 'openai';\nconst o = new OpenAI();\nconst r = await o.responses.create({ input: 'x' );\neval(r.output_text;\n";
    const r2 = a.analyze(broken, { path: 'broken.ts' });
    assert.ok(r2.findings.some((f) => f.ruleId === 'analysis-incomplete'), ids(r2.findings).join(', '));
  });

  it('says once, instead of failing every rule, when code is nested too deeply to follow', async () => {
    const a = await analyzer();
    const deep = `import OpenAI from 'openai';\nconst x = ${Array.from({ length: 20000 }, (_, i) => `a${i}`).join(' + ')};\n`;
    // No deadline: on a busy machine the time budget would stop the walk first and say that instead.
    const r = a.analyze(deep, { path: 'deep.ts', budget: Budget.unlimited() });
    assert.equal(r.skipped, undefined);
    assert.deepEqual(r.findings.map((f) => `${f.ruleId} (${f.budget}): ${f.message}`), ['analysis-incomplete (nesting): analysis incomplete: the dataflow stopped here: the code is nested too deeply for it to follow (nesting); findings for this file may be missing']);
  });

  it('typical model-calling app code (tool calling with an allow-list, retries, PR text to gh, streaming) gives only self-invocation', async () => {
    const a = await analyzer();
    const r = a.analyze(BENIGN_APP, { path: 'server.ts' });
    assert.deepEqual(ids(r.findings), ['js-model-sdk-call@29', 'js-model-sdk-call@43', 'js-model-sdk-call@49']);
  });

  it('pre-filters by text: full flow only where a model SDK, endpoint or wrapper is named, spawn flow where processes start', () => {
    const mode = (text: string, sdk: string[] = []) => new JsFacts(null as never, text, sdk, []).mode;
    assert.equal(mode("import OpenAI from 'openai';"), 'full');
    assert.equal(mode("const { Ollama } = require('ollama');"), 'full');
    assert.equal(mode("fetch('https://api.anthropic.com/v1/messages')"), 'full');
    assert.equal(mode("import { askLLM } from './helpers';"), 'full');
    assert.equal(mode("import x from '@acme/llm';", ['@acme/llm']), 'full');
    assert.equal(mode("const s = `use the ai package`; const cp = require('child_process');"), 'spawn');
    assert.equal(mode("new Worker(__filename)"), 'spawn');
    assert.equal(mode("eval(input); const label = 'openai';"), 'none');
  });

  it('finds self-spawns in spawn-only mode through functions that mention no process word', async () => {
    const a = await analyzer();
    const code = "const cp = require('child_process');\nfunction self() { return __filename; }\nfunction plain(x) { return [x]; }\nfunction go() { cp.fork(plain(self())[0]); }\ngo();\n";
    assert.deepEqual(ids(a.analyze(code, { path: 'respawn.js' }).findings), ['js-self-spawn@4']);
  });

  it('follows model CLI output in spawn-only mode through functions that only name the one that runs it', async () => {
    const a = await analyzer();
    const cli = "const cp = require('child_process');\nfunction ask(q) { return cp.execSync('llm ' + q).toString(); }\n";
    const cases: Array<[string, string, string[]]> = [
      ['two levels', 'function plan(q) { return ask(q); }\neval(plan("next"));\n', ['js-model-cli-spawn@2', 'js-model-output-exec@4']],
      ['declared before the one it calls', 'function outer(q) { return middle(q); }\nfunction middle(q) { const r = ask(q); return r; }\nconst code = outer("go");\nnew Function(code)();\n', ['js-model-cli-spawn@2', 'js-model-output-exec@6']],
      ['through an alias', 'const q2 = ask;\nconst step = (q) => q2(q);\neval(step("x"));\n', ['js-model-cli-spawn@2', 'js-model-output-exec@5']],
      ['through a method', 'class Agent { think(q) { return this.plan(q); } plan(q) { return ask(q); } }\neval(new Agent().think("x"));\n', ['js-model-cli-spawn@2', 'js-model-output-exec@4']],
      ['through a callback', 'function run(f) { return f(); }\neval(run(() => ask("x")));\n', ['js-model-cli-spawn@2', 'js-model-output-exec@4']],
      // near misses: the answer is only printed; the evaluated text comes from a function that names no process
      ['printed only', 'function plan(q) { return ask(q); }\nconsole.log(plan("next"));\n', ['js-model-cli-spawn@2']],
      ['eval of a clean helper', 'function pad(s) { return s.trim(); }\nfunction fmt(s) { return pad(s); }\nask("x");\neval(fmt("1 + 1"));\n', ['js-model-cli-spawn@2']],
    ];
    for (const [name, rest, want] of cases) {
      const code = cli + rest;
      assert.equal(new JsFacts(null as never, code, [], []).mode, 'spawn', name);
      assert.deepEqual(ids(a.analyze(code, { path: 'agent.js' }).findings), want, name);
    }
  });

  it('handles every listed extension', async () => {
    const a = await analyzer();
    const code = "const { execSync } = require('child_process');\nexecSync('llm hello');\n";
    for (const ext of ['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'mts', 'cts']) {
      const r = a.analyze(code, { path: `f.${ext}` });
      assert.equal(r.skipped, undefined, ext);
      assert.deepEqual(ids(r.findings), ['js-model-cli-spawn@2'], ext);
    }
  });

  it('stays quiet on benign code that has eval-like calls but no model', async () => {
    const a = await analyzer();
    const code = "const vm = require('vm');\nconst { exec } = require('child_process');\nvm.runInThisContext(fs.readFileSync('a.js', 'utf8'));\nexec(process.argv[2]);\neval(input);\n";
    assert.deepEqual(ids(a.analyze(code, { path: 'tool.js' }).findings), []);
  });
});

const BENIGN_APP = `import express from 'express';
import OpenAI from 'openai';
import { execFile, exec } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import fs from 'node:fs/promises';

const client = new OpenAI();
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const app = express();

async function withRetry<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try { return await f(); } catch { await sleep(500 * 2 ** attempt); }
  }
  throw new Error('gave up');
}

const Weather = z.object({ city: z.string() });
const tools = {
  get_weather: async (args: unknown) => ({ temp: 21, ...Weather.parse(args) }),
  get_time: async () => new Date().toISOString(),
} as const;

app.post('/chat', async (req, res) => {
  const messages = req.body.messages;
  while (true) {
    const r = await withRetry(() => client.chat.completions.create({ model: 'gpt-4o', messages, tools: [] }));
    const msg = r.choices[0]!.message;
    if (!msg.tool_calls?.length) return res.json({ answer: msg.content });
    for (const call of msg.tool_calls) {
      const name = call.function.name as keyof typeof tools;
      if (!(name in tools)) continue;
      const out = await tools[name](JSON.parse(call.function.arguments));
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(out) });
    }
  }
});

app.post('/pr', async (req, res) => {
  const { stdout: diff } = await run('git', ['diff', '--staged']);
  const r = await client.responses.create({ model: 'gpt-4.1', input: \`Write a PR description for:\\n\${diff}\` });
  await run('gh', ['pr', 'create', '--title', 'Update', '--body', r.output_text]);
  await fs.writeFile('PR_BODY.md', r.output_text);
  exec('git status --short', (e, out) => res.send(out));
});

const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true });
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
app.listen(3000);
`;
