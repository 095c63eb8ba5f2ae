/**
 * Which commands of a snippet stand for a model and get a shim in the sandbox.
 *
 * A small, self-contained scan until the core analyzer can hand over its own list: command
 * words that the catalog or the wrapper-name heuristic matches, and the values of variables
 * assigned such names (`RUN_AI=./query-model` makes `./query-model` a model command).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_CLIS, findModelCli, nameLooksLikeModelWrapper } from '../core/catalog';
import { which } from './backend';
import { LANGUAGES, type DryRunRecipe, type SnippetLanguage } from '../core/languages';

export type { SnippetLanguage };

/** How the sandbox runs a snippet of this language (the registry's recipe). */
export function recipeOf(language: SnippetLanguage): DryRunRecipe {
  return LANGUAGES.find((l) => l.dryRun.lang === language)!.dryRun;
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', 'exec', 'command', 'nohup', 'setsid', 'xargs', 'env', 'sudo', '{', '(', 'eval']);
const WORD = /^[A-Za-z0-9_./@+-]+$/;

function isModelWord(word: string, extra: readonly string[]): boolean {
  if (!WORD.test(word) || word.length > 200) return false;
  return findModelCli(word, extra) !== undefined || nameLooksLikeModelWrapper(word);
}

/** First word of each command: after `;`, `&`, `|`, `(`, `$(`, backquotes, newlines and keywords. */
function commandWords(text: string): string[] {
  const out: string[] = [];
  for (const segment of text.split(/[;&|()`\n{}]|\$\(/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (KEYWORDS.has(words[i]!) || /^[A-Za-z_]\w*=/.test(words[i]!) || /^-/.test(words[i]!))) i++;
    const w = words[i];
    if (w) out.push(w.replace(/^["']|["']$/g, ''));
  }
  return out;
}

/** Values assigned to shell variables: `NAME=value`, `NAME="value args"`, `export NAME=...`. */
function assignedCommands(text: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  const re = /(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=(?:"([^"\n]*)"|'([^'\n]*)'|([^\s;&|)]+))/gm;
  for (const m of text.matchAll(re)) {
    const value = (m[2] ?? m[3] ?? m[4] ?? '').trim().split(/\s+/)[0] ?? '';
    if (value && !value.startsWith('$')) out.push({ name: m[1]!, value });
  }
  return out;
}

/** String literals of JS/TS: the commands run through child_process are written in them. */
function stringLiterals(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * The model commands a snippet names, as written (`llm`, `./query-model`, `ask_gpt`).
 * `extra` are command names configured as models (`modelCommands` in the config).
 */
export function modelCommandsIn(code: string, language: SnippetLanguage, extra: readonly string[] = []): string[] {
  const found = new Set<string>();
  // A shell snippet is commands; in other languages the commands are in string literals.
  const texts = recipeOf(language).runtime === 'bash' ? [code] : stringLiterals(code);
  for (const text of texts) {
    for (const w of commandWords(text)) if (isModelWord(w, extra)) found.add(w);
    for (const { name, value } of assignedCommands(text)) {
      if (!WORD.test(value)) continue;
      if (isModelWord(value, extra) || (nameLooksLikeModelWrapper(name) && /[/]/.test(value))) found.add(value);
    }
  }
  // Configured names are stubbed even when the scan does not see them.
  for (const e of extra) {
    const first = e.trim().split(/\s+/)[0];
    if (first) found.add(first);
  }
  return [...found].sort();
}

/** Every command the catalog knows, stubbed in every run whatever the snippet names. */
export function catalogCommands(): string[] {
  return MODEL_CLIS.map((c) => c.name);
}

/** The command word of a configured model command: `mytool ask` -> `mytool`. */
export function commandWord(configured: string): string | undefined {
  return configured.trim().split(/\s+/)[0] || undefined;
}

/**
 * The program on this system that a model command named in configuration would hide if it
 * were stubbed: a bare name found on PATH (`curl`, `touch`), a path that exists, or a file in
 * the workspace (`./deploy.sh`). Model CLIs of the catalog are stubbed anyway and hide nothing
 * that a dry-run could show (their calls are the model calls).
 */
export function hostProgram(name: string, workspaceDir?: string): string | undefined {
  if (MODEL_CLIS.some((c) => c.name === name)) return undefined;
  if (!name.includes('/')) return which(name) ?? undefined;
  const abs = path.isAbsolute(name) ? path.normalize(name) : workspaceDir ? path.join(workspaceDir, name) : undefined;
  return abs && fs.existsSync(abs) ? abs : undefined;
}

/** Model commands named by workspace configuration that are programs on this system. */
export function shadowedPrograms(configured: readonly string[], workspaceDir?: string): Array<{ name: string; program: string }> {
  const out: Array<{ name: string; program: string }> = [];
  for (const c of configured) {
    const name = commandWord(c);
    const program = name ? hostProgram(name, workspaceDir) : undefined;
    if (name && program && !out.some((x) => x.name === name)) out.push({ name, program });
  }
  return out;
}
