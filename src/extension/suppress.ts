/** Suppression comments, in the comment syntax of the language (or the Markdown fence). */
import * as vscode from 'vscode';
import { commentPrefix, lineContext } from './snippetLanguage';

function indentOf(text: string): string {
  return /^\s*/.exec(text)![0];
}

function snippetLine(indent: string, body: string): vscode.SnippetString {
  return new vscode.SnippetString().appendText(`${indent}${body} -- `).appendPlaceholder('reason').appendText('\n');
}

/** Inserts `<comment> fang-ignore-next-line <rule> -- reason` above `line`. */
export function suppressLineEdit(doc: vscode.TextDocument, line: number, ruleId: string): vscode.WorkspaceEdit | undefined {
  const ctx = lineContext(doc, line);
  if (!ctx) return undefined;
  const edit = new vscode.WorkspaceEdit();
  const at = new vscode.Position(line, 0);
  const body = `${commentPrefix(ctx)} fang-ignore-next-line ${ruleId}`;
  edit.set(doc.uri, [new vscode.SnippetTextEdit(new vscode.Range(at, at), snippetLine(indentOf(doc.lineAt(line).text), body))]);
  return edit;
}

/** Inserts `<comment> fang-ignore-file <rule> -- reason` at the top (after a shebang), or at the top of the fence. */
export function suppressFileEdit(doc: vscode.TextDocument, line: number, ruleId: string): vscode.WorkspaceEdit | undefined {
  const ctx = lineContext(doc, line);
  if (!ctx) return undefined;
  let target = ctx.firstLine;
  if (target < doc.lineCount && doc.lineAt(target).text.startsWith('#!')) target += 1;
  const edit = new vscode.WorkspaceEdit();
  const at = new vscode.Position(Math.min(target, doc.lineCount), 0);
  const body = `${commentPrefix(ctx)} fang-ignore-file ${ruleId}`;
  if (at.line >= doc.lineCount) {
    // the shebang is the last line: add a line break first
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    edit.set(doc.uri, [new vscode.SnippetTextEdit(new vscode.Range(end, end), new vscode.SnippetString(`\n${body} -- `).appendPlaceholder('reason'))]);
  } else {
    edit.set(doc.uri, [new vscode.SnippetTextEdit(new vscode.Range(at, at), snippetLine('', body))]);
  }
  return edit;
}
