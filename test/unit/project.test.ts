/** Whole-project analysis: values followed through imports, exports and files, findings routed to their files. */
import { renderMessage } from '../../src/core/refs';
import * as assert from 'node:assert/strict';
import { analyzer } from './helpers';
import { Project } from '../../src/core/project';
import { toSarif } from '../../src/core/sarif';
import type { FileResult } from '../../src/core/index';

async function scan(files: Record<string, string>): Promise<Map<string, FileResult>> {
  const p = new Project(await analyzer());
  try {
    for (const [path, text] of Object.entries(files)) p.update(`/proj/${path}`, text);
    return new Map(p.analyzeAll().map((r) => [r.path.replace('/proj/', ''), r]));
  } finally {
    p.dispose();
  }
}

const rules = (r: FileResult | undefined) => (r?.findings ?? []).filter((f) => f.ruleId !== 'analysis-incomplete').map((f) => `${f.range.start.line + 1}:${f.ruleId}`);

describe('project analysis (JavaScript/TypeScript)', () => {
  it('follows a model answer from a CommonJS module through an ESM default export into exec in a third file', async () => {
    const r = await scan({
      'lib/llm.js': "const OpenAI = require('openai');\nconst c = new OpenAI();\nasync function ask(p) {\n  const r = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: p }] });\n  return r.choices[0].message.content;\n}\nmodule.exports = { ask };\n",
      'lib/run.mjs': "import { exec } from 'node:child_process';\nimport { promisify } from 'node:util';\nexport const execAsync = promisify(exec);\nexport default function runIt(cmd) {\n  return execAsync(cmd);\n}\n",
      'cli.mjs': "import { ask } from './lib/llm.js';\nimport runIt from './lib/run.mjs';\nconst code = await ask('write a command');\nawait runIt(code);\n",
    });
    assert.deepEqual(rules(r.get('lib/llm.js')), ['4:js-model-sdk-call']);
    // the sink is in run.mjs: the finding lands there, its path starts in llm.js and crosses cli.mjs
    const run = r.get('lib/run.mjs')!.findings.find((f) => f.ruleId === 'js-model-output-exec');
    assert.ok(run, rules(r.get('lib/run.mjs')).join(', '));
    assert.equal(run.range.start.line, 4);
    assert.match(renderMessage(run), /\(llm\.js line 4\)/);
    const files = run.path.map((s) => s.range.file?.replace('/proj/', '') ?? 'own');
    assert.equal(files[0], 'lib/llm.js');
    assert.ok(files.includes('cli.mjs'), files.join(', '));
    assert.equal(files[files.length - 1], 'own');
    // SARIF: related locations and the code flow point into the other files
    const sarif = toSarif([...r.values()], (await analyzer()).rules(), { toolVersion: 't', baseDir: '/proj', relativize: (p) => p.replace('/proj/', '') }) as any;
    const res = sarif.runs[0].results.find((x: any) => x.ruleId === 'js-model-output-exec');
    const uris = res.codeFlows[0].threadFlows[0].locations.map((l: any) => l.location.physicalLocation.artifactLocation.uri);
    assert.deepEqual([...new Set(uris)], ['lib/llm.js', 'cli.mjs', 'lib/run.mjs']);
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'lib/run.mjs');
  });

  it('follows classes, methods and re-exports between TypeScript modules (compiled `./x.js` specifiers too)', async () => {
    const r = await scan({
      'src/providers/claude.ts': "import Anthropic from '@anthropic-ai/sdk';\nexport class Claude {\n  private client = new Anthropic();\n  async complete(prompt: string): Promise<string> {\n    const m = await this.client.messages.create({ model: 'x', max_tokens: 10, messages: [{ role: 'user', content: prompt }] });\n    return m.content[0].type === 'text' ? m.content[0].text : '';\n  }\n}\n",
      'src/providers/index.ts': "export { Claude } from './claude.js';\nexport * from './claude.js';\n",
      'src/agent.ts': "import { Claude } from './providers/index.js';\nimport { execSync } from 'child_process';\nexport async function step(goal: string) {\n  const model = new Claude();\n  const cmd = await model.complete(goal);\n  execSync(cmd);\n}\n",
    });
    assert.deepEqual(rules(r.get('src/agent.ts')), ['6:js-model-output-exec']);
    assert.ok(rules(r.get('src/providers/claude.ts')).includes('5:js-model-sdk-call'));
  });

  it('a client made in a factory and handed to a class of another file: its methods ask the model (fields from constructor arguments)', async () => {
    const r = await scan({
      'chats/claude.js': '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nclass Claude {\n    model;\n    constructor(model) {\n        this.model = model;\n    }\n    async sendMessage(message) {\n        const r = await this.model.messages.create({ max_tokens: 10, messages: [{ role: "user", content: message }] });\n        return r.content[0].text;\n    }\n}\nexports.default = Claude;\n',
      'chats/store.js': 'class Store {\n    constructor(db) {\n        this.db = db;\n    }\n    save(message) {\n        return this.db.messages.create({ text: message });\n    }\n}\nmodule.exports = Store;\n',
      'chats/factory.js': '"use strict";\nvar __importDefault = (this && this.__importDefault) || function (mod) {\n    return (mod && mod.__esModule) ? mod : { "default": mod };\n};\nconst sdk_1 = require("@anthropic-ai/sdk");\nconst claude_1 = __importDefault(require("./claude"));\nconst Store = require("./store");\nfunction newChat(apiKey) {\n    const store = new Store({ messages: { create: (x) => x } });\n    return [store, new claude_1.default(new sdk_1.Anthropic({ apiKey }))];\n}\nexports.newChat = newChat;\n',
    });
    // the call is reported in claude.js; the class's own file alone cannot know what `this.model` is
    assert.deepEqual(rules(r.get('chats/claude.js')), ['9:js-model-sdk-call']);
    // a field holding a database client with the same method names stays quiet
    assert.deepEqual(rules(r.get('chats/store.js')), []);
    assert.deepEqual(rules(r.get('chats/factory.js')), []);
  });

  it('a generic process helper in another file: each call handing it a model CLI is the finding, with the path into the helper', async () => {
    const r = await scan({
      'utils/command.js': "import { spawn } from 'child_process';\nexport async function executeCommand(file, args = []) {\n  return new Promise((resolve) => {\n    const child = spawn(file, args, { shell: false });\n    child.on('close', () => resolve(''));\n  });\n}\n",
      'tools/handlers.js': "import { executeCommand } from '../utils/command.js';\nexport class Handler {\n  async execute(args) {\n    const cmdArgs = ['exec'];\n    if (args.fullAuto) cmdArgs.push('--full-auto');\n    cmdArgs.push(args.prompt);\n    await executeCommand('codex', cmdArgs);\n    const review = ['--search'];\n    review.push('review', args.prompt);\n    await executeCommand('codex', review);\n    await executeCommand('codex', ['--help']);\n    return executeCommand('ls', ['-la']);\n  }\n}\n",
    });
    assert.deepEqual(rules(r.get('tools/handlers.js')), ['7:js-agent-cli-exec', '10:js-model-cli-spawn']);
    assert.deepEqual(rules(r.get('utils/command.js')), []);
    const f = r.get('tools/handlers.js')!.findings.find((x) => x.ruleId === 'js-agent-cli-exec')!;
    assert.deepEqual(f.path.map((s) => s.range.file?.replace('/proj/', '') ?? 'own'), ['own', 'utils/command.js']);
    assert.match(f.path[1]!.message, /`spawn` in `executeCommand`/);
  });

  it('`__filename` handed to another module that spawns it is that file run as a program, not the spawning code again', async () => {
    const r = await scan({
      'lib/panel.js': "const { spawn } = require('child_process');\nfunction launch({ binaryPath, name }) {\n  spawn(process.execPath, [binaryPath, name], { stdio: 'inherit' });\n}\nmodule.exports = { launch };\n",
      'bin/cli.js': "const { launch } = require('../lib/panel');\nconst { spawn } = require('child_process');\nif (process.argv.length < 3) launch({ binaryPath: __filename, name: 'check' });\nspawn(process.execPath, [__filename, '--again'], { detached: true });\n",
    });
    assert.deepEqual(rules(r.get('lib/panel.js')), []);
    assert.ok(rules(r.get('bin/cli.js')).includes('4:js-self-spawn'), rules(r.get('bin/cli.js')).join(', '));
  });

  it('leaves unrelated and data-only modules opaque, and a module that only passes text on stays quiet', async () => {
    const r = await scan({
      'data.js': `module.exports = [${Array.from({ length: 100 }, (_, i) => `'eval ${i}'`).join(', ')}];\n`,
      'fmt.js': 'exports.trim = (s) => s.trim();\n',
      'main.js': "const { trim } = require('./fmt');\nconst table = require('./data');\nconsole.log(trim(table[0]));\n",
    });
    for (const f of ['data.js', 'fmt.js', 'main.js']) assert.deepEqual(rules(r.get(f)), [], f);
  });

  it('updates incrementally: an edit re-analyses the file and the files that read it, not the others', async () => {
    const p = new Project(await analyzer());
    try {
      p.update('/w/a.js', "export function run(c) { require('child_process').execSync(c); }\n");
      p.update('/w/b.js', "import { run } from './a.js';\nimport OpenAI from 'openai';\nconst o = new OpenAI();\nconst r = await o.responses.create({ input: 'x' });\nrun(r.output_text);\n");
      p.update('/w/c.sh', 'echo unrelated\n');
      p.analyzeAll();
      assert.deepEqual(p.update('/w/a.js', "export function run(c) { console.log(c); }\n").sort(), ['/w/a.js', '/w/b.js']);
      assert.deepEqual(p.update('/w/c.sh', 'echo still unrelated\n'), ['/w/c.sh']);
      const a = p.resultsFor(['/w/a.js'])[0]!;
      assert.deepEqual(rules(a), [], 'the sink is gone after the edit');
    } finally {
      p.dispose();
    }
  });
});

describe('project analysis (Bash)', () => {
  it('follows source of a project file: functions defined there are model wrappers, their call sites model calls', async () => {
    const r = await scan({
      'vendors/openai.sh': 'OPENAI_API_URL=https://api.openai.com/v1/chat/completions\nai_openai() {\n  curl -s -X POST "$OPENAI_API_URL" -d "$1" | jq -r .choices[0].message.content\n}\n',
      'ai.sh': 'source "$(dirname "$BASH_SOURCE")/vendors/openai.sh"\nask() {\n  response=$(ai_openai "$1")\n  echo "$response"\n}\nrun_it() {\n  eval "$(ask "$1")"\n}\n',
      'lib/guard.sh': 'check() {\n  report=$(ai_openai "audit: $1")\n  echo "$report"\n}\n',
    });
    assert.deepEqual(rules(r.get('vendors/openai.sh')), ['3:bash-model-http-call']);
    const ai = rules(r.get('ai.sh'));
    for (const want of ['3:bash-model-cli-call', '7:bash-model-cli-call', '7:bash-model-output-exec']) assert.ok(ai.includes(want), `${want} not in ${ai.join(', ')}`);
    const exec = r.get('ai.sh')!.findings.find((f) => f.ruleId === 'bash-model-output-exec')!;
    assert.match(renderMessage(exec), /openai\.sh line 3/);
    assert.ok(exec.path.some((s) => s.range.file === '/proj/vendors/openai.sh'), 'the path starts in the sourced file');
  });

  it('a script run by path that calls a model is a model call where it is run, and its output runs', async () => {
    const r = await scan({
      'bin/query-model': '#!/bin/bash\nllm -m gpt-4o "$@"\n',
      'agent.sh': '#!/bin/bash\nwhile true; do\n  cmd=$(./bin/query-model "next command")\n  eval "$cmd"\ndone\n',
      'fmt.sh': '#!/bin/bash\nsed "s/^/  /" "$1"\n',
      'report.sh': '#!/bin/bash\n./fmt.sh notes.txt\n',
    });
    const agent = rules(r.get('agent.sh'));
    for (const want of ['3:bash-model-cli-call', '4:bash-model-output-exec', '2:bash-agent-loop']) assert.ok(agent.includes(want), `${want} not in ${agent.join(', ')}`);
    assert.match(r.get('agent.sh')!.findings.find((f) => f.ruleId === 'bash-model-cli-call' && f.range.start.line === 2)!.message, /runs query-model, which calls a model/);
    assert.deepEqual(rules(r.get('report.sh')), [], 'a script that runs a formatter calls no model');
  });
});

