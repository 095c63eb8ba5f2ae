import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeOf, fang, fangDiagnostics, openFile } from './helpers';

describe('untrusted workspace', () => {
  it('opens untrusted (the runner leaves workspace trust on)', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still analyses: diagnostics appear as in a trusted workspace', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    assert.ok(fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-output-exec'));
  });

  it('refuses anything that runs code, saying why', async () => {
    await fang();
    const r = await vscode.commands.executeCommand<{ unavailable?: string }>('fang.dryRun');
    assert.match(r?.unavailable ?? '', /untrusted/);
  });
});
