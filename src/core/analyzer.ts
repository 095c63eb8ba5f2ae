/**
 * The analysis entry point: text in, findings out. Takes its grammars as a constructor argument
 * and never touches the editor or the file system (apart from loading the .wasm files once).
 */
import type { Tree } from 'web-tree-sitter';
import { Grammars, ParseBudgetExceeded } from './parser';
import { Budget, DeadlineExceeded, isStackOverflow, type Exhaustion } from './budget';
import { DEFAULT_ANALYSIS_BUDGET_MS, DEFAULT_MAX_FILE_BYTES, effectiveSeverity, type FangConfig } from './config';
import { detectLanguage, formatBytes, looksBinary } from './detect';
import { extractFences } from './markdown';
import { proposeFixes, type FixProposal, type FixTarget, type RejectedFix } from './fixes/index';
import { applySuppressions, parseSuppressions } from './suppress';
import type { ParseCache } from './parse-cache';
import { MAX_PATH_STEPS } from './origins';
import { GENERIC_RULES } from './rules/index';
import { ANALYSERS, analyserFor, type Analyser } from './analysers';
import type { EmbeddedCode } from './bash/embedded';
import { registerTreeFile } from './tree-util';
import { normalizeFinding } from './project';
import type { Rule, RawFinding } from './rule';
import type { DocumentLanguage, FileResult, Finding, Range, RuleLanguage, RuleMeta, SuppressedFinding } from './types';
import { toTemplate } from './refs';
import type { ProjectView } from './project';

/** Strings inside strings followed: `ssh host 'sh -c "..."'` is two deep. */
const MAX_EMBED_DEPTH = 3;

export interface AnalyzeOptions {
  path?: string;
  language?: DocumentLanguage;
  config?: FangConfig;
  /** Only these rule ids (the CLI's --rule). */
  onlyRules?: readonly string[];
  /** Never these rule ids (the CLI's --exclude-rule). */
  excludeRules?: readonly string[];
  /** The budget to analyse within; by default a new one of `config.analysisBudgetMs`. */
  budget?: Budget;
  /** The project the file belongs to: its dataflow then follows imports and sourced files there. */
  project?: ProjectView;
  /** The document's trees from its last analysis: parsed incrementally, and kept for the next one. */
  cache?: ParseCache;
}

export class Analyzer {
  private constructor(private readonly grammars: Grammars) {}

  /** Loads the grammars once; `languages` limits which (a Bash-only scan need not load TypeScript). */
  static async create(opts: { wasmDir?: string; languages?: RuleLanguage[] } = {}): Promise<Analyzer> {
    return new Analyzer(await Grammars.load(opts.wasmDir, opts.languages));
  }

  /** Loads more grammars after creation (the hook learns from a command which files it runs). */
  async ensureLanguages(languages: readonly RuleLanguage[]): Promise<void> {
    await this.grammars.ensure(languages);
  }

  /** Parses `text` and hands the tree to `read`, freeing it afterwards; for tree readers outside the rules. */
  withTree<T>(lang: RuleLanguage, text: string, read: (tree: Tree) => T, budgetMs = DEFAULT_ANALYSIS_BUDGET_MS): T {
    const tree = this.grammars.parse(lang, text, budgetMs);
    try {
      return read(tree);
    } finally {
      freeTree(tree);
    }
  }

  /** Metadata of every rule, for docs, SARIF and the editor. */
  rules(): RuleMeta[] {
    const seen = new Set<string>();
    const out: RuleMeta[] = [];
    for (const r of [...Object.values(ANALYSERS).flatMap((s) => s.rules), ...GENERIC_RULES]) {
      if (seen.has(r.meta.id)) continue;
      seen.add(r.meta.id);
      out.push(r.meta);
    }
    return out;
  }

  /** Parses a file of a project (the project owns and frees the tree); null when it cannot be parsed in time. */
  parseForProject(lang: RuleLanguage, text: string, config: FangConfig = {}): Tree | null {
    if (!this.grammars.has(lang) || looksBinary(text) || Buffer.byteLength(text, 'utf8') > (config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)) return null;
    try {
      return this.grammars.parse(lang, text, config.analysisBudgetMs ?? DEFAULT_ANALYSIS_BUDGET_MS);
    } catch (e) {
      if (e instanceof ParseBudgetExceeded) return null;
      throw e;
    }
  }

  analyze(text: string, opts: AnalyzeOptions = {}): FileResult {
    return this.analyzeEntry(text, opts).result;
  }

  /**
   * Analyses a file as an entry point. With a project, its dataflow may find things in other
   * files (`elsewhere`, their positions carry the file); the project routes those to their files.
   */
  analyzeEntry(text: string, opts: AnalyzeOptions = {}): { result: FileResult; elsewhere: Finding[] } {
    const elsewhere: Finding[] = [];
    const result = this.analyzeFile(text, opts, elsewhere);
    return { result, elsewhere };
  }

  private analyzeFile(text: string, opts: AnalyzeOptions, elsewhere: Finding[]): FileResult {
    const path = opts.path ?? '<input>';
    const config = opts.config ?? {};
    const language = opts.language ?? detectLanguage(opts.path, text);
    const result: FileResult = { path, language, findings: [] };
    const suppressed: SuppressedFinding[] = [];
    const maxBytes = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (looksBinary(text)) {
      result.skipped = { reason: 'binary', message: 'skipped: binary file' };
      return result;
    }
    const size = Buffer.byteLength(text, 'utf8');
    if (size > maxBytes) {
      result.skipped = { reason: 'too-large', message: `skipped: ${formatBytes(size)} is over the ${formatBytes(maxBytes)} size cap (maxFileBytes)` };
      return result;
    }
    if (!language) {
      result.skipped = { reason: 'unsupported', message: 'skipped: not a language Fang reads' };
      return result;
    }
    const budget = opts.budget ?? new Budget(config.analysisBudgetMs ?? DEFAULT_ANALYSIS_BUDGET_MS);
    const units = new Set<string>();
    if (language === 'markdown') {
      for (const [i, fence] of extractFences(text).entries()) {
        const noted = budget.exhausted.length;
        units.add(`${i}:${fence.language}`);
        const found = this.analyzeCode(fence.code, fence.language, config, { ...opts, project: undefined }, budget, [], `${i}:${fence.language}`);
        if (found === 'unsupported') continue;
        const at = (r: Range) => mapRange(r, fence.startLine, fence.columnOffsets);
        for (const e of budget.exhausted.slice(noted)) e.range = at(e.range);
        if (found instanceof ParseBudgetExceeded) {
          budget.note('time', at(offsetRange(fence.code, found.offset)), `${found.message} (analysisBudgetMs); this code block was not analysed`);
          continue;
        }
        for (const f of found.findings) result.findings.push(mapFinding(f, fence.startLine, fence.columnOffsets));
        for (const f of found.suppressed) suppressed.push({ ...mapFinding(f, fence.startLine, fence.columnOffsets), suppression: { ...f.suppression, range: at(f.suppression.range) } });
      }
    } else {
      units.add(language);
      const found = this.analyzeCode(text, language, config, opts, budget, elsewhere, language);
      if (found === 'unsupported') {
        result.skipped = { reason: 'unsupported', message: `skipped: ${language} analysis is not available in this version` };
        return result;
      }
      if (found instanceof ParseBudgetExceeded) {
        result.skipped = { reason: 'time-budget', message: `skipped: ${found.message} (analysisBudgetMs)` };
        return result;
      }
      result.findings = found.findings;
      suppressed.push(...found.suppressed);
    }
    opts.cache?.retain(units);
    const cut = result.findings.find((f) => f.path.some((s) => s.truncated));
    if (cut) budget.note('path-length', cut.range, `the dataflow path of this finding is longer than the ${MAX_PATH_STEPS} steps Fang shows (path length); the steps after the cut are not listed`);
    result.findings.push(...budgetNotes(budget.exhausted, config));
    result.findings.sort(byPlace);
    if (suppressed.length) result.suppressed = suppressed.sort(byPlace);
    return result;
  }

  private analyzeCode(
    text: string,
    lang: RuleLanguage,
    config: FangConfig,
    opts: AnalyzeOptions,
    budget: Budget,
    elsewhere: Finding[],
    unit: string,
  ): { findings: Finding[]; suppressed: SuppressedFinding[] } | 'unsupported' | ParseBudgetExceeded {
    const support = analyserFor(lang);
    if (!support || !this.grammars.has(lang)) return 'unsupported';
    let tree: Tree;
    const old = opts.cache?.take(unit, text);
    try {
      tree = this.grammars.parse(lang, text, budget, old);
    } catch (e) {
      if (e instanceof ParseBudgetExceeded) return e;
      throw e;
    } finally {
      old?.delete();
    }
    try {
      // In a project the entry's own tree is named too, so positions in it and in other files compare.
      const path = opts.path;
      if (opts.project && path) registerTreeFile(tree, path);
      const findings = this.runRules(support, lang, tree, text, config, opts, budget, 0);
      // Findings the dataflow made in other files of the project go to those files (and their suppressions).
      const own: Finding[] = [];
      for (const f of findings) {
        if (f.range.file !== undefined && f.range.file !== path) elsewhere.push(f);
        else own.push(opts.project && path ? normalizeFinding(f, path, path) : f);
      }
      const { kept, suppressed } = applySuppressions(dedupe(own), parseSuppressions(tree, text));
      return { findings: kept, suppressed };
    } finally {
      if (opts.cache) opts.cache.keep(unit, text, tree);
      else freeTree(tree);
    }
  }

  /** The rules over one tree; then, as deep as MAX_EMBED_DEPTH, over the code inside its strings (`sh -c '...'`). */
  private runRules(support: Analyser, lang: RuleLanguage, tree: Tree, text: string, config: FangConfig, opts: AnalyzeOptions, budget: Budget, depth: number): Finding[] {
    const findings: Finding[] = [];
    let facts: unknown;
    try {
      facts = support.createFacts(tree, text, config, opts.path, budget, depth ? undefined : opts.project);
      const rules: Rule<unknown>[] = [...support.rules, ...GENERIC_RULES].filter(
        (r) => (!opts.onlyRules || opts.onlyRules.includes(r.meta.id)) && !opts.excludeRules?.includes(r.meta.id),
      );
      for (const rule of rules) {
        let raw: RawFinding[];
        try {
          raw = rule.check({ language: lang, text, tree, config, facts });
        } catch (e) {
          raw = [];
          if (e instanceof DeadlineExceeded || isStackOverflow(e)) {
            budget.noteStop(e, `rule ${rule.meta.id}`);
            continue;
          }
          // One failing rule must not blank the others; say so where it shows.
          findings.push({
            ruleId: 'analysis-incomplete',
            category: rule.meta.category,
            severity: 'note',
            message: toTemplate(`analysis incomplete: rule ${rule.meta.id} failed on this file (${e instanceof Error ? e.message : String(e)})`).message,
            range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
            path: [],
            confidence: 'low',
          });
        }
        for (const r of raw) {
          const category = r.category ?? rule.meta.category;
          const severity = effectiveSeverity(config, rule.meta.id, category, r.severity ?? rule.meta.severity);
          if (!severity) continue;
          const { message, refs } = toTemplate(r.message);
          findings.push({ ...r, message, ...(refs.length ? { refs } : {}), ruleId: rule.meta.id, category, severity });
        }
      }
    } finally {
      disposeFacts(facts);
    }
    if (depth < MAX_EMBED_DEPTH) for (const e of support.embedded?.(tree, text) ?? []) findings.push(...this.embeddedFindings(support, lang, e, config, opts, budget, depth + 1));
    return findings;
  }

  /** What the rules find in code run from a string, at its place in the file, saying what runs it. */
  private embeddedFindings(support: Analyser, lang: RuleLanguage, e: EmbeddedCode, config: FangConfig, opts: AnalyzeOptions, budget: Budget, depth: number): Finding[] {
    let tree: Tree;
    try {
      tree = this.grammars.parse(lang, e.code, budget);
    } catch (err) {
      if (err instanceof ParseBudgetExceeded) return [];
      throw err;
    }
    try {
      if (opts.project && opts.path) registerTreeFile(tree, opts.path);
      const inner = this.runRules(support, lang, tree, e.code, config, opts, budget, depth).filter((f) => f.ruleId !== 'suppression-without-reason');
      const note = (e.via.startsWith('a ') ? ` (in ${e.via})` : ` (inside the command string run by \`${e.via}\`)`).replace(/[{}]/g, (c) => c + c);
      const out = inner.map((f) => (f.ruleId === 'analysis-incomplete' ? f : { ...f, message: f.message + note }));
      // model output run from a crontab line or a unit: an agent that comes back on its own, again and again
      const run = e.scheduled ? inner.find((f) => f.category === 'model-output-execution' && f.ruleId !== 'analysis-incomplete') : undefined;
      const persist = support.persistRule ? support.rules.find((r) => r.meta.id === support.persistRule) : undefined;
      const wanted = !!persist && (!opts.onlyRules || opts.onlyRules.includes(persist.meta.id)) && !opts.excludeRules?.includes(persist.meta.id);
      const severity = wanted && run && persist ? effectiveSeverity(config, persist.meta.id, persist.meta.category, persist.meta.severity) : undefined;
      if (run && persist && severity) {
        out.push({
          ruleId: persist.meta.id,
          category: persist.meta.category,
          severity,
          message: toTemplate(`${e.via.replace(/^a /, 'this ')} runs model output again and again ${/cron/.test(e.via) ? 'on its schedule' : 'each time the unit starts (at boot, on restart)'}, without anyone starting it: a persistent agent`).message,
          range: run.range,
          path: run.path,
          confidence: run.confidence,
        });
      }
      return out;
    } finally {
      freeTree(tree);
    }
  }

  /** Quick fixes for one finding, each proven by parsing its result (src/core/fixes). */
  fixes(text: string, language: DocumentLanguage, target: FixTarget, rejected?: RejectedFix[]): FixProposal[] {
    return proposeFixes(this.grammars, text, language, target, rejected);
  }

  dispose(): void {
    this.grammars.dispose();
  }
}

function disposeFacts(facts: unknown): void {
  (facts as { dispose?: () => void } | undefined)?.dispose?.();
}

function freeTree(tree: Tree): void {
  tree.delete();
}

const byPlace = (a: Finding, b: Finding) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.ruleId.localeCompare(b.ruleId);

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}:${f.range.start.line}:${f.range.start.column}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mapRange(r: Range, startLine: number, offsets: number[]): Range {
  return {
    start: { line: r.start.line + startLine, column: r.start.column + (offsets[r.start.line] ?? 0) },
    end: { line: r.end.line + startLine, column: r.end.column + (offsets[r.end.line] ?? 0) },
  };
}

function mapFinding(f: Finding, startLine: number, offsets: number[]): Finding {
  return {
    ...f,
    range: mapRange(f.range, startLine, offsets),
    path: f.path.map((s) => ({ ...s, range: mapRange(s.range, startLine, offsets) })),
    ...(f.refs ? { refs: f.refs.map((p) => ({ ...p, ...mapRange({ start: p, end: p }, startLine, offsets).start })) } : {}),
  };
}

/**
 * One note per exhausted budget. They bypass in-source suppressions: the code that exhausts a
 * budget is the code that would write the suppression.
 */
function budgetNotes(list: readonly Exhaustion[], config: FangConfig): Finding[] {
  const severity = effectiveSeverity(config, 'analysis-incomplete', 'model-output-execution', 'note');
  if (!severity) return [];
  return list.map((e) => ({
    ruleId: 'analysis-incomplete',
    category: 'model-output-execution',
    severity,
    message: toTemplate(`analysis incomplete: ${e.message}${e.more ? `; the same budget ran out at ${e.more} more place${e.more === 1 ? '' : 's'} after this one` : ''}`).message,
    range: e.range,
    path: [],
    confidence: 'low',
    budget: e.budget,
  }));
}

/** The position of the parser's offset (bytes of UTF-16 text: two per code unit, as web-tree-sitter counts). */
function offsetRange(text: string, byteOffset: number): Range {
  const before = text.slice(0, Math.floor(byteOffset / 2));
  const line = before.split('\n').length - 1;
  const column = before.length - (before.lastIndexOf('\n') + 1);
  const at = { line, column };
  return { start: at, end: at };
}

