/** Command arguments from lenses, the paste guard and command links (where they arrive as JSON). */
import * as vscode from 'vscode';

export function toUri(v: unknown): vscode.Uri | undefined {
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string' && v) return vscode.Uri.parse(v);
  if (v && typeof v === 'object' && 'scheme' in v && 'path' in v) return vscode.Uri.from(v as { scheme: string; path: string });
  return undefined;
}

export function toRange(v: unknown): vscode.Range | undefined {
  if (v instanceof vscode.Range) return v;
  // Command links hand over plain JSON: { start: { line, character }, end: { ... } } or [startLine, endLine].
  if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n) && n >= 0)) return new vscode.Range(v[0] as number, 0, v[1] as number, Number.MAX_SAFE_INTEGER);
  const r = v as { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } } | undefined;
  const n = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);
  const sl = n(r?.start?.line);
  const el = n(r?.end?.line);
  if (sl === undefined || el === undefined) return undefined;
  return new vscode.Range(sl, n(r?.start?.character) ?? 0, el, n(r?.end?.character) ?? 0);
}
