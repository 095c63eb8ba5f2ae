/**
 * Quick fixes on Fang diagnostics: rule-specific rewrites (built from the syntax tree in the
 * analysis worker and proven there by parsing their result, src/core/fixes), suppress on the
 * line, suppress in the file.
 */
import * as vscode from 'vscode';
import { fixTarget, mayHaveFixes, type FixProposal } from '../core/fixes/index';
import type { Finding } from '../core/types';
import { ruleIdOf, toRange } from './convert';
import type { DiagnosticsFeature } from './diagnostics';
import { SELECTOR } from './languages';
import { suppressFileEdit, suppressLineEdit } from './suppress';

/** The proven rewrites for a finding of a document, as of the document's current text. */
export type FixSource = (doc: vscode.TextDocument, target: ReturnType<typeof fixTarget>) => Promise<FixProposal[]>;

export class FangCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  /**
   * Rewrites per document version and finding: the workbench asks for code actions on every
   * cursor move and diagnostics change, and each answer costs the worker two parses.
   */
  private readonly cache = new Map<string, { version: number; byFinding: Map<string, Promise<FixProposal[]>> }>();

  constructor(
    private readonly diagnostics: DiagnosticsFeature,
    private readonly fixes: FixSource,
  ) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext, token?: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    const analysis = this.diagnostics.latest(doc.uri);
    if (!analysis || analysis.version !== doc.version) return [];
    const wanted: Array<{ f: Finding; d: vscode.Diagnostic | undefined }> = [];
    for (const d of context.diagnostics) {
      const ruleId = ruleIdOf(d);
      if (!ruleId) continue;
      const finding = analysis.findings.find((f) => f.ruleId === ruleId && toRange(f.range).isEqual(d.range));
      if (finding) wanted.push({ f: finding, d });
    }
    if (!wanted.length && !context.diagnostics.some((d) => ruleIdOf(d))) {
      // The workbench's copy of the diagnostics can lag behind a fresh analysis: use the findings.
      for (const f of analysis.findings) if (toRange(f.range).intersection(range)) wanted.push({ f, d: undefined });
    }
    const version = doc.version;
    const rewrites = await Promise.all(wanted.map(({ f }) => this.rewrites(doc, f)));
    if (token?.isCancellationRequested || doc.version !== version) return [];
    return wanted.flatMap(({ f, d }, i) => this.forFinding(doc, f, d, rewrites[i]!));
  }

  private rewrites(doc: vscode.TextDocument, f: Finding): Promise<FixProposal[]> {
    if (!mayHaveFixes(f.category)) return Promise.resolve([]);
    const key = doc.uri.toString();
    let entry = this.cache.get(key);
    if (!entry || entry.version !== doc.version) {
      entry = { version: doc.version, byFinding: new Map() };
      this.cache.set(key, entry);
    }
    const id = `${f.ruleId}@${f.range.start.line}:${f.range.start.column}`;
    let p = entry.byFinding.get(id);
    if (!p) {
      p = this.fixes(doc, fixTarget(f)).catch(() => []);
      entry.byFinding.set(id, p);
    }
    return p;
  }

  /** Forgets a closed document's rewrites. */
  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }

  private forFinding(doc: vscode.TextDocument, f: Finding, d: vscode.Diagnostic | undefined, rewrites: FixProposal[]): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const add = (title: string, edit: vscode.WorkspaceEdit | undefined, preferred = false) => {
      if (!edit) return;
      const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      a.edit = edit;
      if (d) a.diagnostics = [d];
      a.isPreferred = preferred;
      out.push(a);
    };
    for (const fix of rewrites) {
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) edit.replace(doc.uri, toRange(e.range), e.text);
      add(fix.title, edit, true);
    }
    add(`Suppress ${f.ruleId} on this line`, suppressLineEdit(doc, f.range.start.line, f.ruleId));
    add(`Suppress ${f.ruleId} in this ${doc.languageId === 'markdown' ? 'code block' : 'file'}`, suppressFileEdit(doc, f.range.start.line, f.ruleId));
    const docs = new vscode.CodeAction(`Show documentation for ${f.ruleId}`, vscode.CodeActionKind.QuickFix);
    docs.command = { title: 'Show rule documentation', command: 'fang.showRuleDocumentation', arguments: [f.ruleId] };
    out.push(docs);
    return out;
  }
}

export function registerCodeActions(context: vscode.ExtensionContext, diagnostics: DiagnosticsFeature, fixes: FixSource): FangCodeActions {
  const provider = new FangCodeActions(diagnostics, fixes);
  context.subscriptions.push(
    vscode.workspace.onDidCloseTextDocument((d) => provider.forget(d.uri)),
    vscode.languages.registerCodeActionsProvider(SELECTOR, provider, {
      providedCodeActionKinds: FangCodeActions.kinds,
    }),
  );
  return provider;
}
