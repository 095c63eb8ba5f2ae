/** Findings of the core as VS Code diagnostics; no state, no events. */
import { renderMessage } from '../core/refs';
import * as vscode from 'vscode';
import { visible } from '../core/display';
import type { Finding, Range, Severity, SuppressedFinding } from '../core/types';

export const SOURCE = 'fang';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.column, r.end.line, r.end.column);
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  note: vscode.DiagnosticSeverity.Information,
};

/** `ruleDoc` gives the URI of a rule's page shipped inside the extension. */
export function toDiagnostic(f: Finding, uri: vscode.Uri, ruleDoc: (id: string) => vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.range), shown(renderMessage(f)), SEVERITY[f.severity]);
  d.source = SOURCE;
  d.code = { value: f.ruleId, target: ruleDoc(f.ruleId) };
  if (f.path.length) {
    d.relatedInformation = f.path.map((step) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(step.range)), shown(step.message)));
  }
  return d;
}

/** Messages quote the code; the Problems panel shows them with hidden characters named. */
function shown(message: string): string {
  return visible(message, { max: 2000 });
}

/**
 * A finding a comment in the code suppresses: a quiet hint (no squiggle, not in the Problems
 * list), so that what the comment hides can still be seen where it is.
 */
export function toSuppressedHint(f: SuppressedFinding, uri: vscode.Uri, ruleDoc: (id: string) => vscode.Uri): vscode.Diagnostic {
  const d = toDiagnostic(f, uri, ruleDoc);
  const s = f.suppression;
  d.severity = vscode.DiagnosticSeverity.Hint;
  d.message = `suppressed by fang-ignore-${s.scope} on line ${s.range.start.line + 1}${s.reason ? ` (${shown(s.reason)})` : ' (no reason given)'}: ${shown(renderMessage(f))}`;
  return d;
}

/** The rule id of one of our diagnostics, or undefined for anyone else's. */
export function ruleIdOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== SOURCE) return undefined;
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}
