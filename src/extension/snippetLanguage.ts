/** Which snippet language a line is in: the document's, or for Markdown the enclosing fence's (the core's fences). */
import type * as vscode from 'vscode';
import { extractFences } from '../core/markdown';
import { languageById, type AnalyserId, type Language } from '../core/languages';
import { documentLanguage } from './languages';

/** Languages of one analyser share their quick fixes. */
export type SnippetFamily = AnalyserId;

export interface LineContext {
  language: Language;
  family: SnippetFamily;
  /** First line of the snippet: 0 for a file, the line after the opening fence in Markdown. */
  firstLine: number;
}

export function lineContext(doc: vscode.TextDocument, line: number): LineContext | undefined {
  const lang = documentLanguage(doc);
  if (!lang) return undefined;
  if (lang !== 'markdown') return context(languageById(lang), 0);
  const fence = extractFences(doc.getText()).find((f) => f.openLine < line && line < f.closeLine);
  return fence ? context(languageById(fence.language), fence.startLine) : undefined;
}

function context(language: Language | undefined, firstLine: number): LineContext | undefined {
  return language ? { language, family: language.analyser, firstLine } : undefined;
}

/** The line comment that carries a suppression in this snippet's language. */
export function commentPrefix(ctx: LineContext): string {
  return ctx.language.lineComment;
}
