/** Quick fixes on Fang diagnostics: rule-specific rewrites, suppress on the line, suppress in the file. */
import * as vscode from 'vscode';
import type { Finding } from '../core/types';
import { ruleIdOf, toRange } from './convert';
import type { DiagnosticsFeature } from './diagnostics';
import { ruleFixes } from './fixes';
import { SELECTOR } from './languages';
import { suppressFileEdit, suppressLineEdit } from './suppress';

export class FangCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: DiagnosticsFeature) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const analysis = this.diagnostics.latest(doc.uri);
    if (!analysis || analysis.version !== doc.version) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const ruleId = ruleIdOf(d);
      if (!ruleId) continue;
      const finding = analysis.findings.find((f) => f.ruleId === ruleId && toRange(f.range).isEqual(d.range));
      if (finding) actions.push(...this.forFinding(doc, finding, d));
    }
    if (!actions.length && !context.diagnostics.some((d) => ruleIdOf(d))) {
      // The workbench's copy of the diagnostics can lag behind a fresh analysis: use the findings.
      for (const f of analysis.findings) {
        if (toRange(f.range).intersection(range)) actions.push(...this.forFinding(doc, f, undefined));
      }
    }
    return actions;
  }

  private forFinding(doc: vscode.TextDocument, f: Finding, d: vscode.Diagnostic | undefined): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const add = (title: string, edit: vscode.WorkspaceEdit | undefined, preferred = false) => {
      if (!edit) return;
      const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      a.edit = edit;
      if (d) a.diagnostics = [d];
      a.isPreferred = preferred;
      out.push(a);
    };
    for (const fix of ruleFixes(doc, f)) add(fix.title, fix.edit, true);
    add(`Suppress ${f.ruleId} on this line`, suppressLineEdit(doc, f.range.start.line, f.ruleId));
    add(`Suppress ${f.ruleId} in this ${doc.languageId === 'markdown' ? 'code block' : 'file'}`, suppressFileEdit(doc, f.range.start.line, f.ruleId));
    const docs = new vscode.CodeAction(`Show documentation for ${f.ruleId}`, vscode.CodeActionKind.QuickFix);
    docs.command = { title: 'Show rule documentation', command: 'fang.showRuleDocumentation', arguments: [f.ruleId] };
    out.push(docs);
    return out;
  }
}

export function registerCodeActions(context: vscode.ExtensionContext, diagnostics: DiagnosticsFeature): FangCodeActions {
  const provider = new FangCodeActions(diagnostics);
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(SELECTOR, provider, {
      providedCodeActionKinds: FangCodeActions.kinds,
    }),
  );
  return provider;
}
