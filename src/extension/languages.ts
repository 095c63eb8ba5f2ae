/** Which analysis language a VS Code document gets; the core decides what it supports. */
import type * as vscode from 'vscode';
import { detectLanguage, languageFromEditorId } from '../core/detect';
import type { DocumentLanguage } from '../core/types';

const EDITOR_IDS = ['shellscript', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'markdown'];

/** The setting group (`fang.enable.<group>`) a document language belongs to. */
export type LanguageGroup = 'bash' | 'typescript' | 'javascript' | 'markdown';

export function languageGroup(lang: DocumentLanguage): LanguageGroup {
  return lang === 'tsx' ? 'typescript' : lang;
}

/** Document selector for hovers and code actions: every document Fang may analyse. */
export const SELECTOR: vscode.DocumentSelector = [
  ...EDITOR_IDS.map((language) => ({ language })),
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
