import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
describe('smoke', () => {
  it('runs inside VS Code', async () => {
    const ext = vscode.extensions.getExtension('fang-dev.fang');
    assert.ok(ext);
    const api = await ext.activate();
    assert.equal(api.ok, true);
    assert.equal(vscode.version, '1.100.3');
  });
});
