/**
 * The `.fang.json` every command reads, found and judged the same way (the editor's
 * ConfigService judges it alike): the file given with --config, else the nearest one from the
 * working folder up to the repository root. A mistake (bad JSON, an unknown key, a wrong value,
 * a rule id no rule has) is reported with its key and what was expected, and only the wrong
 * entry is dropped: every mistake then errs towards reporting more, never less.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRuleIds, mergeConfigs, parseConfig, type FangConfig } from '../core/config';
import { UsageError } from './io';
import { readText } from './read-file';

export const PROJECT_FILE = '.fang.json';
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ProjectConfig {
  config: FangConfig;
  /** The file read, if any. */
  file?: string;
  /** One line per mistake, naming the file and the key. */
  problems: string[];
}

/** The nearest `.fang.json` from `dir` upward, not past the folder that holds `.git`. */
export function findProjectFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const p = path.join(d, PROJECT_FILE);
    if (fs.existsSync(p)) return p;
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) return undefined;
  }
}

/** `explicit` (a --config the user named) must be readable; a found file may be broken (then the defaults apply). */
export function loadProjectConfig(dir: string, explicit?: string): ProjectConfig {
  const file = explicit ? path.resolve(dir, explicit) : findProjectFile(dir);
  if (!file) return { config: {}, problems: [] };
  const r = readText(file, MAX_CONFIG_BYTES);
  if (!r.ok) {
    if (explicit) throw new UsageError(`cannot read config ${file}: it ${r.message}`);
    return { config: {}, file, problems: [`${file}: it ${r.message}; the defaults apply`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(r.text);
  } catch (e) {
    return { config: {}, file, problems: [`${file} is not valid JSON (${(e as Error).message}); the defaults apply`] };
  }
  const parsed = parseConfig(raw, path.basename(file));
  return { config: mergeConfigs(parsed.config), file, problems: parsed.problems.map((p) => `${file}: ${p.message}`) };
}

/** Rule ids checked once the rules are known (after the grammars are loaded). */
export function withRuleIds(loaded: ProjectConfig, ruleIds: readonly string[]): ProjectConfig {
  const checked = checkRuleIds(loaded.config, ruleIds);
  return { ...loaded, config: checked.config, problems: [...loaded.problems, ...checked.problems.map((p) => `${loaded.file}: ${p.message}`)] };
}
