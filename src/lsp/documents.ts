/**
 * What the server knows of a document without any editor API: its analysis language (the editor's
 * language id where Fang knows it, else the file name or the `#!` line), its setting group, and
 * the snippets a dry-run can take from it (the whole file; each Bash/TS/JS fence in Markdown; a
 * range). Lines and ranges are LSP's (0-based, UTF-16).
 */
import type { Range } from 'vscode-languageserver';
import { detectLanguage, languageFromEditorId } from '../core/detect';
import { languageById, MARKDOWN, type SnippetLanguage } from '../core/languages';
import { extractFences } from '../core/markdown';
import type { DocumentLanguage, Finding } from '../core/types';
import { rangeContains as contains } from './convert';
import type { LanguageGroup } from './settings';

export function languageGroup(lang: DocumentLanguage): LanguageGroup {
  return lang === 'markdown' ? MARKDOWN.setting : languageById(lang)!.setting;
}

/**
 * The language Fang reads a document in. Editors name languages their own way (VS Code
 * `shellscript`, Neovim `sh`, Zed `Shell Script`): an id the registry does not know (plain text
 * among them) leaves it to the file name and the `#!` line; `untitled:` buffers have no name.
 */
export function documentLanguage(languageId: string, path: string | undefined, text: string): DocumentLanguage | undefined {
  return languageFromEditorId(languageId) ?? detectLanguage(path, text.slice(0, 8192));
}

export interface Lines {
  /** Each line without its line break. */
  readonly lines: readonly string[];
  readonly text: string;
}

export function linesOf(text: string): Lines {
  return { text, lines: text.split('\n').map((l) => l.replace(/\r$/, '')) };
}

export interface DryRunTarget {
  /** Lines the snippet occupies in the document (the fence's content for Markdown). */
  range: Range;
  code: string;
  language: SnippetLanguage;
  /** Document line of the snippet's line 1 (0-based). */
  firstLine: number;
  /** Where a lens for this target goes. */
  anchors: number[];
}

/** A file longer than this gets a lens above each finding's statement too. */
export const LONG_FILE_LINES = 40;

function snippetLanguage(lang: DocumentLanguage | undefined): SnippetLanguage | 'markdown' | undefined {
  if (!lang || lang === 'markdown') return lang;
  return languageById(lang)?.dryRun.lang;
}

function lineRange(doc: Lines, first: number, last: number): Range {
  return { start: { line: first, character: 0 }, end: { line: last, character: doc.lines[last]?.length ?? 0 } };
}

/** The fenced code blocks Fang can run: the core's fences, with the code as the analysis sees it. */
export function markdownFences(doc: Lines): DryRunTarget[] {
  const out: DryRunTarget[] = [];
  for (const f of extractFences(doc.text)) {
    const last = Math.min(f.closeLine, doc.lines.length) - 1;
    if (last < f.startLine || !f.code.trim()) continue;
    out.push({ range: lineRange(doc, f.startLine, last), code: f.code + '\n', language: languageById(f.language)!.dryRun.lang, firstLine: f.startLine, anchors: [f.openLine] });
  }
  return out;
}

/** First line of the top-level statement holding `line`: the nearest line above at column 0 that starts one. */
export function statementStart(doc: Lines, line: number): number {
  for (let i = Math.min(line, doc.lines.length - 1); i > 0; i--) {
    const text = doc.lines[i]!;
    const prev = doc.lines[i - 1]!;
    const continues = /[\\|&,([{]\s*$/.test(prev) || /^\s*[|&)}\]]/.test(text);
    if (/^\S/.test(text) && !/^(done|fi|esac|else|elif|then|do|[})\]])\b/.test(text) && !continues) return i;
  }
  return 0;
}

/** Every runnable snippet of the document, with where its lenses go. */
export function documentTargets(doc: Lines, lang: DocumentLanguage | undefined, findings: readonly Finding[]): DryRunTarget[] {
  const l = snippetLanguage(lang);
  if (!l) return [];
  if (l === 'markdown') return markdownFences(doc);
  const anchors = new Set([0]);
  if (doc.lines.length > LONG_FILE_LINES) for (const f of findings) anchors.add(statementStart(doc, f.range.start.line));
  return [{ range: lineRange(doc, 0, doc.lines.length - 1), code: doc.text, language: l, firstLine: 0, anchors: [...anchors].sort((a, b) => a - b) }];
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The snippet for a range (a selection, a block the paste guard names): whole lines of it. */
export function rangeTarget(doc: Lines, lang: DocumentLanguage | undefined, range: Range): DryRunTarget | undefined {
  const l = snippetLanguage(lang);
  const last = Math.min(range.end.line, doc.lines.length - 1);
  const first = Math.min(range.start.line, last);
  const full = lineRange(doc, first, last);
  const language = l === 'markdown' ? markdownFences(doc).find((t) => contains(t.range, range.start))?.language : l;
  if (!language) return undefined;
  return { range: full, code: doc.lines.slice(first, last + 1).join('\n') + '\n', language, firstLine: first, anchors: [first] };
}

/** The snippet at a position: the fence around it in Markdown, the file otherwise. */
export function targetAt(doc: Lines, lang: DocumentLanguage | undefined, pos: { line: number; character: number }, findings: readonly Finding[]): DryRunTarget | undefined {
  const all = documentTargets(doc, lang, findings);
  return all.find((t) => contains(t.range, pos)) ?? (lang === 'markdown' ? undefined : all[0]);
}
