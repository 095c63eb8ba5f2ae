/** Which language a document is in, and whether it is worth parsing at all. */
import type { DocumentLanguage } from './types';

const BY_EXTENSION: Record<string, DocumentLanguage> = {
  sh: 'bash', bash: 'bash', zsh: 'bash', ksh: 'bash', bats: 'bash', command: 'bash',
  ts: 'typescript', mts: 'typescript', cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  md: 'markdown', markdown: 'markdown', mdx: 'markdown',
};

export function languageFromExtension(path: string): DocumentLanguage | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? BY_EXTENSION[m[1]!.toLowerCase()] : undefined;
}

/** `#!/bin/bash`, `#!/usr/bin/env -S bash -e`, `#!/usr/bin/env node`. */
export function languageFromShebang(text: string): DocumentLanguage | undefined {
  if (!text.startsWith('#!')) return undefined;
  const first = text.slice(0, Math.min(text.length, 200)).split('\n')[0]!;
  const words = first.slice(2).trim().split(/\s+/);
  let prog = words[0]?.replace(/^.*\//, '') ?? '';
  if (prog === 'env') prog = words.find((w, i) => i > 0 && !w.startsWith('-'))?.replace(/^.*\//, '') ?? '';
  if (prog === 'busybox') prog = words[1] ?? '';
  if (/^(ba|da|z|k|mk|a)?sh$/.test(prog)) return 'bash';
  if (/^(node|nodejs|bun)$/.test(prog)) return 'javascript';
  if (/^(deno|ts-node|tsx|ts-node-esm)$/.test(prog)) return 'typescript';
  return undefined;
}

/** Language ids used by editors, mapped to ours. */
export function languageFromEditorId(id: string): DocumentLanguage | undefined {
  switch (id) {
    case 'shellscript':
    case 'bash':
    case 'sh':
    case 'zsh':
      return 'bash';
    case 'typescript':
      return 'typescript';
    case 'typescriptreact':
      return 'tsx';
    case 'javascript':
    case 'javascriptreact':
      return 'javascript';
    case 'markdown':
      return 'markdown';
    default:
      return undefined;
  }
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
