/**
 * "Dry-run in sandbox" code lenses above each runnable snippet. Where the dry-run cannot run
 * the lens says why and leads to the fix (install instructions, or workspace trust).
 */
import * as vscode from 'vscode';
import type { DiagnosticsFeature } from './diagnostics';
import type { DryRunAvailability } from './dryRunAvailability';
import { documentTargets } from './dryRunTargets';
import { SELECTOR } from './languages';

export const LENS_TITLE = 'Dry-run in sandbox';
export const NO_BACKEND_TITLE = 'Dry-run unavailable: install bubblewrap';
export const UNTRUSTED_TITLE = 'Dry-run needs a trusted workspace';

export class DryRunLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly availability: DryRunAvailability,
    private readonly diagnostics: DiagnosticsFeature,
  ) {
    this.disposables.push(
      availability.onDidChange(() => this.changed.fire()),
      // Anchors above findings follow the analysis.
      diagnostics.onDidAnalyze(() => this.changed.fire()),
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const findings = this.diagnostics.latest(doc.uri)?.findings ?? [];
    const targets = documentTargets(doc, findings);
    if (!targets.length) return [];
    const state = this.availability.current();
    const lenses: vscode.CodeLens[] = [];
    for (const t of targets) {
      const command: vscode.Command =
        state.kind === 'untrusted'
          ? { title: UNTRUSTED_TITLE, command: 'workbench.trust.manage', tooltip: 'Dry-runs run code (in a sandbox), so they are off until you trust this workspace.' }
          : state.kind === 'no-backend'
            ? { title: NO_BACKEND_TITLE, command: 'fang.dryRunInstructions', arguments: [state.message], tooltip: state.message }
            : { title: LENS_TITLE, command: 'fang.dryRun', arguments: [t.uri, t.range], tooltip: 'Run this snippet in a sandbox with stubbed models and show what it does' };
      for (const line of t.anchors) lenses.push(new vscode.CodeLens(new vscode.Range(line, 0, line, 0), command));
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerDryRunLens(context: vscode.ExtensionContext, provider: DryRunLensProvider): void {
  context.subscriptions.push(provider, vscode.languages.registerCodeLensProvider(SELECTOR, provider));
}
