/**
 * The dry-run from the editor, in a real VS Code with the real bubblewrap sandbox: lenses,
 * the command, the report the webview actually rendered, cancel, the no-backend state.
 * Fails loudly (never skips) when the machine has no sandbox: `npm test` needs bubblewrap.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DryRunOutcome } from '../../../src/extension/dryRunController';
import { LENS_TITLE, NO_BACKEND_TITLE } from '../../../src/extension/dryRunLens';
import { parseFromWebview, type Rendered } from '../../../src/extension/dryRunProtocol';
import type { FangApi } from '../../../src/extension/extension';
import { closeAll, fang, nextEvent, openScratch, recordMetric } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const AGENT_LOOP = fs.readFileSync(path.join(root, 'examples', 'agent-loop.sh'), 'utf8');

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function dryRunLenses(all: vscode.CodeLens[]): vscode.CodeLens[] {
  return all.filter((l) => l.command?.command === 'fang.dryRun' || l.command?.command === 'fang.dryRunInstructions' || l.command?.title.startsWith('Dry-run'));
}

/** Runs a lens's command the way a click does, and waits for what the webview rendered. */
async function clickLens(api: FangApi, lens: vscode.CodeLens, uri: vscode.Uri): Promise<{ outcome: DryRunOutcome; rendered: Rendered; ms: number }> {
  const t0 = performance.now();
  const rendered = nextEvent(api.dryRun.panels.onDidRender, (e) => e.uri.toString() === uri.toString(), 'the report webview to render', 30_000);
  const outcome = await vscode.commands.executeCommand<DryRunOutcome>(lens.command!.command, ...(lens.command!.arguments ?? []));
  if (!outcome?.report) {
    rendered.catch(() => undefined);
    throw new Error(`the dry-run produced no report: ${JSON.stringify(outcome)}`);
  }
  const r = await rendered;
  return { outcome, rendered: r.rendered, ms: performance.now() - t0 };
}

describe('dry-run in the editor', function () {
  this.timeout(60_000);
  let api: FangApi;

  before(async () => {
    api = await fang();
    const state = await api.dryRun.availability.settled();
    // A machine without bubblewrap cannot run this suite: say so as a failure, never skip.
    assert.equal(state.kind, 'ready', `no sandbox backend on this machine (${JSON.stringify(state)}); install bubblewrap and strace`);
  });
  afterEach(closeAll);

  it('explains the sandbox before the first run and runs nothing unless the explanation is accepted', async () => {
    await api.dryRun.resetExplanation();
    const { doc } = await openScratch(api, 'echo "$(llm hi)"\n', 'shellscript');
    let started = false;
    const sub = api.dryRun.onDidStart(() => (started = true));
    try {
      // The test workbench refuses modal dialogs, which is the same as closing the explanation.
      const outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', doc.uri);
      assert.equal(outcome?.declined, true, JSON.stringify(outcome));
      assert.equal(started, false);
    } finally {
      sub.dispose();
    }
    // "Don't Show Again" from here on.
    await api.dryRun.dismissExplanation();
  });

  it('shows "Dry-run in sandbox" at the top of the agent-loop example', async () => {
    const { doc } = await openScratch(api, AGENT_LOOP, 'shellscript');
    const found = dryRunLenses(await lenses(doc.uri));
    assert.equal(found.length, 1, JSON.stringify(found.map((l) => [l.range.start.line, l.command?.title])));
    assert.equal(found[0]!.command!.title, LENS_TITLE);
    assert.equal(found[0]!.range.start.line, 0);
    assert.equal(found[0]!.command!.command, 'fang.dryRun');
  });

  it('shows a lens on each Bash/TS/JS/Python fence of a Markdown file and on no other fence', async () => {
    const md = ['# Notes', '', '```bash', 'echo "$(llm hi)"', '```', '', '```python', 'print(1)', '```', '', '```ruby', 'puts 1', '```', '', '```ts', 'console.log(1);', '```', ''].join('\n');
    const { doc } = await openScratch(api, md, 'markdown');
    const found = dryRunLenses(await lenses(doc.uri));
    assert.deepEqual(found.map((l) => l.range.start.line), [2, 6, 14]);
    assert.ok(found.every((l) => l.command?.title === LENS_TITLE));
  });

  it('puts a lens above the statement holding a finding in a long file', async () => {
    const filler = Array.from({ length: 45 }, (_, i) => `echo "step ${i}"`);
    const text = ['#!/bin/bash', ...filler, 'if true; then', '  eval "$(llm "write code")"', 'fi', ''].join('\n');
    const { doc, analysis } = await openScratch(api, text, 'shellscript');
    assert.ok(analysis.findings.length > 0, 'the long file has a finding');
    const lines = dryRunLenses(await lenses(doc.uri)).map((l) => l.range.start.line);
    assert.deepEqual(lines, [0, 46]);
  });

  it('dry-runs the agent-loop example from its lens and the report shows the model calls, the executed stub code and the loop', async () => {
    const { doc } = await openScratch(api, AGENT_LOOP, 'shellscript');
    const lens = dryRunLenses(await lenses(doc.uri))[0]!;
    const { outcome, rendered, ms } = await clickLens(api, lens, doc.uri);
    recordMetric('dry-run click to rendered report (agent-loop example)', ms, 'ms');
    const report = outcome.report!;
    assert.equal(report.modelCalls.length, 4, report.verdict);
    assert.equal(report.executedModelOutput.length, 3, report.verdict);
    assert.ok(report.recursion.some((x) => x.kind === 'agent-loop'), report.verdict);
    // What the webview drew: four model nodes, three code nodes, the edges, the loop.
    assert.equal(rendered.nodes.filter((n) => n.kind === 'model').length, 4);
    assert.equal(rendered.nodes.filter((n) => n.kind === 'code').length, 3);
    assert.equal(rendered.edges.filter((e) => e.kind === 'became-code').length, 3);
    assert.ok(rendered.edges.some((e) => e.kind === 'loop'), JSON.stringify(rendered.edges));
    assert.ok(rendered.edges.some((e) => e.kind === 'fed' && e.from === 'm1'), JSON.stringify(rendered.edges));
    // and the page's text: the prompts, the stub answers, the code that ran, the line links
    assert.ok(rendered.text.includes('On separate lines, list ideas to try.'), rendered.text.slice(0, 2000));
    for (const x of report.executedModelOutput) assert.ok(rendered.text.includes(x.answer.trim()), `executed stub code ${JSON.stringify(x.answer)} missing`);
    assert.match(rendered.text, /line 10/);
    assert.match(rendered.text, /bash-model-output-exec|bash-agent-loop/);
    assert.equal(rendered.verdict, report.verdict);
    assert.ok(api.dryRun.panels.panelFor(doc.uri), 'the panel of the document is open');
  });

  it('dry-runs a TypeScript fence of a Markdown file from its lens: the chat API call and the command it ran', async () => {
    const agent = fs.readFileSync(path.join(root, 'test', 'fixtures', 'dryrun', 'agent-fetch.ts'), 'utf8');
    const md = ['# An agent', '', 'Some text.', '', '```ts', agent.trimEnd(), '```', ''].join('\n');
    const { doc } = await openScratch(api, md, 'markdown');
    const lens = dryRunLenses(await lenses(doc.uri)).find((l) => l.range.start.line === 4);
    assert.ok(lens, 'a lens on the ts fence');
    const { outcome, rendered } = await clickLens(api, lens, doc.uri);
    const report = outcome.report!;
    assert.equal(report.language, 'ts');
    assert.equal(report.modelCalls.length, 1, report.verdict);
    assert.equal(report.modelCalls[0]!.kind, 'http');
    assert.equal(report.executedModelOutput.length, 1, report.verdict);
    assert.ok(rendered.nodes.some((n) => n.kind === 'model') && rendered.nodes.some((n) => n.kind === 'code'), JSON.stringify(rendered.nodes));
    assert.ok(rendered.text.includes('Give me a shell command that shows the disk usage.'));
    // the sink's snippet line, shown as a document line: the fence's content starts at line 6
    const sinkLine = agent.split('\n').findIndex((l) => l.includes('execSync(cmd')) + 1;
    assert.equal(report.executedModelOutput[0]!.line, sinkLine);
    assert.match(rendered.text, new RegExp(`line ${sinkLine + 5}\\b`));
  });

  it('dry-runs a Python agent loop from its lens: the SDK calls through the stand-in, the answers that ran, on their lines', async () => {
    const agent = fs.readFileSync(path.join(root, 'test', 'fixtures', 'dryrun', 'agent-loop.py'), 'utf8');
    const { doc } = await openScratch(api, agent, 'python');
    const lens = dryRunLenses(await lenses(doc.uri))[0];
    assert.ok(lens, 'a lens on the Python file');
    const { outcome, rendered } = await clickLens(api, lens, doc.uri);
    const report = outcome.report!;
    assert.equal(report.language, 'python');
    assert.equal(report.exitCode, 0, report.stderr);
    assert.ok(report.modelCalls.length >= 3 && report.modelCalls.every((c) => c.kind === 'http' && c.line !== null), report.verdict);
    assert.ok(report.executedModelOutput.some((x) => x.sink === 'sh -c' && x.line === 10), JSON.stringify(report.executedModelOutput));
    assert.ok(report.executedModelOutput.some((x) => x.sink === 'exec' && x.line === 12), JSON.stringify(report.executedModelOutput));
    assert.ok(rendered.text.includes('On separate lines, list ideas to try.'), rendered.text.slice(0, 2000));
    assert.match(rendered.text, /line 10\b/);
  });

  it('reuses one panel per document', async () => {
    const { doc } = await openScratch(api, 'echo "$(llm "say hi")"\n', 'shellscript');
    const lens = dryRunLenses(await lenses(doc.uri))[0]!;
    await clickLens(api, lens, doc.uri);
    const first = api.dryRun.panels.panelFor(doc.uri);
    const { rendered } = await clickLens(api, lens, doc.uri);
    assert.equal(api.dryRun.panels.panelFor(doc.uri), first);
    assert.ok(rendered.nodes.some((n) => n.kind === 'model'));
  });

  it('uses the stub answers file and copies the report as Markdown', async () => {
    const { doc } = await openScratch(api, 'answer=$(llm "pick a greeting")\neval "$answer"\n', 'shellscript');
    const file = await api.dryRun.editResponses(doc.uri);
    assert.ok(file && fs.existsSync(file.fsPath), 'the responses file was created');
    fs.writeFileSync(file.fsPath, 'responses:\n  - when: "greeting"\n    answer: "echo stub-said-hello"\n');
    try {
      const lens = dryRunLenses(await lenses(doc.uri))[0]!;
      const { outcome, rendered } = await clickLens(api, lens, doc.uri);
      assert.equal(outcome.report!.modelCalls[0]?.answer, 'echo stub-said-hello');
      assert.match(outcome.report!.stdout, /stub-said-hello/);
      assert.ok(rendered.text.includes('echo stub-said-hello'));
      const md = await api.dryRun.copyMarkdown(doc.uri);
      assert.equal(await vscode.env.clipboard.readText(), md);
      assert.match(md ?? '', /## Model calls[\s\S]*echo stub-said-hello/);
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('Cancel ends a `sleep 1000` snippet and its sandbox within a second', async () => {
    const { doc } = await openScratch(api, 'sleep 1000\n', 'shellscript');
    let initPid = 0;
    const sleeping = nextEvent(api.dryRun.onDidTrace, (t) => {
      if (t.uri.toString() !== doc.uri.toString()) return false;
      if (t.event.type === 'sandbox') initPid = t.event.initPid;
      return t.event.type === 'exec' && t.event.argv.includes('sleep');
    }, 'sleep to start in the sandbox', 20_000);
    const run = vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', doc.uri);
    await sleeping;
    assert.ok(initPid > 0, 'the sandbox reported its init pid');
    const t0 = performance.now();
    assert.equal(api.dryRun.cancel(doc.uri), true);
    const outcome = await run;
    const ms = performance.now() - t0;
    recordMetric('dry-run cancel to stopped (sleep 1000)', ms, 'ms');
    assert.equal(outcome?.cancelled, true, JSON.stringify(outcome));
    assert.ok(ms < 1000, `cancel took ${ms.toFixed(0)} ms`);
    assert.throws(() => process.kill(initPid, 0), /ESRCH/, `the sandbox's init (host pid ${initPid}) is still alive`);
  });

  it('runs a selection with Fang: Dry-run Selection', async () => {
    const { editor, doc } = await openScratch(api, 'echo first\nx=$(llm "hello")\necho "$x"\necho last\n', 'shellscript');
    editor.selection = new vscode.Selection(1, 0, 2, 9);
    const rendered = nextEvent(api.dryRun.panels.onDidRender, (e) => e.uri.toString() === doc.uri.toString(), 'the report', 30_000);
    const outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRunSelection');
    assert.ok(outcome?.report, JSON.stringify(outcome));
    assert.equal(outcome.report.modelCalls.length, 1);
    assert.doesNotMatch(outcome.report.stdout, /first|last/, 'only the selected lines ran');
    const r = await rendered;
    assert.match(r.rendered.text, /line 2/, 'lines are shown as document lines');
  });

  it('offers the dry-run in the hover of a finding', async () => {
    const { doc } = await openScratch(api, 'eval "$(llm "write code")"\n', 'shellscript');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    const link = /\[Dry-run in sandbox\]\(command:fang\.dryRun\?([^)\s]+)\)/.exec(text);
    assert.ok(link, text);
    // the link's arguments arrive as JSON, as from a click on it
    const args = JSON.parse(decodeURIComponent(link[1]!)) as unknown[];
    const outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', ...args);
    assert.equal(outcome?.report?.modelCalls.length, 1, JSON.stringify(outcome));
    assert.equal(outcome.report.executedModelOutput.length, 1);
  });

  it('runs nothing on open, save or paste', async () => {
    let started = 0;
    const sub = api.dryRun.onDidStart(() => (started += 1));
    try {
      const { doc, editor } = await openScratch(api, '#!/bin/bash\necho start\n', 'shellscript');
      const warned = nextEvent(api.pasteGuard.onDidWarn, (w) => w.uri.toString() === doc.uri.toString(), 'the paste guard warning');
      await editor.edit((b) => b.insert(new vscode.Position(2, 0), AGENT_LOOP));
      await warned;
      assert.ok(await doc.save(), 'saved');
      assert.equal(started, 0, 'a dry-run started without a click');
    } finally {
      sub.dispose();
    }
  });

  it('accepts only well-formed messages from the webview', () => {
    assert.equal(parseFromWebview({ type: 'reveal', line: 3 }).ok, true);
    for (const bad of [{ type: 'reveal', line: 0 }, { type: 'reveal', line: '3' }, { type: 'runShell', cmd: 'rm -rf ~' }, null, 'ready', { type: 'rendered', verdict: 1 }]) {
      assert.equal(parseFromWebview(bad).ok, false, JSON.stringify(bad));
    }
  });

  describe('without a sandbox backend', () => {
    after(async () => {
      const state = await api.dryRun.availability.useDetector();
      assert.equal(state.kind, 'ready');
    });

    it('the lens says to install bubblewrap and opens instructions; the command runs nothing', async () => {
      const message = 'bubblewrap is not installed: install it (Debian/Ubuntu: `sudo apt-get install bubblewrap strace`)';
      const state = await api.dryRun.availability.useDetector(async () => ({ available: false, message }));
      assert.equal(state.kind, 'no-backend');
      const { doc } = await openScratch(api, AGENT_LOOP, 'shellscript');
      const found = dryRunLenses(await lenses(doc.uri));
      assert.equal(found.length, 1);
      assert.equal(found[0]!.command!.title, NO_BACKEND_TITLE);
      assert.equal(found[0]!.command!.command, 'fang.dryRunInstructions');
      let started = false;
      const sub = api.dryRun.onDidStart(() => (started = true));
      try {
        const opened = nextEvent(vscode.workspace.onDidOpenTextDocument, (d) => d.uri.scheme === 'fang-dryrun-help' && d.getText().includes('sudo apt-get install bubblewrap strace'), 'the install instructions to open');
        const outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', doc.uri);
        assert.equal(outcome?.unavailable, message);
        await opened;
        assert.equal(started, false, 'nothing ran');
      } finally {
        sub.dispose();
      }
    });
  });
});
