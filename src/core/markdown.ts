/** Fenced code blocks in Markdown, with the offsets that map their lines back to the document. */
import type { RuleLanguage } from './types';
import { isConsoleFence, languageByFence } from './languages';

export interface Fence {
  language: RuleLanguage;
  /** The code as the analysis sees it; prompts of console blocks stripped, other lines blanked. */
  code: string;
  /** 0-based document line of the code's first line. */
  startLine: number;
  /** Per code line, the number of characters removed at its start (indent, `$ ` prompt). */
  columnOffsets: number[];
  /** The info string as written, e.g. `bash` or `console`. */
  info: string;
  /** 0-based document line of the opening fence, and of the closing one (the line count when unclosed). */
  openLine: number;
  closeLine: number;
}

const OPEN = /^( {0,3}|\s*(?:[-*+]|\d+[.)])\s+|\s+)(`{3,}|~{3,})\s*([^`\s{]*)?\s*(\{[^}]*\})?.*$/;

export function extractFences(text: string): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]!.replace(/\r$/, ''));
    if (!m) continue;
    const indent = m[1]!.length;
    const marker = m[2]!;
    const info = (m[3] ?? '').toLowerCase().replace(/^\{?\.?/, '');
    let end = i + 1;
    const close = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    while (end < lines.length && !close.test(lines[end]!)) end++;
    const lang = languageByFence(info)?.id;
    if (lang) {
      const body = lines.slice(i + 1, end).map((l) => l.replace(/\r$/, ''));
      const offsets: number[] = [];
      const code: string[] = [];
      const isConsole = isConsoleFence(info);
      let continuing = false;
      for (const raw of body) {
        const strip = Math.min(indent, raw.length - raw.trimStart().length);
        let l = raw.slice(strip);
        let off = strip;
        if (isConsole) {
          const p = /^(\s*)(\$|❯|>|%) /.exec(l);
          if (p && (p[2] !== '>' || continuing)) {
            off += p[0].length;
            l = l.slice(p[0].length);
          } else if (!continuing) {
            l = '';
          }
          continuing = l.trimEnd().endsWith('\\');
        }
        offsets.push(off);
        code.push(l);
      }
      out.push({ language: lang, code: code.join('\n'), startLine: i + 1, columnOffsets: offsets, info, openLine: i, closeLine: end });
    }
    i = end;
  }
  return out;
}
