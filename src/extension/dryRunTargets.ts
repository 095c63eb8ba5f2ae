/**
 * What can be dry-run in a document: the whole file for shell, TS and JS; each Bash/TS/JS
 * fence in Markdown; a selection. Lens anchors for long files sit on the top-level statement
 * that encloses each finding (the run is still the whole snippet, which the statement needs).
 */
import * as vscode from 'vscode';
import type { Finding } from '../core/types';
import { languageById, type SnippetLanguage } from '../core/languages';
import { extractFences } from '../core/markdown';
import { documentLanguage } from './languages';

export interface DryRunTarget {
  uri: vscode.Uri;
  /** Lines the snippet occupies in the document (the fence's content for Markdown). */
  range: vscode.Range;
  code: string;
  language: SnippetLanguage;
  /** Document line of the snippet's line 1 (0-based). */
  firstLine: number;
  /** Where a lens for this target goes. */
  anchors: number[];
}

/** A file longer than this gets a lens above each finding's statement too. */
export const LONG_FILE_LINES = 40;

function fileLanguage(doc: vscode.TextDocument): SnippetLanguage | 'markdown' | undefined {
  const lang = documentLanguage(doc);
  if (!lang || lang === 'markdown') return lang;
  return languageById(lang)?.dryRun.lang;
}

/**
 * The fenced code blocks of a Markdown document that Fang can run: the core's fences (the ones
 * the analysis reads), with the code as the analysis sees it (console prompts stripped).
 */
export function markdownFences(doc: vscode.TextDocument): DryRunTarget[] {
  const out: DryRunTarget[] = [];
  for (const f of extractFences(doc.getText())) {
    const last = Math.min(f.closeLine, doc.lineCount) - 1;
    if (last < f.startLine || !f.code.trim()) continue;
    const range = new vscode.Range(f.startLine, 0, last, doc.lineAt(last).text.length);
    out.push({ uri: doc.uri, range, code: f.code + '\n', language: languageById(f.language)!.dryRun.lang, firstLine: f.startLine, anchors: [f.openLine] });
  }
  return out;
}

/** First line of the top-level statement holding `line`: the nearest line above at column 0 that starts one. */
export function statementStart(doc: vscode.TextDocument, line: number): number {
  for (let i = line; i > 0; i--) {
    const text = doc.lineAt(i).text;
    const prev = doc.lineAt(i - 1).text;
    const continues = /[\\|&,([{]\s*$/.test(prev) || /^\s*[|&)}\]]/.test(text);
    if (/^\S/.test(text) && !/^(done|fi|esac|else|elif|then|do|[})\]])\b/.test(text) && !continues) return i;
  }
  return 0;
}

/** Every runnable snippet of the document, with where its lenses go. */
export function documentTargets(doc: vscode.TextDocument, findings: readonly Finding[]): DryRunTarget[] {
  const lang = fileLanguage(doc);
  if (!lang) return [];
  if (lang === 'markdown') return markdownFences(doc);
  const whole = new vscode.Range(0, 0, doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length);
  const anchors = new Set([0]);
  if (doc.lineCount > LONG_FILE_LINES) for (const f of findings) anchors.add(statementStart(doc, f.range.start.line));
  return [{ uri: doc.uri, range: whole, code: doc.getText(), language: lang, firstLine: 0, anchors: [...anchors].sort((a, b) => a - b) }];
}

/** The snippet for a selection or a range handed over by the paste guard. */
export function rangeTarget(doc: vscode.TextDocument, range: vscode.Range): DryRunTarget | undefined {
  const lang = fileLanguage(doc);
  const full = new vscode.Range(range.start.line, 0, range.end.line, doc.lineAt(range.end.line).text.length);
  let language: SnippetLanguage | undefined = lang === 'markdown' ? undefined : lang;
  if (lang === 'markdown') language = markdownFences(doc).find((t) => t.range.contains(range.start))?.language;
  if (!language) return undefined;
  return { uri: doc.uri, range: full, code: doc.getText(full) + '\n', language, firstLine: full.start.line, anchors: [full.start.line] };
}

/** The snippet at a position: the fence around it in Markdown, the file otherwise. */
export function targetAt(doc: vscode.TextDocument, pos: vscode.Position, findings: readonly Finding[]): DryRunTarget | undefined {
  const all = documentTargets(doc, findings);
  return all.find((t) => t.range.contains(pos)) ?? (fileLanguage(doc) === 'markdown' ? undefined : all[0]);
}
