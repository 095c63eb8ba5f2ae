/**
 * `fang lsp --stdio` spoken to over real pipes by the protocol library's own client: the
 * diagnostics, hovers, quick fixes and lenses a second editor gets, configuration from
 * workspace/configuration and .fang.json (trusted and not), untitled buffers and Markdown fences,
 * one deadline per document, and a server that keeps answering while a large file is analysed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { script } from '../gen/shell-script';
import { fileUri, LspClient, ROOT } from '../lsp/client';

const AGENT_LOOP = fs.readFileSync(path.join(ROOT, 'test/vscode/workspace/agent-loop.sh'), 'utf8');
const AGENT_TS = fs.readFileSync(path.join(ROOT, 'test/vscode/workspace/agent.ts'), 'utf8');
const GUIDE = fs.readFileSync(path.join(ROOT, 'test/vscode/workspace/guide.md'), 'utf8');

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const ids = (ds: Diagnostic[]) => ds.map((d) => String(d.code)).sort();
const fang = (ds: Diagnostic[]) => ds.filter((d) => d.severity !== 4);

describe('fang lsp --stdio (a real client over pipes)', function () {
  this.timeout(60000);
  let dir: string;
  let client: LspClient | undefined;
  let settings: Record<string, unknown>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-lsp-'));
    fs.mkdirSync(path.join(dir, '.git'));
    settings = {};
  });
  afterEach(async () => {
    const c = client;
    client = undefined;
    if (c) assert.equal(await c.stop(), 0, `the server did not exit cleanly; stderr: ${c.stderr.join('')}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(opts: { trusted?: boolean; init?: Record<string, unknown>; configuration?: boolean } = {}): Promise<LspClient> {
    client = new LspClient({
      workspaceFolder: dir,
      initializationOptions: { trusted: opts.trusted ?? false, ...opts.init },
      ...(opts.configuration === false ? {} : { settings: () => settings }),
    });
    await client.initialize();
    return client;
  }

  it('publishes diagnostics with source, rule id, rule page and the dataflow path; hover explains; quick fixes edit', async () => {
    const c = await start();
    const caps = c.initResult!.capabilities;
    assert.ok(caps.hoverProvider && caps.codeActionProvider && caps.codeLensProvider);
    assert.deepEqual(caps.executeCommandProvider?.commands, ['fang.dryRun']);
    const file = path.join(dir, 'agent-loop.sh');
    fs.writeFileSync(file, AGENT_LOOP);
    const uri = fileUri(file);
    c.open(uri, 'sh', AGENT_LOOP);
    const ds = await c.diagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(ids(ds), ['bash-agent-loop', 'bash-model-cli-call', 'bash-model-cli-call', 'bash-model-output-exec']);
    for (const d of ds) {
      assert.equal(d.source, 'fang');
      const page = fileURLToPath(d.codeDescription!.href);
      assert.ok(fs.existsSync(page), `rule page ${page} is missing`);
      assert.equal(path.basename(page), `${String(d.code)}.md`);
    }
    const exec = ds.find((d) => d.code === 'bash-model-output-exec')!;
    assert.equal(exec.range.start.line, 7);
    assert.ok(exec.relatedInformation && exec.relatedInformation.length >= 2, JSON.stringify(exec.relatedInformation));
    assert.deepEqual(exec.relatedInformation.map((r) => r.location.uri), exec.relatedInformation.map(() => uri));
    assert.equal(exec.relatedInformation[0]!.location.range.start.line, 7, 'the path starts at the model call');

    const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 6 } });
    const md = (hover!.contents as MarkupContent).value;
    assert.equal((hover!.contents as MarkupContent).kind, 'markdown');
    assert.match(md, /\*\*Fang: .*\*\* \(`bash-model-output-exec`, model-output-execution, error\)/);
    assert.match(md, /Path: line 8: /);
    assert.match(md, /\[Rule documentation\]\(file:\/\/.*bash-model-output-exec\.md\)/);
    const nothing = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } });
    assert.equal(nothing, null);

    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: exec.range,
      context: { diagnostics: [exec], only: ['quickfix'] },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Suppress bash-model-output-exec on this line'), titles.join(' | '));
    assert.ok(titles.includes('Suppress bash-model-output-exec in this file'), titles.join(' | '));
    assert.ok(actions.some((a) => a.isPreferred), `a proven rewrite is offered first: ${titles.join(' | ')}`);
    for (const a of actions) assert.deepEqual(a.diagnostics, [exec]);
    // The rewrite, applied, leaves no executed model output.
    const rewrite = actions.find((a) => a.isPreferred)!;
    const fixed = applyEdits(AGENT_LOOP, rewrite.edit!.changes![uri]!);
    c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: AGENT_LOOP.split('\n').length, character: 0 } }, text: fixed }]);
    const after = await c.diagnostics(uri, () => true, 2);
    assert.ok(!fang(after).some((d) => d.code === 'bash-model-output-exec' && d.severity === 1), `still executed after "${rewrite.title}": ${JSON.stringify(after)}`);

    const lenses = await c.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]), [[0, 'Dry-run needs a trusted workspace', 'fang.dryRun']]);
  });

  it('a suppression quick fix applied turns the finding into a hint and asks for the reason', async () => {
    const c = await start();
    const uri = fileUri(path.join(dir, 'agent.ts'));
    c.open(uri, 'typescript', AGENT_TS);
    const ds = await c.diagnostics(uri, (d) => d.some((x) => x.code === 'js-model-output-exec'));
    const exec = ds.find((d) => d.code === 'js-model-output-exec')!;
    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: exec.range, context: { diagnostics: [exec] } });
    const line = actions.find((a) => a.title === 'Suppress js-model-output-exec on this line')!;
    const edited = applyEdits(AGENT_TS, line.edit!.changes![uri]!);
    assert.match(edited.split('\n')[exec.range.start.line]!, /^\s+\/\/ fang-ignore-next-line js-model-output-exec -- $/);
    c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, text: edited }]);
    const after = await c.diagnostics(uri, () => true, 2);
    const hint = after.find((d) => d.code === 'js-model-output-exec')!;
    assert.equal(hint.severity, 4, 'the suppressed finding stays visible as a hint');
    assert.match(String(hint.message), /^suppressed by fang-ignore-next-line on line \d+ \(no reason given\)/);
    assert.ok(after.some((d) => d.code === 'suppression-without-reason'), ids(after).join(', '));
  });

  it('reads untitled buffers by their #! line and Markdown fences in document lines', async () => {
    const c = await start();
    const untitled = 'untitled:Untitled-1';
    c.open(untitled, 'plaintext', '#!/bin/bash\nx=$(llm "next command")\neval "$x"\n');
    const u = await c.diagnostics(untitled, (d) => d.length > 0);
    assert.ok(u.some((d) => d.code === 'bash-model-output-exec' && d.range.start.line === 2), JSON.stringify(u));
    const plain = 'untitled:Untitled-2';
    c.open(plain, 'plaintext', 'eval "$(llm hi)" but this is prose\n');
    assert.deepEqual(await c.diagnostics(plain), [], 'plain text without a #! line is not analysed');

    const uri = fileUri(path.join(dir, 'guide.md'));
    c.open(uri, 'markdown', GUIDE);
    const ds = await c.diagnostics(uri, (d) => d.length > 0);
    const exec = ds.find((d) => d.code === 'bash-model-output-exec')!;
    assert.equal(GUIDE.split('\n')[exec.range.start.line], 'eval "$(llm "write a command that frees disk space")"');
    const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: exec.range, context: { diagnostics: [exec] } });
    const block = actions.find((a) => a.title === 'Suppress bash-model-output-exec in this code block');
    assert.ok(block, actions.map((a) => a.title).join(' | '));
    const edited = applyEdits(GUIDE, block.edit!.changes![uri]!).split('\n');
    const fenceLine = GUIDE.split('\n').indexOf('```bash');
    assert.equal(edited[fenceLine + 1], '# fang-ignore-file bash-model-output-exec -- ');
    const lenses = await c.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => l.range.start.line), [fenceLine, GUIDE.split('\n').indexOf('```sh')], 'a lens above each runnable fence');
  });

  it('takes fang.* settings from workspace/configuration, names a wrong value, and re-reads on change', async () => {
    settings = { rules: { 'bash-model-cli-call': 'off' }, debounceMs: 'soon' };
    const c = await start();
    const uri = fileUri(path.join(dir, 'agent-loop.sh'));
    c.open(uri, 'shellscript', AGENT_LOOP);
    const ds = await c.diagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(ids(ds), ['bash-agent-loop', 'bash-model-output-exec']);
    const warning = await c.until(() => c.messages.find((m) => m.kind === 'show' && m.type === 2), 'a warning');
    assert.match(String(warning.message), /fang\.debounceMs: .*using the default/);
    settings = { enable: { bash: false } };
    void c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await c.until(() => c.published.filter((p) => p.uri === uri).at(-1)?.diagnostics.length === 0, 'diagnostics cleared by fang.enable.bash off');
  });

  it('uses pushed settings when the client has no workspace/configuration', async () => {
    const c = await start({ configuration: false, init: { settings: { fang: { categories: { 'self-invocation': 'off' } } } } });
    const uri = fileUri(path.join(dir, 'agent-loop.sh'));
    c.open(uri, 'bash', AGENT_LOOP);
    assert.deepEqual(ids(await c.diagnostics(uri, (d) => d.length > 0)), ['bash-agent-loop', 'bash-model-output-exec']);
    void c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { fang: { rules: { 'bash-agent-loop': 'off' } } } });
    await c.until(() => {
      const last = c.published.filter((p) => p.uri === uri).at(-1);
      return last && ids(last.diagnostics).join() === 'bash-model-cli-call,bash-model-cli-call,bash-model-output-exec';
    }, 'diagnostics under the pushed settings');
  });

  it('.fang.json: obeyed in a trusted workspace; untrusted, it may only make Fang stricter and each dropped entry is named', async () => {
    fs.writeFileSync(path.join(dir, '.fang.json'), JSON.stringify({ rules: { 'bash-agent-loop': 'off', 'bash-model-cli-call': 'error' }, maxFileBytes: 10 }));
    const untrusted = await start();
    const uri = fileUri(path.join(dir, 'agent-loop.sh'));
    untrusted.open(uri, 'sh', AGENT_LOOP);
    const ds = await untrusted.diagnostics(uri, (d) => d.length > 0);
    assert.ok(ds.some((d) => d.code === 'bash-agent-loop'), 'an untrusted .fang.json cannot turn a rule off');
    assert.ok(ds.filter((d) => d.code === 'bash-model-cli-call').every((d) => d.severity === 1), 'but it may raise a severity');
    const warning = await untrusted.until(() => untrusted.messages.find((m) => m.kind === 'show' && /\.fang\.json: rules\.bash-agent-loop is ignored/.test(m.message)), 'the dropped entry named');
    assert.match(String(warning.message), /not declared this workspace trusted/);
    assert.equal(await untrusted.stop(), 0);
    client = undefined;

    const trusted = await start({ trusted: true });
    trusted.open(uri, 'sh', AGENT_LOOP);
    const skipped = await trusted.diagnostics(uri);
    assert.deepEqual(skipped.map((d) => [d.code, d.severity, String(d.message)]), [['analysis-incomplete', 3, 'Fang did not analyse this document: skipped: 480 bytes is over the 10 bytes size cap (maxFileBytes)']], 'maxFileBytes 10 from a trusted .fang.json skips the file, and says so');
    fs.writeFileSync(path.join(dir, '.fang.json'), JSON.stringify({ rules: { 'bash-agent-loop': 'off', 'bash-model-cli-cal': 'off' } }));
    trusted.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    const now = await trusted.diagnostics(uri, () => true, 2);
    assert.ok(!now.some((d) => d.code === 'bash-agent-loop') && now.some((d) => d.code === 'bash-model-output-exec'), ids(now).join(', '));
    await trusted.until(() => trusted.messages.find((m) => /bash-model-cli-cal.*bash-model-cli-call/.test(m.message)), 'the misspelt rule id named with the closest real one');
  });

  it('keeps one deadline per document: an overrun is an analysis-incomplete note, and other requests are answered meanwhile', async () => {
    const c = await start();
    const small = fileUri(path.join(dir, 'small.sh'));
    c.open(small, 'sh', 'x=$(llm "a")\neval "$x"\n');
    await c.diagnostics(small, (d) => d.length > 0);
    const big = fileUri(path.join(dir, 'big.sh'));
    const t0 = performance.now();
    c.open(big, 'sh', script(10_000));
    // While the worker analyses the big file, the server's own loop answers a hover on the small one at once.
    const h = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: small }, position: { line: 1, character: 1 } });
    const answeredMs = performance.now() - t0;
    assert.ok(h, 'the hover on the analysed small file');
    const first = await c.diagnostics(big, (d) => d.length > 0);
    const doneMs = performance.now() - t0;
    assert.ok(first.filter((d) => d.code === 'bash-model-cli-call').length >= 10, ids(first).slice(0, 5).join(', '));
    assert.ok(answeredMs < doneMs, `the hover (${answeredMs.toFixed(0)} ms) waited for the analysis (${doneMs.toFixed(0)} ms)`);
    settings = { analysisBudgetMs: 5 };
    void c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const ds = await c.diagnostics(big, (d) => d.some((x) => x.code === 'analysis-incomplete'));
    const note = ds.find((d) => d.code === 'analysis-incomplete');
    assert.ok(note, ids(ds).join(', '));
    assert.match(String(note.message), /^Fang did not analyse this document: skipped: parsing did not finish within the 5 ms time budget/);
    assert.equal(note.severity, 3);
    assert.ok(answeredMs < doneMs, `the hover (${answeredMs.toFixed(0)} ms) waited for the analysis (${doneMs.toFixed(0)} ms)`);
  });

  it('refuses a dry-run until the client declares the workspace trusted, and validates the command arguments', async () => {
    const c = await start();
    const uri = fileUri(path.join(dir, 'agent-loop.sh'));
    c.open(uri, 'sh', AGENT_LOOP);
    await c.diagnostics(uri, (d) => d.length > 0);
    const r = await c.conn.sendRequest<{ unavailable?: string }>('workspace/executeCommand', { command: 'fang.dryRun', arguments: [uri] });
    assert.match(r.unavailable ?? '', /off until the editor declares this workspace trusted/);
    const bad = await c.conn.sendRequest<{ error?: string }>('workspace/executeCommand', { command: 'fang.dryRun', arguments: [42] });
    assert.match(bad.error ?? '', /takes \[uri, range\?\]/);
  });

  it('`fang lsp` without --stdio is a usage error; --help prints the usage', async () => {
    const { spawnSync } = await import('node:child_process');
    const bin = path.join(ROOT, 'bin', 'fang.js');
    const bad = spawnSync(process.execPath, [bin, 'lsp'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /give --stdio/);
    const help = spawnSync(process.execPath, [bin, 'lsp', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: fang lsp --stdio/);
  });
});
