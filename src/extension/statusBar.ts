/** Finding count of the active editor; a click opens the Problems panel. */
import * as vscode from 'vscode';
import { inert } from './notify';
import type { Analysis, DiagnosticsFeature } from './diagnostics';

export function statusText(a: Analysis | undefined): { text: string; tooltip: string } | undefined {
  if (!a || a.inactive) return undefined;
  if (a.skipped) return { text: '$(shield) Fang: skipped', tooltip: inert(`Fang did not analyse this file: ${a.skipped.message}`) };
  const n = a.findings.length;
  return {
    text: n ? `$(warning) Fang: ${n}` : '$(shield) Fang: 0',
    tooltip: n ? `Fang found ${n} risk${n === 1 ? '' : 's'} in this file; click to open the Problems panel` : 'Fang found nothing in this file',
  };
}

export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('fang.findings', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly diagnostics: DiagnosticsFeature) {
    this.item.name = 'Fang findings';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      diagnostics.onDidAnalyze((a) => {
        if (a.uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) this.update();
      }),
    );
    this.update();
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const s = statusText(doc ? this.diagnostics.latest(doc.uri) : undefined);
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
