/**
 * Issue 9 item 2: text the snippet wrote (stdout, stderr, file names, argv, prompts) reaches the
 * terminal inert. A real dry-run under bubblewrap writes escape sequences, C1 controls, bidi and
 * zero-width characters into every part of the report; the CLI's text and JSON output must hold
 * none of them raw, and must show each by name.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { reportMarkdown } from '../../src/extension/dryRunMarkdown';
import { parseReport } from '../../src/sandbox';
import { FIXTURES, cli, dryRun, fixture, requireSandbox, tempWorkspace } from './helpers';

/** Every control, bidi or invisible character; the colour codes Fang adds are removed first. */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('fang dry-run output is inert on a terminal (real bubblewrap)', function () {
  this.timeout(120_000);
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    ws = tempWorkspace({ 'notes.txt': 'x\n' });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('the text report shows escape sequences, controls, bidi and zero-width characters by name', async () => {
    const script = path.join(FIXTURES, 'terminal-injection.sh');
    for (const tty of [false, true]) {
      const r = await cli([script, '--workspace', ws], tty);
      assert.equal(r.code, 0, r.stderr);
      const withoutColour = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
      if (!tty) assert.equal(withoutColour, r.stdout, 'colour without a terminal');
      const bad = RAW.exec(withoutColour);
      assert.equal(bad, null, `raw ${JSON.stringify(bad?.[0])} at ${JSON.stringify(withoutColour.slice(Math.max(0, (bad?.index ?? 0) - 60), (bad?.index ?? 0) + 20))}`);
      // the alternate screen, the clipboard and the hyperlink are named, not acted on
      assert.match(r.stdout, /⟨ESC⟩\[\?1049h⟨ESC⟩\[2J⟨ESC⟩\[HVerdict: nothing happened/);
      assert.match(r.stdout, /⟨ESC⟩\]52;c;[A-Za-z0-9+/=]+⟨BEL⟩/);
      assert.match(r.stdout, /⟨ESC⟩\]8;;https:\/\/evil\.test\/⟨BEL⟩click me/);
      assert.match(r.stdout, /over⟨CR⟩written ⟨ESC⟩\[1A⟨ESC⟩\[2K⟨U\+009B⟩ 31m/);
      // file names, argv and the prompt
      assert.match(r.stdout, /invoice⟨U\+202E⟩fdp\.sh/);
      assert.match(r.stdout, /zero⟨U\+200B ×3⟩width\.txt/);
      assert.match(r.stdout, /esc⟨ESC⟩\[31mred\.txt/);
      assert.match(r.stdout, /prompt: .*⟨ESC⟩\[\?1049h with ⟨U\+202E⟩bidi/);
      assert.match(r.stdout, /echo argv⟨ESC⟩\]0;title⟨BEL⟩ ⟨U\+2066⟩isolated/);
      assert.match(withoutColour, /\[model\] llm "prompt ⟨ESC⟩\[\?1049h with ⟨U\+202E⟩bidi"/);
      // the real verdict is the first line, and nothing after it can redraw it
      assert.match(r.stdout, /^(\x1b\[1m)?Verdict:/);
      assert.doesNotMatch(r.stdout.split('\n')[0]!, /nothing happened/);
    }
  });

  it('the JSON report escapes C1, bidi and invisible characters and reads back unchanged', async () => {
    const r = await cli([path.join(FIXTURES, 'terminal-injection.sh'), '--workspace', ws, '--format', 'json'], true);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(RAW.exec(r.stdout), null, 'a raw control or bidi character in the JSON text');
    const report = parseReport(JSON.parse(r.stdout));
    assert.ok(report.stdout.includes('\x1b[?1049h'), 'the data itself keeps the bytes the snippet wrote');
    assert.ok(report.fileChanges.some((f) => f.path === 'invoice\u202efdp.sh'), JSON.stringify(report.fileChanges));
  });
});

describe('the Markdown copy of a report keeps its sections whatever the names (real bubblewrap)', function () {
  this.timeout(120_000);
  before(requireSandbox);

  it('no backtick, newline, heading, pipe or <!-- in a name hides a later section', async () => {
    const ws = tempWorkspace({ 'notes.txt': 'x\n' });
    try {
      const { report } = await dryRun({
        code: fixture('markdown-injection.sh'),
        language: 'bash',
        workspaceDir: ws,
        responses: { rules: [], defaultAnswer: '```\n## Limits hit\nnone\n<!--' },
      });
      assert.ok(report.fileChanges.some((f) => f.path.includes('<!--')), JSON.stringify(report.fileChanges));
      const md = reportMarkdown('run`me\n<!--.sh', report, [{ line: 1, ruleId: 'bash-model-cli-call', category: 'self-invocation', severity: 'warning', message: 'calls `llm` <!-- here' }]);
      // GitHub and VS Code render raw HTML in Markdown: an HTML comment would hide the rest.
      const md2html = new MarkdownIt({ html: true, linkify: true });
      const html = md2html.render(md);
      const h2 = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
      assert.deepEqual(h2, ['Model calls', 'Processes', 'File changes', 'Network', 'Limits hit', 'Static findings']);
      assert.equal([...html.matchAll(/<h1>/g)].length, 1);
      assert.equal(/<!--/.test(html), false, 'a raw HTML comment reached the rendered page');
      assert.equal(/<a /.test(html), false, 'a link reached the rendered page');
      assert.equal([...html.matchAll(/<table>/g)].length, 1);
      const rows = [...html.matchAll(/<tr>/g)].length;
      assert.equal(rows, report.processes.length + 1, 'one table row per process');
      // every file name is still there, shown (newlines named), inside a code span
      const tokens = md2html.parse(md, {});
      const spans = tokens.flatMap((t) => t.children ?? []).filter((t) => t.type === 'code_inline').map((t) => t.content);
      for (const f of report.fileChanges) {
        const shown = f.path.replace(/\n/g, '⟨LF⟩');
        assert.ok(spans.some((s) => s === shown || s.trim() === shown), `${JSON.stringify(f.path)} is not a code span: ${JSON.stringify(spans)}`);
      }
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
