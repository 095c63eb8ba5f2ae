/** Which language a document is in, and whether it is worth parsing at all: read from the language registry. */
import { languageByEditorId, languageByExtension, languageByInterpreter, MARKDOWN } from './languages';
import type { DocumentLanguage } from './types';

export function languageFromExtension(path: string): DocumentLanguage | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  if ((MARKDOWN.extensions as readonly string[]).includes(ext)) return 'markdown';
  return languageByExtension(ext)?.id;
}

/** `#!/bin/bash`, `#!/usr/bin/env -S bash -e`, `#!/usr/bin/env node`, `#!/bin/busybox sh`. */
export function languageFromShebang(text: string): DocumentLanguage | undefined {
  if (!text.startsWith('#!')) return undefined;
  const first = text.slice(0, Math.min(text.length, 200)).split('\n')[0]!;
  const words = first.slice(2).trim().split(/\s+/);
  let prog = words[0]?.replace(/^.*\//, '') ?? '';
  if (prog === 'env') prog = words.find((w, i) => i > 0 && !w.startsWith('-'))?.replace(/^.*\//, '') ?? '';
  if (prog === 'busybox') prog = words[1] ?? '';
  // `python3.12`, `pypy3.10`: the minor version names no other language.
  prog = prog.replace(/^(python|pypy)(\d)\.\d+$/, '$1$2');
  return languageByInterpreter(prog)?.id;
}

/** Language ids used by editors, mapped to ours. */
export function languageFromEditorId(id: string): DocumentLanguage | undefined {
  if ((MARKDOWN.editorIds as readonly string[]).includes(id)) return 'markdown';
  return languageByEditorId(id)?.id;
}

export function detectLanguage(path: string | undefined, text: string): DocumentLanguage | undefined {
  return (path ? languageFromExtension(path) : undefined) ?? languageFromShebang(text);
}

/** A NUL byte in the first 8 KiB, as git and grep decide. */
export function looksBinary(text: string | Uint8Array): boolean {
  const n = Math.min(text.length, 8192);
  if (typeof text === 'string') return text.slice(0, n).includes('\0');
  for (let i = 0; i < n; i++) if (text[i] === 0) return true;
  return false;
}

/** `1.1 MB`, `12 KB`, `300 bytes`: sizes in messages. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}
