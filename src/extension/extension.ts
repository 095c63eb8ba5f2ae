import * as vscode from 'vscode';
export function activate(context: vscode.ExtensionContext) {
  return { ok: true };
}
export function deactivate(): void {}
