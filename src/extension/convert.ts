/** Core positions as VS Code ranges; no state, no events. */
import * as vscode from 'vscode';
import type { Range } from '../core/types';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.column, r.end.line, r.end.column);
}
