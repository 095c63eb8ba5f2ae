/**
 * The language registry: every language Fang reads, in one list. The CLI (which files to read,
 * `dry-run --lang`), the editor (language ids, settings, fences, comment syntax; package.json is
 * generated from it and checked by `scripts/vscode-schema.mjs --check`), the build (which
 * grammars to ship), the sandbox (how a snippet runs) and the analyzer (which grammar and which
 * analyser) all read it. Adding a language is one entry here, one analyser (src/core/analysers.ts),
 * its rules and its fixtures.
 *
 * Pure data: no analysis code is imported, so the CLI and the sandbox can read it cheaply.
 */

/** What a dry-run does with a snippet in this language. */
export interface DryRunRecipe {
  /** The name `fang dry-run --lang` takes (the file name or `#!` line decides otherwise). */
  lang: string;
  /** The program that runs the snippet in the sandbox. */
  runtime: 'bash' | 'node' | 'python';
  /** Types stripped (esbuild's transform, nothing bundled) before node runs it. */
  transform?: 'ts' | 'tsx';
  /** The snippet's file name in the sandbox, without extension (`.mjs`/`.cjs` chosen for node). */
  file: string;
}

export interface LanguageSpec {
  /** The analysis language id, used in results (`language`) and rule metadata. */
  id: string;
  /** For messages. */
  name: string;
  /** Which analyser reads it (src/core/analysers.ts): languages of one analyser share facts and rules. */
  analyser: string;
  /** File extensions without the dot, lower case. */
  extensions: readonly string[];
  /** Interpreter names in a `#!` line (`#!/bin/bash`, `#!/usr/bin/env -S node --flags`). */
  interpreters: readonly string[];
  /** Info strings of Markdown code fences. */
  fenceTags: readonly string[];
  /** Fence tags of console sessions: `$ ` prompts are stripped and output lines are not code. */
  consoleFenceTags?: readonly string[];
  /** VS Code language ids. */
  editorIds: readonly string[];
  /** The `fang.enable.<key>` setting that switches it on and off in the editor. */
  setting: string;
  /** The grammar's own .wasm file, in its npm package. */
  grammar: { pkg: string; file: string };
  /** The line comment that starts a `fang-ignore-...` suppression. */
  lineComment: string;
  dryRun: DryRunRecipe;
}

export const LANGUAGES = [
  {
    id: 'bash',
    name: 'Bash',
    analyser: 'bash',
    extensions: ['sh', 'bash', 'zsh', 'ksh', 'bats', 'command'],
    interpreters: ['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash'],
    fenceTags: ['bash', 'sh', 'shell', 'zsh', 'ksh', 'shellscript'],
    consoleFenceTags: ['console', 'shell-session', 'shellsession'],
    editorIds: ['shellscript', 'bash', 'sh', 'zsh'],
    setting: 'bash',
    grammar: { pkg: 'tree-sitter-bash', file: 'tree-sitter-bash.wasm' },
    lineComment: '#',
    dryRun: { lang: 'bash', runtime: 'bash', file: 'snippet' },
  },
  {
    id: 'typescript',
    name: 'TypeScript',
    analyser: 'js',
    extensions: ['ts', 'mts', 'cts'],
    interpreters: ['deno', 'ts-node', 'ts-node-esm', 'tsx'],
    fenceTags: ['ts', 'typescript', 'mts', 'cts'],
    editorIds: ['typescript'],
    setting: 'typescript',
    grammar: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-typescript.wasm' },
    lineComment: '//',
    dryRun: { lang: 'ts', runtime: 'node', transform: 'ts', file: 'snippet' },
  },
  {
    id: 'tsx',
    name: 'TSX',
    analyser: 'js',
    extensions: ['tsx'],
    interpreters: [],
    fenceTags: ['tsx'],
    editorIds: ['typescriptreact'],
    setting: 'typescript',
    grammar: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-tsx.wasm' },
    lineComment: '//',
    dryRun: { lang: 'tsx', runtime: 'node', transform: 'tsx', file: 'snippet' },
  },
  {
    id: 'javascript',
    name: 'JavaScript',
    analyser: 'js',
    extensions: ['js', 'mjs', 'cjs', 'jsx'],
    interpreters: ['node', 'nodejs', 'bun'],
    fenceTags: ['js', 'javascript', 'mjs', 'cjs', 'jsx', 'node'],
    editorIds: ['javascript', 'javascriptreact'],
    setting: 'javascript',
    grammar: { pkg: 'tree-sitter-javascript', file: 'tree-sitter-javascript.wasm' },
    lineComment: '//',
    dryRun: { lang: 'js', runtime: 'node', file: 'snippet' },
  },
  {
    id: 'python',
    name: 'Python',
    analyser: 'python',
    extensions: ['py', 'pyw'],
    // `python3.12` and `pypy3.10` in a `#!` line are read as `python3` and `pypy3` (detect.ts).
    interpreters: ['python', 'python2', 'python3', 'pypy', 'pypy3'],
    fenceTags: ['python', 'py', 'python3', 'py3'],
    editorIds: ['python'],
    setting: 'python',
    grammar: { pkg: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
    lineComment: '#',
    dryRun: { lang: 'python', runtime: 'python', file: 'snippet' },
  },
] as const satisfies readonly LanguageSpec[];

export type Language = (typeof LANGUAGES)[number];
export type LanguageId = Language['id'];
export type AnalyserId = Language['analyser'];
/** The names `fang dry-run --lang` and the sandbox use. */
export type SnippetLanguage = Language['dryRun']['lang'];

/** Markdown is a container: its code fences are read in their own languages. */
export const MARKDOWN = {
  id: 'markdown',
  extensions: ['md', 'markdown', 'mdx'],
  editorIds: ['markdown'],
  setting: 'markdown',
} as const;

const byId = new Map<string, Language>(LANGUAGES.map((l) => [l.id, l]));
const byExtension = new Map<string, Language>(LANGUAGES.flatMap((l) => l.extensions.map((e) => [e, l] as const)));
const byInterpreter = new Map<string, Language>(LANGUAGES.flatMap((l) => l.interpreters.map((i) => [i, l] as const)));
const byFence = new Map<string, Language>(LANGUAGES.flatMap((l) => [...l.fenceTags, ...(('consoleFenceTags' in l && l.consoleFenceTags) || [])].map((t) => [t, l] as const)));
const byEditorId = new Map<string, Language>(LANGUAGES.flatMap((l) => l.editorIds.map((e) => [e, l] as const)));
const byDryRun = new Map<string, Language>(LANGUAGES.map((l) => [l.dryRun.lang, l]));

export function languageById(id: string): Language | undefined {
  return byId.get(id);
}

/** `x.SH` -> Bash; `.md` is Markdown's (see MARKDOWN). */
export function languageByExtension(ext: string): Language | undefined {
  return byExtension.get(ext.toLowerCase());
}

export function languageByInterpreter(name: string): Language | undefined {
  return byInterpreter.get(name);
}

/** The language of a fence's info string (`bash`, `ts`, `console`), lower case. */
export function languageByFence(tag: string): Language | undefined {
  return byFence.get(tag.toLowerCase());
}

export function isConsoleFence(tag: string): boolean {
  return LANGUAGES.some((l) => 'consoleFenceTags' in l && (l.consoleFenceTags as readonly string[]).includes(tag.toLowerCase()));
}

export function languageByEditorId(id: string): Language | undefined {
  return byEditorId.get(id);
}

/** `--lang` of a dry-run: the recipe's name, the language id or one of its extensions (`bash`, `ts`, `typescript`, `mjs`). */
export function languageForDryRun(name: string): Language | undefined {
  const n = name.toLowerCase();
  return byDryRun.get(n) ?? byId.get(n) ?? byExtension.get(n);
}

/** The recipe names, for validating outside input (`z.enum(SNIPPET_LANGUAGES)`) and for help texts. */
export const SNIPPET_LANGUAGES = LANGUAGES.map((l) => l.dryRun.lang) as [SnippetLanguage, ...SnippetLanguage[]];

/** The `fang.enable.<key>` settings, Markdown's last. */
export function enableSettings(): string[] {
  return [...new Set([...LANGUAGES.map((l) => l.setting), MARKDOWN.setting])];
}

/** Every editor language id Fang reads, Markdown's included. */
export function editorIds(): string[] {
  return [...LANGUAGES.flatMap((l) => l.editorIds), ...MARKDOWN.editorIds];
}
