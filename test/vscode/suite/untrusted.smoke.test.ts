import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
describe('untrusted smoke', () => {
  it('opens untrusted', () => { assert.equal(vscode.workspace.isTrusted, false); });
});
