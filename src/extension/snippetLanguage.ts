/** Which snippet language a line is in: the document's, or for Markdown the enclosing fence's. */
import type * as vscode from 'vscode';
import { documentLanguage } from './languages';

export type SnippetFamily = 'bash' | 'js';

const FENCE_INFO: Record<string, SnippetFamily> = {
  bash: 'bash', sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash', shellscript: 'bash',
  js: 'js', javascript: 'js', jsx: 'js', mjs: 'js', cjs: 'js', ts: 'js', typescript: 'js', tsx: 'js',
};

export interface LineContext {
  family: SnippetFamily;
  /** First line of the snippet: 0 for a file, the line after the opening fence in Markdown. */
  firstLine: number;
}

export function lineContext(doc: vscode.TextDocument, line: number): LineContext | undefined {
  const lang = documentLanguage(doc);
  if (!lang) return undefined;
  if (lang !== 'markdown') return { family: lang === 'bash' ? 'bash' : 'js', firstLine: 0 };
  let open: { marker: string; info: string; line: number } | undefined;
  for (let i = 0; i <= line && i < doc.lineCount; i++) {
    const text = doc.lineAt(i).text;
    if (!open) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
      if (m && i < line) open = { marker: m[1]!, info: m[2]!.toLowerCase(), line: i };
    } else if (new RegExp(`^\\s{0,3}${open.marker[0] === '`' ? '`' : '~'}{${open.marker.length},}\\s*$`).test(text)) {
      if (i === line) return undefined;
      open = undefined;
    }
  }
  const family = open ? FENCE_INFO[open.info] : undefined;
  return open && family ? { family, firstLine: open.line + 1 } : undefined;
}

export function commentPrefix(family: SnippetFamily): string {
  return family === 'bash' ? '#' : '//';
}
