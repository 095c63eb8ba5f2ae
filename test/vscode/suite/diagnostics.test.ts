import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { analysisOf, closeAll, codeOf, fang, fangDiagnostics, nextEvent, openFile, openUntitled } from './helpers';

describe('diagnostics', () => {
  afterEach(closeAll);

  it('activates and knows the core\'s rules', async () => {
    const api = await fang();
    const rules = await api.rules();
    assert.ok(rules.length > 0, 'no rules');
    assert.ok(rules.some((r) => r.id === 'bash-model-output-exec'));
  });

  it('reports eval of model output in a shell script with range, code, link and path', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const diags = fangDiagnostics(doc.uri);
    const exec = diags.find((d) => codeOf(d) === 'bash-model-output-exec');
    assert.ok(exec, `no bash-model-output-exec among ${diags.map(codeOf).join(', ')}`);
    assert.equal(exec.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(exec.source, 'fang');
    assert.equal(exec.range.start.line, 2);
    assert.equal(exec.range.start.character, 0);
    assert.equal(doc.getText(exec.range), 'eval "$(llm "write a command that frees disk space")"');
    const target = typeof exec.code === 'object' ? exec.code.target : undefined;
    assert.ok(target?.path.endsWith('/docs/rules/bash-model-output-exec.md'), `code target ${target?.toString()}`);
    const related = exec.relatedInformation ?? [];
    assert.ok(related.length >= 2, 'expected the dataflow path as related information');
    for (const r of related) assert.equal(r.location.uri.toString(), doc.uri.toString());
    assert.ok(related.some((r) => /model output/.test(r.message)), related.map((r) => r.message).join(' | '));
    assert.ok(related.some((r) => /executed here/.test(r.message)), related.map((r) => r.message).join(' | '));
    const call = diags.find((d) => codeOf(d) === 'bash-model-cli-call');
    assert.ok(call, 'the model call itself is reported too');
    assert.equal(doc.getText(call.range), 'llm "write a command that frees disk space"');
  });

  it('reports the agent loop on its loop head with the path to the eval', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'agent-loop.sh');
    const loop = fangDiagnostics(doc.uri).find((d) => codeOf(d) === 'bash-agent-loop');
    assert.ok(loop, 'no bash-agent-loop diagnostic');
    assert.equal(loop.range.start.line, 6);
    assert.match(doc.lineAt(loop.range.start.line).text, /^while read -r SUGGESTION; do/);
    assert.ok((loop.relatedInformation ?? []).some((r) => r.location.range.start.line === 7));
  });

  it('maps findings in Markdown fences to the Markdown file\'s lines', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'guide.md');
    const diags = fangDiagnostics(doc.uri);
    const exec = diags.find((d) => codeOf(d) === 'bash-model-output-exec');
    assert.ok(exec, `no finding in the fence: ${diags.map(codeOf).join(', ')}`);
    assert.equal(exec.range.start.line, 5);
    assert.equal(doc.getText(exec.range), 'eval "$(llm "write a command that frees disk space")"');
    assert.ok(diags.every((d) => d.range.start.line !== 11), 'the harmless fence must stay quiet');
  });

  it('stays quiet on benign look-alikes', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'benign.sh');
    const codes = fangDiagnostics(doc.uri).map(codeOf);
    assert.deepEqual(codes.filter((c) => c !== 'bash-model-cli-call'), [], `unexpected: ${codes.join(', ')}`);
  });

  it('analyses an untitled buffer by its shebang', async () => {
    const api = await fang();
    const { doc, analysis } = await openUntitled(api, '#!/bin/sh\nsource <(sgpt --shell "set up my dev environment")\n');
    assert.equal(analysis.language, 'bash');
    assert.ok(fangDiagnostics(doc.uri).some((d) => d.range.start.line === 1 && d.severity === vscode.DiagnosticSeverity.Error), 'no error on line 2');
  });

  it('analyses TypeScript', async () => {
    const api = await fang();
    const { doc, analysis } = await openFile(api, 'agent.ts');
    assert.equal(analysis.skipped, undefined, `not analysed: ${analysis.skipped?.message}`);
    const diags = fangDiagnostics(doc.uri);
    const exec = diags.find((d) => d.range.start.line === 7 && d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(exec, `no error on the execSync line; have ${diags.map((d) => `${codeOf(d)}@${d.range.start.line}`).join(', ')}`);
    assert.match(doc.getText(exec.range), /^execSync\(/);
    assert.ok((exec.relatedInformation ?? []).some((r) => r.location.range.start.line === 6), 'the path must lead back to the SDK call');
    const loop = diags.find((d) => d.range.start.line === 5);
    assert.ok(loop, 'no finding on the while (true) loop head');
    assert.equal(doc.getText(loop.range), 'while');
  });

  it('analyses Python: the agent loop on its head, the sink with its path back to the SDK call and its rule page', async () => {
    const api = await fang();
    const { doc, analysis } = await openFile(api, 'agent.py');
    assert.equal(doc.languageId, 'python');
    assert.equal(analysis.language, 'python');
    assert.equal(analysis.skipped, undefined, `not analysed: ${analysis.skipped?.message}`);
    const diags = fangDiagnostics(doc.uri);
    const exec = diags.find((d) => codeOf(d) === 'py-model-output-exec');
    assert.ok(exec, `no py-model-output-exec among ${diags.map((d) => `${codeOf(d)}@${d.range.start.line}`).join(', ')}`);
    assert.equal(exec.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(exec.range.start.line, 8);
    assert.match(doc.getText(exec.range), /^subprocess\.run\(cmd, shell=True/);
    assert.ok((exec.relatedInformation ?? []).some((r) => r.location.range.start.line === 6), 'the path must lead back to the SDK call');
    const target = typeof exec.code === 'object' ? exec.code.target : undefined;
    assert.ok(target?.path.endsWith('/docs/rules/py-model-output-exec.md'), `code target ${target?.toString()}`);
    const loop = diags.find((d) => codeOf(d) === 'py-agent-loop');
    assert.equal(loop?.range.start.line, 5);
    assert.equal(doc.getText(loop!.range), 'while');
    assert.ok(diags.some((d) => codeOf(d) === 'py-model-sdk-call' && d.range.start.line === 6));
  });

  it('updates after an edit and releases diagnostics when the document closes', async () => {
    const api = await fang();
    const { doc, editor } = await openUntitled(api, 'echo hello\n', 'shellscript');
    assert.deepEqual(fangDiagnostics(doc.uri), []);
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'curl -s https://example.com/install.sh | bash\nllm "hi" | bash\n'));
    await analysisOf(api, doc);
    assert.ok(fangDiagnostics(doc.uri).some((d) => d.range.start.line === 2), 'no finding after the edit');
    const cleared = nextEvent(vscode.languages.onDidChangeDiagnostics, (e) => e.uris.some((u) => u.toString() === doc.uri.toString()) && fangDiagnostics(doc.uri).length === 0, 'diagnostics to be cleared on close');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await cleared;
    assert.equal(api.diagnostics.latest(doc.uri), undefined, 'per-document state kept after close');
  });

  it('shows the finding count in the status bar for the active editor', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const n = fangDiagnostics(doc.uri).length;
    assert.equal(api.statusBar.item.text, `$(warning) Fang: ${n}`);
    assert.equal((api.statusBar.item.command as string | undefined) ?? '', 'workbench.actions.view.problems');
  });
});
