/**
 * The decision on one tool call: analyse what is about to run or be written (a command, the
 * scripts it runs, a file as it will be after a write, an edit or a patch) and map the findings
 * to deny / ask / nothing by category, as `.fang.json`'s `hook` says.
 */
import { renderMessage, toTemplate } from '../../core/refs';
import * as path from 'node:path';
import { Analyzer, detectLanguage, type FangConfig, type Finding, type Range, type RuleLanguage } from '../../core/index';
import { HOOK_DEFAULTS, DEFAULT_MAX_FILE_BYTES, type HookDecision } from '../../core/config';
import { languageById } from '../../core/languages';
import { scriptRuns, type CommandScripts, type ScriptRun, type WrittenFile } from '../../core/bash/script-runs';
import { unattendedAgent } from '../../core/unattended';

/** Rules that report a coding-agent CLI started with its approvals off. */
const AGENT_CLI_RULES = new Set(['bash-agent-cli-exec', 'js-agent-cli-exec']);
import type { Decision, HookEvent, Verdict } from './agents';
import { applyEdits, parsePatch, readText, resolveScript, type Edited } from './files';

/** What Fang reads for one tool call. */
interface Subject {
  /** How messages name it: `the command`, `loop.sh` (relative to the cwd where inside it). */
  label: string;
  /** The file, for the analysis's own-name checks (a script that calls itself). */
  file?: string;
  text: string;
  language: string | undefined;
  /** True when it runs now (a command, a script it starts); false when it is only written. */
  runs: boolean;
  /** For an edit: the lines it writes; findings elsewhere were there before. */
  changed?: Set<number>;
  depth: number;
}

interface Hit {
  subject: Subject;
  finding: Finding;
  decision: Exclude<Decision, 'none'>;
  why?: string;
}

const MAX_SUBJECTS = 32;
const MAX_DEPTH = 3;
const ITEMS_IN_REASON = 4;
/** Files whose change would switch the guard off: the change itself needs a person. */
const GUARD_FILES = /(^|\/)\.fang\.json$|(^|\/)\.claude\/settings(\.local)?\.json$|(^|\/)\.gemini\/settings\.json$|(^|\/)\.codex\/(hooks\.json|config\.toml)$/;
const GUARD_WORDS = /\.fang\.json|\.claude\/settings(\.local)?\.json|\.gemini\/settings\.json|\.codex\/(hooks\.json|config\.toml)/;
const READ_ONLY = /^\s*(cat|less|more|head|tail|grep|rg|jq|ls|stat|wc|file|diff|git\s+(diff|log|show|status|blame))\b[^>|;&`$]*$/;

export class Judge {
  private readonly hits: Hit[] = [];
  private readonly notes: string[] = [];
  private readonly seen = new Set<string>();
  private subjects = 0;
  private guardChange: string | undefined;

  constructor(
    private readonly analyzer: Analyzer,
    private readonly config: FangConfig,
    private readonly cwd: string,
  ) {}

  async judge(ev: HookEvent): Promise<Verdict> {
    const a = ev.action;
    switch (a.kind) {
      case 'run':
        if (GUARD_WORDS.test(a.command) && !READ_ONLY.test(a.command)) this.guardChange = `the command changes ${GUARD_WORDS.exec(a.command)![0]}`;
        await this.runCommand(a.command, a.dir);
        break;
      case 'write':
        this.guardFile(a.file);
        await this.analyse({ label: this.rel(a.file), file: a.file, text: a.content, language: detectLanguage(a.file, a.content), runs: false, depth: 0 });
        break;
      case 'edit': {
        this.guardFile(a.file);
        await this.edited(a.file, (before) => applyEdits(before, a.edits));
        break;
      }
      case 'patch':
        for (const f of parsePatch(a.patch)) {
          const file = path.resolve(this.cwd, f.file);
          this.guardFile(file);
          if (f.moveTo) this.guardFile(path.resolve(this.cwd, f.moveTo));
          if (f.edit.kind === 'delete') continue;
          const edit = f.edit;
          if (edit.kind === 'add') {
            await this.analyse({ label: this.rel(file), file, text: edit.content, language: detectLanguage(file, edit.content), runs: false, depth: 0 });
          } else {
            await this.edited(file, (before) => applyEdits(before, edit.hunks));
          }
        }
        break;
      case 'other':
        break;
    }
    return this.verdict();
  }

  private guardFile(file: string): void {
    if (GUARD_FILES.test(file)) this.guardChange = `it changes ${this.rel(file)}`;
  }

  /** A file as it will be after an edit; what the edit wrote decides. */
  private async edited(file: string, apply: (before: string) => Edited | { failed: string }): Promise<void> {
    const cap = this.config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const before = readText(file, cap);
    if (!before.ok && before.why !== 'missing') {
      this.notes.push(`${this.rel(file)} ${before.message}; the edit was not analysed`);
      return;
    }
    const after = apply(before.ok ? before.text : '');
    if ('failed' in after) {
      this.notes.push(`${this.rel(file)}: ${after.failed}; the edit was not analysed`);
      return;
    }
    await this.analyse({ label: this.rel(file), file, text: after.content, language: detectLanguage(file, after.content), runs: false, changed: after.changed, depth: 0 });
  }

  private async runCommand(command: string, dir: string): Promise<void> {
    await this.analyse({ label: 'the command', text: command, language: 'bash', runs: true, depth: 0 }, dir);
  }

  private async analyse(s: Subject, dir = this.cwd): Promise<void> {
    if (++this.subjects > MAX_SUBJECTS) {
      if (this.subjects === MAX_SUBJECTS + 1) this.notes.push(`more than ${MAX_SUBJECTS} scripts; the rest were not followed`);
      return;
    }
    const lang = s.language;
    if (lang === 'markdown') return; // a document does not run; `fang scan` reads its fences
    if (!lang || !analysable(lang)) {
      if (s.runs || lang) this.notes.push(`${s.label} was not analysed: ${lang ? `${lang} is not a language Fang reads yet` : 'Fang cannot tell its language'}`);
      return;
    }
    await this.analyzer.ensureLanguages([lang]);
    // A suppression comment that arrives with the code it suppresses does not count.
    const text = s.text.replace(/fang-ignore-/g, 'fang-ignore_');
    const result = this.analyzer.analyze(text, { ...(s.file ? { path: s.file } : {}), language: lang, config: this.config });
    if (result.skipped) {
      if (result.skipped.reason === 'binary') return;
      const what = `${s.label} could not be analysed (${result.skipped.message.replace(/^skipped: /, '')})`;
      if (s.runs) this.hits.push({ subject: s, finding: incomplete(what), decision: 'ask', why: what });
      else this.notes.push(what);
      return;
    }
    for (const f of result.findings) {
      if (s.changed && !touches(f, s.changed)) continue;
      const d = this.decide(f, s.text);
      if (d) this.hits.push({ subject: s, finding: f, ...d });
    }
    if (lang === 'bash' && s.depth < MAX_DEPTH) await this.follow(s, text, dir);
  }

  private decide(f: Finding, text: string): { decision: Exclude<Decision, 'none'>; why?: string } | undefined {
    const setting = (c: Finding['category']): HookDecision => this.config.hook?.[c] ?? HOOK_DEFAULTS[c];
    let d: HookDecision = setting(f.category);
    let why: string | undefined;
    if (AGENT_CLI_RULES.has(f.ruleId)) {
      // An agent CLI started with its approvals off runs model output; the user is asked (the
      // self-invocation setting), since the agent that starts it is there to ask.
      d = setting('self-invocation');
      const agent = unattendedAgent(textOf(text, f));
      why = agent ? `starts ${agent.agent} with its approvals off (${agent.flag})` : 'starts a coding agent with its approvals off';
    } else if (f.category === 'self-invocation' && f.ruleId !== 'analysis-incomplete') {
      return undefined;
    }
    // An analysis that could not follow the code is a question for a person, not a verdict.
    if (f.ruleId === 'analysis-incomplete' && d === 'deny') d = 'ask';
    return d === 'off' ? undefined : { decision: d, ...(why ? { why } : {}) };
  }

  /** The scripts a Bash text runs, and the files it writes before it runs them. */
  private async follow(parent: Subject, text: string, dir: string): Promise<void> {
    let found: CommandScripts;
    try {
      found = this.analyzer.withTree('bash', text, scriptRuns, this.config.analysisBudgetMs);
    } catch (e) {
      this.notes.push(`${parent.label}: the scripts it runs were not followed (${(e as Error).message})`);
      return;
    }
    const runFiles = new Set(found.runs.filter((r) => r.file !== undefined).map((r) => resolveScript(r.file!, dir, r.dir)));
    for (const w of found.written) {
      const file = resolveScript(w.file, dir, w.dir);
      // What the command also runs is judged as it runs; what it only writes, as a write.
      if (runFiles.has(file) || w.content === undefined) continue;
      await this.analyse({ label: this.rel(file), file, text: w.content, language: detectLanguage(file, w.content), runs: false, depth: parent.depth + 1 }, dir);
    }
    for (const run of found.runs) await this.followRun(parent, run, dir, found.written);
  }

  private async followRun(parent: Subject, run: ScriptRun, dir: string, written: WrittenFile[]): Promise<void> {
    const line = run.range.start.line + 1;
    const where = parent.label === 'the command' ? `the command (line ${line})` : `${parent.label}:${line}`;
    if (run.dynamic !== undefined) {
      this.notes.push(`${where} runs \`${clip(run.dynamic, 60)}\` with ${run.via}: Fang cannot tell what that is`);
      return;
    }
    if (run.code !== undefined) {
      await this.analyse({ label: `the code given to \`${run.via}\` in ${where}`, text: run.code, language: run.language, runs: true, depth: parent.depth + 1 }, dir);
      return;
    }
    const file = resolveScript(run.file!, dir, run.dir);
    if (this.seen.has(file)) return;
    this.seen.add(file);
    // The last write of the file before the run, in this same command, is what runs.
    const write = written.filter((w) => resolveScript(w.file, dir, w.dir) === file && before(w.range, run.range)).pop();
    let text: string | undefined = write?.content;
    if (write && text === undefined && write.copyOf === undefined) {
      const what = `${this.rel(file)} is written by ${write.by} in this command just before ${where} runs it; Fang cannot read what will run`;
      this.hits.push({ subject: parent, finding: incomplete(what), decision: 'ask', why: what });
      return;
    }
    if (text === undefined) {
      const source = write?.copyOf !== undefined ? resolveScript(write.copyOf, dir, write.dir) : file;
      const r = readText(source, this.config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
      if (!r.ok) {
        const what = `${this.rel(source)}, which ${where} runs${source !== file ? ` as ${this.rel(file)}` : ''}, ${r.message}`;
        // What runs but cannot be read is a question for a person; what does not exist cannot run.
        if (r.why === 'too-large' || r.why === 'unreadable') this.hits.push({ subject: parent, finding: incomplete(what), decision: 'ask', why: what });
        else this.notes.push(`${what}; not analysed`);
        return;
      }
      text = r.text;
    }
    await this.analyse({ label: this.rel(file), file, text, language: run.language ?? detectLanguage(file, text), runs: true, depth: parent.depth + 1 }, dir);
  }

  private verdict(): Verdict {
    const deny = this.hits.filter((h) => h.decision === 'deny');
    const ask = this.hits.filter((h) => h.decision === 'ask');
    const notes = this.notes.map((n) => clip(n, 300));
    if (deny.length) return { decision: 'deny', reason: `Fang blocked this: ${items(deny)}`, notes };
    if (this.guardChange) return { decision: 'ask', reason: `${this.guardChange}, which can switch Fang's hook off${ask.length ? `; ${items(ask)}` : ''}`, notes };
    if (ask.length) return { decision: 'ask', reason: items(ask), notes };
    return { decision: 'none', reason: '', notes };
  }

  private rel(file: string): string {
    const r = path.relative(this.cwd, file);
    return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
  }
}

function analysable(lang: string): lang is RuleLanguage {
  return languageById(lang) !== undefined;
}

function incomplete(message: string): Finding {
  const at = { line: 0, column: 0 };
  // A finding's message is a template (core/refs.ts): file names with braces are escaped.
  return { ruleId: 'analysis-incomplete', category: 'model-output-execution', severity: 'note', message: toTemplate(message).message, range: { start: at, end: at }, path: [], confidence: 'low' };
}

function before(a: Range, b: Range): boolean {
  return a.start.line < b.start.line || (a.start.line === b.start.line && a.start.column < b.start.column);
}

function touches(f: Finding, lines: Set<number>): boolean {
  const ranges = [f.range, ...f.path.map((s) => s.range)];
  return ranges.some((r) => {
    for (let l = r.start.line; l <= r.end.line; l++) if (lines.has(l)) return true;
    return false;
  });
}

function textOf(text: string, f: Finding): string {
  const lines = text.split('\n').slice(f.range.start.line, f.range.end.line + 1);
  if (lines.length === 0) return '';
  lines[lines.length - 1] = lines[lines.length - 1]!.slice(0, f.range.start.line === f.range.end.line ? f.range.end.column : f.range.end.column);
  lines[0] = lines[0]!.slice(f.range.start.column);
  return lines.join('\n');
}

function items(hits: Hit[]): string {
  const shown = hits.slice(0, ITEMS_IN_REASON).map((h) => {
    if (h.finding.ruleId === 'analysis-incomplete' && h.why) return clip(h.why, 240);
    const at = h.subject.label === 'the command' ? `the command, line ${h.finding.range.start.line + 1}` : `${h.subject.label}:${h.finding.range.start.line + 1}`;
    return `${at}: ${h.finding.ruleId} [${h.finding.category}] ${clip(h.why ? `${h.why}; ${renderMessage(h.finding)}` : renderMessage(h.finding), 240)}`;
  });
  const more = hits.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** One line of plain text: the analysed code must not shape what the agent or the user reads. */
function clip(s: string, max: number): string {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
