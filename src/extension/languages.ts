/** Which analysis language a VS Code document gets; the core's language registry decides what it supports. */
import type * as vscode from 'vscode';
import { detectLanguage, languageFromEditorId } from '../core/detect';
import { editorIds, languageById, MARKDOWN } from '../core/languages';
import type { DocumentLanguage } from '../core/types';

/** The setting group (`fang.enable.<group>`) a document language belongs to. */
export type LanguageGroup = string;

export function languageGroup(lang: DocumentLanguage): LanguageGroup {
  return lang === 'markdown' ? MARKDOWN.setting : languageById(lang)!.setting;
}

/** Document selector for hovers and code actions: every document Fang may analyse. */
export const SELECTOR: vscode.DocumentSelector = [
  ...editorIds().map((language) => ({ language })),
  { language: 'plaintext', scheme: 'untitled' },
];

/**
 * The editor's language when it maps to one Fang reads; for untitled or plain-text buffers the
 * shebang (or the core's detection) decides.
 */
export function documentLanguage(doc: vscode.TextDocument): DocumentLanguage | undefined {
  const known = languageFromEditorId(doc.languageId);
  if (known) return known;
  if (doc.languageId !== 'plaintext') return undefined;
  const head = doc.getText(doc.lineAt(0).range.with(undefined, doc.lineAt(Math.min(doc.lineCount - 1, 50)).range.end));
  return detectLanguage(doc.isUntitled ? undefined : doc.uri.path, head);
}
