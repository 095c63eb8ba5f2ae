/**
 * Python as users and CI meet it: `fang scan` on .py files, `#!` scripts without an extension
 * and Markdown fences, SARIF; code written to hide a model's output on its way to a sink; and an
 * analysis that cannot be hung (budgets and notes, as for Bash and JS).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzer, ROOT } from './helpers';
import { sarifSchema } from './sarif-schema';
import { Budget, renderMessage, type FileResult } from '../../src/core/index';
import { Project } from '../../src/core/project';
import { toSarif } from '../../src/core/sarif';

const BIN = path.join(ROOT, 'bin', 'fang.js');
const SNIPPET = ['from openai import OpenAI', 'client = OpenAI()', 'r = client.responses.create(model="gpt-4.1", input="one shell command")', 'exec(r.output_text)', ''].join('\n');
const FENCES = ['python', 'py', 'python3', 'py3'];
const ids = (r: FileResult) => r.findings.map((f) => (f.budget ? `${f.ruleId}(${f.budget})` : f.ruleId));
const notes = (r: FileResult, budget: string) => r.findings.filter((f) => f.ruleId === 'analysis-incomplete' && f.budget === budget);
const head = 'import os, subprocess\nfrom openai import OpenAI\nclient = OpenAI()\nanswer = client.responses.create(model="m", input="x").output_text\n';

describe('Python (CLI)', function () {
  this.timeout(30000);
  let dir = '';

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-py-cli-'));
    fs.writeFileSync(path.join(dir, 'agent.py'), SNIPPET);
    fs.writeFileSync(path.join(dir, 'agent.pyw'), SNIPPET);
    fs.writeFileSync(path.join(dir, 'run-agent'), `#!/usr/bin/env python3.12\n${SNIPPET}`);
    fs.writeFileSync(path.join(dir, 'README.md'), FENCES.map((f) => `## ${f}\n\n\`\`\`${f}\n${SNIPPET}\`\`\`\n`).join('\n'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads .py, .pyw, a python #! script and every fence, and the SARIF follows the contract', () => {
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'sarif', '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const run = sarifSchema.parse(JSON.parse(r.stdout)).runs[0]!;
    const ruleIds = run.tool.driver.rules.map((x) => x.id);
    for (const id of ['py-model-sdk-call', 'py-model-http-call', 'py-model-cli-spawn', 'py-model-output-exec', 'py-model-output-file-exec', 'py-agent-loop', 'py-self-spawn', 'py-unbounded-spawn', 'py-unbounded-fanout', 'py-spread-persist']) {
      assert.ok(ruleIds.includes(id), `tool.driver.rules lacks ${id}`);
    }
    const byFile = new Map<string, number[]>();
    for (const x of run.results.filter((x) => x.ruleId === 'py-model-output-exec')) {
      const loc = x.locations[0]!.physicalLocation;
      byFile.set(loc.artifactLocation.uri, [...(byFile.get(loc.artifactLocation.uri) ?? []), loc.region.startLine]);
      assert.equal(x.properties.category, 'model-output-execution');
      assert.equal(x.level, 'error');
      assert.ok(x.relatedLocations.length >= 2, 'the path from the model call to exec is in relatedLocations');
      assert.match(x.message.text, /output of `client\.responses\.create` \(line \d+\) reaches `exec` \(line \d+\)/);
    }
    assert.deepEqual(byFile.get('agent.py'), [4]);
    assert.deepEqual(byFile.get('agent.pyw'), [4]);
    assert.deepEqual(byFile.get('run-agent'), [5], 'found by its #! line');
    const mdLines = fs.readFileSync(path.join(dir, 'README.md'), 'utf8').split('\n').flatMap((l, i) => (l === 'exec(r.output_text)' ? [i + 1] : []));
    assert.equal(mdLines.length, FENCES.length);
    assert.deepEqual(byFile.get('README.md'), mdLines, 'one finding per fence, on the document line');
  });
});

describe('Python: model output hidden on its way to a sink', function () {
  this.timeout(30000);
  const cases: [string, string][] = [
    ['an alias of exec', 'e = exec\ne(answer)\n'],
    ['getattr of builtins with a built name', 'import builtins\ngetattr(builtins, "ex" + "ec")(answer)\n'],
    ['globals()["__builtins__"]', 'globals()["__builtins__"].exec(answer)\n'],
    ['__builtins__ as a dict', '__builtins__.__dict__["eval"](answer)\n'],
    ['__import__ of os', '__import__("os").system(answer)\n'],
    ['importlib of a built module name', 'import importlib\nimportlib.import_module("sub" + "process").run(answer, shell=True)\n'],
    ['a star import', 'from os import *\nsystem(answer)\n'],
    ['a lambda that runs it later', 'run = lambda c: subprocess.call(c, shell=True)\nrun(answer)\n'],
    ['a decorator that passes it on', 'def deco(f):\n    def w(*a):\n        return f(*a)\n    return w\n@deco\ndef go(c):\n    os.popen(c)\ngo(answer)\n'],
    ['a class attribute set from outside', 'class Job:\n    cmd = "true"\n    def run(self):\n        os.system(self.cmd)\nj = Job()\nj.cmd = answer\nj.run()\n'],
    ['a dataclass field', 'from dataclasses import dataclass\n@dataclass\nclass Step:\n    code: str\ns = Step(code=answer)\nexec(s.code)\n'],
    ['an inherited method through super()', 'class A:\n    def go(self, c):\n        os.system(c)\nclass B(A):\n    def go(self, c):\n        super().go(c)\nB().go(answer)\n'],
    ['a generator', 'def lines():\n    for l in answer.splitlines():\n        yield l\nfor l in lines():\n    subprocess.run(["sh", "-c", l])\n'],
    ['a walrus in a comprehension', '[os.system(c) for line in answer.splitlines() if (c := line.strip())]\n'],
    ['a global set in a function called later', 'CMD = "true"\ndef later():\n    os.system(CMD)\ndef set_it():\n    global CMD\n    CMD = answer\nset_it()\nlater()\n'],
    ['a function defined before the answer exists', 'def runner():\n    exec(PENDING)\nPENDING = answer\n'],
    ['a dict of functions indexed at run time', 'def a(x):\n    os.system(x)\nfns = {"a": a}\nname = answer.split()[0]\nfns[name](answer)\n'],
    ['a match statement capture', 'match answer.split():\n    case [cmd, *rest]:\n        os.execvp(cmd, [cmd, *rest])\n'],
    ['Python 2 exec statement', 'exec answer\n'],
    ['bytes and decode', 'code = answer.encode().decode("utf-8")\nexec(code)\n'],
    ['a shell through str.format with keywords', 'os.system("cd /tmp && {c}".format(c=answer))\n'],
    ['an interpreter reading its standard input', 'p = subprocess.Popen(["python3"], stdin=subprocess.PIPE)\np.stdin.write(answer.encode())\n'],
  ];
  for (const [name, body] of cases) {
    it(name, async () => {
      const a = await analyzer();
      const r = a.analyze(head + body, { language: 'python' });
      assert.ok(r.findings.some((f) => f.ruleId === 'py-model-output-exec'), `${ids(r).join(', ')}\n${head}${body}`);
    });
  }

  it('a module named in sdkNames is a model SDK, and its output is followed', async () => {
    const a = await analyzer();
    const text = 'import acme_llm\nfrom acme_llm.chat import ask\nanswer = acme_llm.complete("a command")\nexec(ask("more"))\nimport os\nos.system(answer)\n';
    const plain = a.analyze(text, { language: 'python' });
    assert.deepEqual(plain.findings.map((f) => f.ruleId).filter((x) => x.startsWith('py-model-sdk') || x === 'py-model-output-exec'), []);
    const r = a.analyze(text, { language: 'python', config: { sdkNames: ['acme_llm'] } });
    assert.deepEqual(r.findings.filter((f) => f.ruleId === 'py-model-sdk-call').map((f) => f.range.start.line), [2, 3]);
    assert.deepEqual(r.findings.filter((f) => f.ruleId === 'py-model-output-exec').map((f) => f.range.start.line), [3, 5]);
  });

  it('what the model only names or prints stays quiet', async () => {
    const a = await analyzer();
    for (const body of ['print(answer)\n', 'subprocess.run(["git", "commit", "-m", answer])\n', 'import ast\nast.literal_eval(answer)\n', 'e = print\ne(answer)\n', 'import json\njson.loads(answer)\n', 'getattr(os, "getcwd")()\n']) {
      const r = a.analyze(head + body, { language: 'python' });
      assert.deepEqual(r.findings.filter((f) => f.category === 'model-output-execution').map((f) => renderMessage(f)), [], body);
    }
  });
});

async function scanProject(files: Record<string, string>): Promise<Map<string, FileResult>> {
  const p = new Project(await analyzer());
  try {
    for (const [path, text] of Object.entries(files)) p.update(`/proj/${path}`, text);
    return new Map(p.analyzeAll().map((r) => [r.path.replace('/proj/', ''), r]));
  } finally {
    p.dispose();
  }
}
const rulesOf = (r: FileResult | undefined) => (r?.findings ?? []).filter((f) => f.ruleId !== 'analysis-incomplete').map((f) => `${f.range.start.line + 1}:${f.ruleId}`);

describe('Python: project analysis', function () {
  this.timeout(30000);

  it('follows a model answer through relative imports into a sink in a third module; the loop that drives it is an agent loop', async () => {
    const r = await scanProject({
      'pkg/__init__.py': '',
      'pkg/llm.py': 'from openai import OpenAI\nclient = OpenAI()\n\ndef ask(q):\n    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}])\n    return r.choices[0].message.content\n',
      'pkg/runner.py': 'import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n',
      'pkg/main.py': 'from .llm import ask\nfrom . import runner\n\nwhile True:\n    runner.run(ask("next"))\n',
    });
    assert.deepEqual(rulesOf(r.get('pkg/llm.py')), ['5:py-model-sdk-call']);
    assert.deepEqual(rulesOf(r.get('pkg/runner.py')), ['4:py-model-output-exec']);
    assert.deepEqual(rulesOf(r.get('pkg/main.py')), ['4:py-agent-loop']);
    const exec = r.get('pkg/runner.py')!.findings.find((f) => f.ruleId === 'py-model-output-exec')!;
    assert.match(renderMessage(exec), /\(llm\.py line 5\)/);
    const files = exec.path.map((s) => s.range.file?.replace('/proj/', '') ?? 'own');
    assert.equal(files[0], 'pkg/llm.py');
    assert.ok(files.includes('pkg/main.py'), files.join(', '));
    const sarif = toSarif([...r.values()], (await analyzer()).rules(), { toolVersion: 't', baseDir: '/proj', relativize: (p) => p.replace('/proj/', '') }) as { runs: { results: { ruleId: string; codeFlows: { threadFlows: { locations: { location: { physicalLocation: { artifactLocation: { uri: string } } } }[] }[] }[] }[] }[] };
    const res = sarif.runs[0]!.results.find((x) => x.ruleId === 'py-model-output-exec')!;
    const uris = res.codeFlows[0]!.threadFlows[0]!.locations.map((l) => l.location.physicalLocation.artifactLocation.uri);
    assert.deepEqual([...new Set(uris)], ['pkg/llm.py', 'pkg/main.py', 'pkg/runner.py']);
  });

  it('resolves absolute imports from the script folder and packages above it, classes and pydantic models across modules', async () => {
    const r = await scanProject({
      'app/models.py': 'from pydantic import BaseModel\n\nclass Plan(BaseModel):\n    command: str\n    directory: str\n',
      'app/ai.py': 'from openai import OpenAI\nfrom app.models import Plan\n\nclass Ai:\n    def __init__(self):\n        self.client = OpenAI()\n\n    def call(self):\n        r = self.client.chat.completions.create(model="m", messages=[])\n        return Plan.model_validate_json(r.choices[0].message.content)\n',
      'app/shell.py': 'import subprocess\n\nclass Shell:\n    def execute(self, command):\n        return subprocess.run(command, shell=True)\n',
      'app/main.py': 'from app.ai import Ai\nfrom app.shell import Shell\n\nclass Loop:\n    def __init__(self):\n        self.ai = Ai()\n        self.shell = Shell()\n\n    def run_once(self):\n        plan = self.ai.call()\n        self.shell.execute("cd " + plan.directory + " && " + plan.command)\n        return True\n\n    def loop(self):\n        while self.run_once():\n            pass\n\nLoop().loop()\n',
    });
    assert.deepEqual(rulesOf(r.get('app/shell.py')), ['5:py-model-output-exec']);
    assert.deepEqual(rulesOf(r.get('app/main.py')), ['15:py-agent-loop']);
    assert.match(renderMessage(r.get('app/main.py')!.findings.find((f) => f.ruleId === 'py-agent-loop')!), /calls `run_once\(\)`, which runs output of `self\.client\.chat\.completions\.create` \(ai\.py line 9\)/);
  });

  it('leaves a module that only formats text quiet, and an import of no project file a library', async () => {
    const r = await scanProject({
      'fmt.py': 'def clean(s):\n    return s.strip()\n',
      'main.py': 'from fmt import clean\nfrom missing_helpers import run_it\nfrom openai import OpenAI\nanswer = OpenAI().responses.create(model="m", input="x").output_text\nprint(clean(answer))\n',
    });
    assert.deepEqual(rulesOf(r.get('fmt.py')), []);
    assert.deepEqual(rulesOf(r.get('main.py')), ['4:py-model-sdk-call']);
  });
});

describe('Python: budgets', function () {
  this.timeout(60000);
  /** A deadline reached after `ticks` statements: reproducible whatever the machine's speed. */
  const afterTicks = (ticks: number) => new Budget(1000, { maxTicks: ticks });

  it('60 nested `while True:` loops converge within the default deadline, with the finding', async () => {
    const a = await analyzer();
    const depth = 60;
    const lines = ['from openai import OpenAI', 'client = OpenAI()', 'answer = ""'];
    for (let i = 0; i < depth; i++) lines.push(`${'    '.repeat(i)}while True:`);
    lines.push(`${'    '.repeat(depth)}exec(answer)`, `${'    '.repeat(depth)}answer = client.responses.create(model="m", input="next").output_text`);
    const r = a.analyze(lines.join('\n') + '\n', { language: 'python' });
    assert.deepEqual(notes(r, 'time'), [], 'the default deadline ran out: loops are re-walked per level again');
    assert.ok(ids(r).includes('py-model-output-exec'), ids(r).join(', '));
  });

  it('a loop-carried chain longer than the rounds allow ends in a loop-rounds note at the loop head', async () => {
    const a = await analyzer();
    const n = 10;
    const text = ['from openai import OpenAI', 'c = OpenAI()', Array.from({ length: n + 1 }, (_, i) => `v${i} = ""`).join('\n'), 'while True:', '    exec(v0)', ...Array.from({ length: n }, (_, i) => `    v${i} = v${i + 1}`), `    v${n} = c.responses.create(model="m", input="x").output_text`, ''].join('\n');
    const r = a.analyze(text, { language: 'python' });
    const [note] = notes(r, 'loop-rounds');
    assert.ok(note, ids(r).join(', '));
    assert.equal(note.range.start.line, 2 + n + 1);
    assert.match(note.message, /loop rounds/);
  });

  it('the deadline covers the dataflow: what was found stands and a time note says where the walk stopped', async () => {
    const a = await analyzer();
    const text = `${head}${Array.from({ length: 300 }, (_, i) => `x${i} = client.responses.create(model="m", input="q${i}").output_text\nexec(x${i})`).join('\n')}\n`;
    const full = a.analyze(text, { language: 'python' });
    assert.equal(full.findings.filter((f) => f.ruleId === 'py-model-output-exec').length, 300);
    const r = a.analyze(text, { language: 'python', budget: afterTicks(400) });
    const [note] = notes(r, 'time');
    assert.ok(note, ids(r).slice(0, 5).join(', '));
    assert.match(note.message, /ran out of its 1000 ms time budget \(analysisBudgetMs\)/);
    const execs = r.findings.filter((f) => f.ruleId === 'py-model-output-exec');
    assert.ok(execs.length > 0 && execs.length < 300, `${execs.length} findings before the deadline`);
  });

  it('more function evaluations than the budget: a note at the call where it stopped, never silence', async () => {
    const a = await analyzer();
    // f_i calls f_{i+1} with its argument and with one more model answer joined in: 2^n distinct argument sets.
    const n = 14;
    const answers = Array.from({ length: n }, (_, i) => `x${i} = client.responses.create(model="m", input="q${i}").output_text`).join('\n');
    const fns = Array.from({ length: n }, (_, i) => `def f${i}(a):\n    f${i + 1}(a)\n    f${i + 1}(a + x${i})`).join('\n');
    const text = `${head}${answers}\n${fns}\ndef f${n}(a):\n    return a\nf0("")\nexec(answer)\n`;
    const r = a.analyze(text, { language: 'python' });
    assert.ok(ids(r).includes('py-model-output-exec'), ids(r).join(', '));
    const [note] = notes(r, 'function-evaluations');
    assert.ok(note, ids(r).join(', '));
    assert.match(note.message, /function evaluations/);
  });

  it('code nested deeper than the walk can follow: a note, never a crash or a clean result', async () => {
    const a = await analyzer();
    const depth = 3000;
    const text = `${head}exec(${'('.repeat(depth)}answer${')'.repeat(depth)})\n`;
    const r = a.analyze(text, { language: 'python' });
    assert.ok(r.skipped || ids(r).some((x) => x === 'py-model-output-exec' || x.startsWith('analysis-incomplete')), ids(r).join(', '));
  });

  it('budget notes cannot be suppressed by the code that exhausts the budget', async () => {
    const a = await analyzer();
    const text = `# fang-ignore-file analysis-incomplete -- trust me\n${head}${Array.from({ length: 200 }, (_, i) => `x${i} = answer\nexec(x${i})`).join('\n')}\n`;
    const r = a.analyze(text, { language: 'python', budget: afterTicks(100) });
    assert.ok(notes(r, 'time').length === 1, ids(r).join(', '));
  });
});
