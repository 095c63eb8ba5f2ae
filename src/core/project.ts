/**
 * A project: the files of a folder (or an editor's workspace) analysed as one program. Each
 * file is analysed as an entry point whose dataflow follows relative imports, requires,
 * `source`d files and scripts run by path into the other files; a finding keeps one location,
 * which may be in another file than the entry that found it, and its path may cross files.
 *
 * Incremental: after `update(path, text)` only the entries that read that file (and the file
 * itself) are analysed again; the others keep their results.
 */
import type { Tree } from 'web-tree-sitter';
import type { Analyzer, AnalyzeOptions } from './analyzer';
import { detectLanguage } from './detect';
import { applySuppressions, parseSuppressions } from './suppress';
import { registerTreeFile } from './tree-util';
import type { DocumentLanguage, FileResult, Finding, RuleLanguage } from './types';

export interface ProjectSource {
  path: string;
  text: string;
  language: RuleLanguage;
  tree: Tree;
}

/** What an entry's analysis may ask of the rest of the project. */
export interface ProjectView {
  /** A project file, parsed (cached by the project); undefined when absent, too large or unreadable. */
  source(path: string): ProjectSource | undefined;
  /** The project file a JavaScript/TypeScript import specifier names from `from`, if any. */
  resolveModule(from: string, spec: string): string | undefined;
  /** The project file a shell script names by path (`source lib.sh`, `./run.sh`, `"$DIR/x.sh"`), if any. */
  resolveScript(from: string, ref: string): string | undefined;
  /**
   * The project file a Python import names from `from`: `module` dotted (`pkg.mod`, or '' for
   * `from . import x`), `level` the leading dots of a relative import (0: absolute).
   */
  resolvePython(from: string, module: string, level: number): string | undefined;
  /** A value computed once per project state (cleared by any update): facts about files every entry needs. */
  memo<T>(key: string, compute: () => T): T;
}

interface FileEntry {
  text: string;
  language: DocumentLanguage | undefined;
  tree?: Tree | null;
}

const JS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}

/** `a/b/../c/./d` -> `a/c/d`; forward slashes only (the project speaks in those). */
export function normalizeProjectPath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}

export class Project implements ProjectView {
  private readonly files = new Map<string, FileEntry>();
  /** Per entry: its findings (own and in other files) and the files its analysis read. */
  private readonly results = new Map<string, { findings: Finding[]; result: FileResult; reads: Set<string> }>();
  private reading: Set<string> | undefined;
  private readonly memos = new Map<string, unknown>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly options: Omit<AnalyzeOptions, 'path' | 'language' | 'project'> = {},
  ) {}

  /** Adds or replaces a file; returns the entries whose results are now out of date. */
  update(path: string, text: string, language?: DocumentLanguage): string[] {
    const key = normalizeProjectPath(path);
    const old = this.files.get(key);
    if (old?.tree) old.tree.delete();
    this.files.set(key, { text, language: language ?? detectLanguage(key, text) });
    return this.invalidate(key);
  }

  remove(path: string): string[] {
    const key = normalizeProjectPath(path);
    const old = this.files.get(key);
    if (!old) return [];
    old.tree?.delete();
    this.files.delete(key);
    const stale = this.invalidate(key);
    this.results.delete(key);
    return stale.filter((s) => s !== key);
  }

  private invalidate(key: string): string[] {
    this.memos.clear();
    const stale = [key];
    for (const [entry, r] of this.results) if (entry !== key && r.reads.has(key)) stale.push(entry);
    for (const s of stale) this.results.delete(s);
    return stale;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  // ---- ProjectView --------------------------------------------------------------

  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  source(path: string): ProjectSource | undefined {
    const key = normalizeProjectPath(path);
    const f = this.files.get(key);
    if (!f || !f.language || f.language === 'markdown') return undefined;
    this.reading?.add(key);
    if (f.tree === undefined) {
      try {
        f.tree = this.analyzer.parseForProject(f.language, f.text, this.options.config);
        if (f.tree) registerTreeFile(f.tree, key);
      } catch {
        f.tree = null;
      }
    }
    return f.tree ? { path: key, text: f.text, language: f.language, tree: f.tree } : undefined;
  }

  resolveModule(from: string, spec: string): string | undefined {
    if (!/^\.{1,2}(\/|$)/.test(spec)) return undefined;
    const base = normalizeProjectPath(`${dirname(normalizeProjectPath(from))}/${spec}`);
    const candidates = [base];
    // compiled output imports `./x.js` where the source is `x.ts`
    const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
    if (stem !== base) for (const e of JS_EXTS) candidates.push(stem + e);
    for (const e of JS_EXTS) candidates.push(base + e);
    for (const e of JS_EXTS) candidates.push(`${base}/index${e}`);
    return candidates.find((c) => this.isCode(c));
  }

  resolveScript(from: string, ref: string): string | undefined {
    const r = ref.replace(/^["']|["']$/g, '');
    if (!r || /[`*?]/.test(r)) return undefined;
    const dir = dirname(normalizeProjectPath(from));
    // `$DIR/x.sh`, `$(dirname "$0")/x.sh`, `${BASH_SOURCE%/*}/x.sh`: a folder known only at run time,
    // most often the script's own
    const tail = r.replace(/^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\([^)]*\)|\$\{BASH_SOURCE[^}]*\})\/*/, '');
    const candidates = r.startsWith('/') ? [r] : [`${dir}/${tail}`, tail];
    if (tail !== r && tail.includes('/')) {
      // `$ROOT/lib/x.sh` from `bin/`: a file of that name below the project's folders
      const suffix = `/${normalizeProjectPath(tail)}`;
      const hit = [...this.files.keys()].filter((k) => k.endsWith(suffix));
      if (hit.length === 1) candidates.push(hit[0]!);
    }
    return candidates.map(normalizeProjectPath).find((c) => this.isCode(c));
  }

  resolvePython(from: string, module: string, level: number): string | undefined {
    const fromDir = dirname(normalizeProjectPath(from));
    const bases: string[] = [];
    if (level > 0) {
      let d = fromDir;
      for (let i = 1; i < level; i++) d = dirname(d);
      bases.push(d);
    } else {
      // the script's own folder (sys.path[0]), then the folders above it, where a package's imports start
      for (let d = fromDir, i = 0; i < 8; d = dirname(d), i++) {
        bases.push(d);
        if (d === '.' || d === '/') break;
      }
    }
    const rel = module.split('.').filter(Boolean).join('/');
    for (const b of bases) {
      const stem = normalizeProjectPath(rel ? `${b}/${rel}` : b);
      for (const c of rel ? [`${stem}.py`, `${stem}/__init__.py`] : [`${stem}/__init__.py`]) if (this.isCode(c)) return c;
    }
    return undefined;
  }

  private isCode(key: string): boolean {
    const f = this.files.get(key);
    return !!f && !!f.language && f.language !== 'markdown';
  }

  // ---- analysis -----------------------------------------------------------------

  /** Results for every file (entries analysed when out of date), findings routed to the file they are in. */
  analyzeAll(): FileResult[] {
    return this.resultsFor(this.paths());
  }

  /** Results for these files; analyses only the entries that are out of date. */
  resultsFor(paths: string[]): FileResult[] {
    for (const p of this.paths()) this.ensure(p);
    return paths.map((p) => this.collect(normalizeProjectPath(p)));
  }

  private ensure(entry: string): void {
    if (this.results.has(entry)) return;
    const f = this.files.get(entry)!;
    const reads = new Set<string>([entry]);
    this.reading = reads;
    try {
      const { result, elsewhere } = this.analyzer.analyzeEntry(f.text, { ...this.options, path: entry, language: f.language, project: this });
      this.results.set(entry, { findings: elsewhere, result, reads });
    } finally {
      this.reading = undefined;
    }
  }

  /** A file's own result plus what other entries found in it (their suppressions applied here). */
  private collect(path: string): FileResult {
    const own = this.results.get(path);
    if (!own) return { path, language: undefined, findings: [], skipped: { reason: 'unreadable', message: 'skipped: not in the project' } };
    const foreign: Finding[] = [];
    for (const [entry, r] of this.results) {
      if (entry === path) continue;
      for (const f of r.findings) if (f.range.file === path) foreign.push(normalizeFinding(f, path, entry));
    }
    if (foreign.length === 0) return own.result;
    const src = this.source(path);
    const { kept, suppressed } = src ? applySuppressions(foreign, parseSuppressions(src.tree, src.text)) : { kept: foreign, suppressed: [] };
    const seen = new Set(own.result.findings.map(key));
    const findings = [...own.result.findings];
    for (const f of kept) {
      const k = key(f);
      if (seen.has(k)) continue;
      seen.add(k);
      findings.push(f);
    }
    const byPlace = (a: Finding, b: Finding) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.ruleId.localeCompare(b.ruleId);
    findings.sort(byPlace);
    const allSuppressed = [...(own.result.suppressed ?? []), ...suppressed].sort(byPlace);
    return { ...own.result, findings, ...(allSuppressed.length ? { suppressed: allSuppressed } : {}) };
  }

  dispose(): void {
    for (const f of this.files.values()) f.tree?.delete();
    this.files.clear();
    this.results.clear();
  }
}

const key = (f: Finding) => `${f.ruleId}:${f.range.start.line}:${f.range.start.column}`;

/** Positions in `file` lose their file; positions in the entry's file say which. */
export function normalizeFinding(f: Finding, file: string, entry: string): Finding {
  const at = <R extends { file?: string }>(r: R): R => {
    const target = r.file ?? entry;
    if (target === file) {
      const { file: _drop, ...rest } = r;
      return rest as R;
    }
    return { ...r, file: target };
  };
  return { ...f, range: at(f.range), path: f.path.map((s) => ({ ...s, range: at(s.range) })), ...(f.refs ? { refs: f.refs.map(at) } : {}) };
}
