import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PasteWarning } from '../../../src/extension/pasteGuard';
import { analysisOf, closeAll, codeOf, fang, fangHints, nextEvent, openFile, openScratch, recordMetric, setSetting } from './helpers';

const BLOCK = 'echo "setting up"\nfix=$(llm "write a one-liner that fixes my PATH")\neval "$fix"\necho "done"\n';

/** Collects paste-guard warnings until disposed. */
function collect(api: Awaited<ReturnType<typeof fang>>): { warnings: PasteWarning[]; dispose(): void } {
  const warnings: PasteWarning[] = [];
  const sub = api.pasteGuard.onDidWarn((w) => warnings.push(w));
  return { warnings, dispose: () => sub.dispose() };
}

describe('paste guard', () => {
  afterEach(async () => {
    await setSetting('pasteGuard.minLines', undefined);
    await setSetting('pasteGuard.minChars', undefined);
    await closeAll();
  });

  it('warns at once when one edit inserts a risky block, naming what and where', async () => {
    const api = await fang();
    const { doc, editor } = await openScratch(api, '#!/bin/bash\n# my script\n', 'shellscript');
    const warned = nextEvent(api.pasteGuard.onDidWarn, (w) => w.uri.toString() === doc.uri.toString(), 'a paste warning');
    await editor.edit((b) => b.insert(new vscode.Position(2, 0), BLOCK));
    const w = await warned;
    assert.equal(w.range.start.line, 2);
    assert.equal(w.range.end.line, 6);
    assert.ok(w.findings.some((f) => f.ruleId === 'bash-model-output-exec'));
    assert.match(w.message, /^Inserted code: .*eval.*line 5/);
    assert.equal(w.message.match(/line 5/g)?.length, 1, `the line is named once: ${w.message}`);
  });

  it('warns when a risky Python block is pasted into a Python file', async () => {
    const api = await fang();
    const { doc, editor } = await openScratch(api, 'import os\n\n', 'python');
    const warned = nextEvent(api.pasteGuard.onDidWarn, (w) => w.uri.toString() === doc.uri.toString(), 'a paste warning');
    const block = 'from openai import OpenAI\nclient = OpenAI()\nfix = client.responses.create(model="gpt-4.1", input="python that fixes my PATH").output_text\nexec(fix)\n';
    await editor.edit((b) => b.insert(new vscode.Position(2, 0), block));
    const w = await warned;
    assert.equal(w.range.start.line, 2);
    assert.ok(w.findings.some((f) => f.ruleId === 'py-model-output-exec'), w.message);
    assert.match(w.message, /^Inserted code: .*exec.*line 6/);
  });

  it('a block that carries its own suppression is warned about, and the warning says so; the suppression shows as a hint', async () => {
    const api = await fang();
    const { doc, editor } = await openScratch(api, '#!/bin/bash\n', 'shellscript');
    const warned = nextEvent(api.pasteGuard.onDidWarn, (w) => w.uri.toString() === doc.uri.toString(), 'a paste warning');
    const block = 'echo "setting up"\n# fang-ignore-next-line bash-model-output-exec -- reviewed\neval "$(llm "write a one-liner")"\necho "done"\n';
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), block));
    const w = await warned;
    assert.ok(w.findings.some((f) => f.ruleId === 'bash-model-output-exec'), w.message);
    assert.deepEqual(w.selfSuppressed.map((f) => f.suppression.range.start.line), [2]);
    assert.match(w.message, /The block carried its own suppression \(fang-ignore-next-line on line 3\)/);
    // In the document the comment does suppress (it is the user's file), but not out of sight.
    const a = await analysisOf(api, doc);
    assert.ok(!a.findings.some((f) => f.ruleId === 'bash-model-output-exec'));
    const hint = fangHints(doc.uri).find((d) => codeOf(d) === 'bash-model-output-exec');
    assert.equal(hint?.severity, vscode.DiagnosticSeverity.Hint);
    assert.match(hint!.message, /^suppressed by fang-ignore-next-line on line 3 \(reviewed\): /);
  });

  it('stays silent for typing, undo and redo, and below the thresholds', async () => {
    const api = await fang();
    const seen = collect(api);
    try {
      const { doc, editor } = await openScratch(api, '#!/bin/bash\n', 'shellscript');
      // type the risky block character by character
      for (const ch of BLOCK) {
        await editor.edit((b) => b.insert(doc.lineAt(doc.lineCount - 1).range.end, ch));
      }
      const typed = await analysisOf(api, doc);
      assert.ok(typed.findings.some((f) => f.ruleId === 'bash-model-output-exec'), 'the typed code must still be analysed');
      // remove it and bring it back with undo/redo-like edits
      await editor.edit((b) => b.delete(new vscode.Range(1, 0, doc.lineCount, 0)));
      await vscode.commands.executeCommand('undo');
      await vscode.commands.executeCommand('redo');
      await vscode.commands.executeCommand('undo');
      await analysisOf(api, doc);
      // a block that is under raised thresholds
      await setSetting('pasteGuard.minLines', 10);
      await setSetting('pasteGuard.minChars', 1000);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), BLOCK));
      await analysisOf(api, doc);
      assert.deepEqual(seen.warnings.map((w) => w.message), []);
    } finally {
      seen.dispose();
    }
  });

  it('stays silent when a file is reloaded from disk', async () => {
    const api = await fang();
    const seen = collect(api);
    try {
      const { doc } = await openFile(api, 'benign.sh');
      const reloaded = nextEvent(vscode.workspace.onDidChangeTextDocument, (e) => e.document === doc && e.contentChanges.length > 0, 'the reload from disk');
      // another program rewrites the file: VS Code reloads the clean document
      fs.writeFileSync(doc.uri.fsPath, `${doc.getText()}${BLOCK}`);
      await reloaded;
      const a = await analysisOf(api, doc);
      assert.equal(doc.isDirty, false);
      assert.ok(a.findings.some((f) => f.ruleId === 'bash-model-output-exec'), 'the reloaded text must be analysed');
      assert.deepEqual(seen.warnings.map((w) => w.message), []);
    } finally {
      seen.dispose();
    }
  });

  it('Undo removes the inserted block', async () => {
    const api = await fang();
    const before = '#!/bin/bash\necho start\n';
    const { doc, editor } = await openScratch(api, before, 'shellscript');
    const warned = nextEvent(api.pasteGuard.onDidWarn, (w) => w.uri.toString() === doc.uri.toString(), 'a paste warning');
    await editor.edit((b) => b.insert(new vscode.Position(2, 0), BLOCK));
    const w = await warned;
    assert.equal(await vscode.commands.executeCommand('fang.undoPaste', w), true);
    assert.equal(doc.getText(), before);
  });

  it('a 1 MB insertion is handled off the main thread without freezing the extension host', async () => {
    const api = await fang();
    const { doc, editor } = await openScratch(api, '#!/bin/bash\n', 'shellscript');
    const line = 'echo "padding line that is harmless and long enough to add up quickly ......."\n';
    const blob = line.repeat(Math.floor((1000 * 1024) / line.length));
    let worstGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    try {
      const started = performance.now();
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), blob));
      const a = await analysisOf(api, doc, 30_000);
      recordAndCheck(worstGap, performance.now() - started, a.skipped?.reason);
    } finally {
      clearInterval(ticker);
    }
  });
});

function recordAndCheck(worstGapMs: number, totalMs: number, skipped: string | undefined): void {
  recordMetric('1 MB insertion: longest extension-host event-loop gap', worstGapMs, 'ms');
  recordMetric('1 MB insertion: edit to analysis result', totalMs, 'ms');
  assert.equal(skipped, undefined, 'a 1 MB script is within the default size cap and must be analysed');
  assert.ok(worstGapMs < 500, `the extension host's event loop stalled for ${worstGapMs.toFixed(0)} ms`);
}
