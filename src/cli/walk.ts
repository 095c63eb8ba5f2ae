/** Expands the paths given to `fang scan` into files, honouring .gitignore and ignore globs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { detectLanguage } from '../core/index';
import { readHead } from './read-file';

const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn']);

export interface WalkResult {
  files: string[];
  /** Named paths that do not exist or cannot be read. */
  errors: string[];
}

interface Level {
  dir: string;
  ig: Ignore;
}

export function walk(paths: string[], extraIgnore: string[] = [], cwd = process.cwd()): WalkResult {
  const files: string[] = [];
  const errors: string[] = [];
  const extra = ignore().add(extraIgnore);
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      errors.push(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      continue;
    }
    if (st.isDirectory()) {
      walkDir(abs, abs, ancestorsIgnores(abs), extra, files, errors);
    } else {
      // Named explicitly: always analysed, or skipped with a note (a pipe or a device too).
      files.push(abs);
    }
  }
  return { files: [...new Set(files)], errors };
}

/** .gitignore files between the repository root (the nearest .git) and `dir`. */
function ancestorsIgnores(dir: string): Level[] {
  const chain: string[] = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) break;
  }
  if (!fs.existsSync(path.join(chain[0]!, '.git'))) return [];
  return chain.map(loadLevel).filter((l): l is Level => !!l);
}

function loadLevel(dir: string): Level | undefined {
  try {
    const text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    return { dir, ig: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function ignored(abs: string, isDir: boolean, levels: Level[], extra: Ignore, root: string): boolean {
  for (const l of levels) {
    const rel = path.relative(l.dir, abs).split(path.sep).join('/');
    if (rel && !rel.startsWith('..') && l.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  const relRoot = path.relative(root, abs).split(path.sep).join('/');
  return !!relRoot && extra.ignores(isDir ? `${relRoot}/` : relRoot);
}

function walkDir(dir: string, root: string, parents: Level[], extra: Ignore, files: string[], errors: string[]): void {
  const own = loadLevel(dir);
  const levels = own ? [...parents, own] : parents;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    errors.push(`${dir}: ${(e as Error).message}`);
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (ALWAYS_SKIPPED.has(e.name) || ignored(abs, true, levels, extra, root)) continue;
      walkDir(abs, root, levels, extra, files, errors);
    } else if (e.isFile()) {
      if (ignored(abs, false, levels, extra, root)) continue;
      if (isCandidate(abs)) files.push(abs);
    } else if (e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice() || e.isSocket()) {
      // Never opened; named like code, it is listed so that the skip shows.
      if (!ignored(abs, false, levels, extra, root) && detectLanguage(abs, '')) files.push(abs);
    }
  }
}

/** A file Fang reads: by extension, or by a shebang in its first bytes. */
function isCandidate(abs: string): boolean {
  if (detectLanguage(abs, '')) return true;
  if (/\.[A-Za-z0-9]+$/.test(path.basename(abs)) && !/\.(in|cgi|command)$/.test(abs)) return false;
  const head = readHead(abs, 128);
  return head !== undefined && !!detectLanguage(undefined, head);
}
