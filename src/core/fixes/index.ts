/**
 * Quick fixes for findings, computed from the syntax tree and proven by parsing their result
 * (rewrite.ts). Positions in and out are the document's: a Markdown fence is rewritten inside
 * its own code, and only where the fence's lines map one to one onto the code (no indentation
 * or console prompts stripped).
 */
import type { Tree } from 'web-tree-sitter';
import type { Grammars } from '../parser';
import { extractFences } from '../markdown';
import type { Category, DocumentLanguage, Position, Range, RuleLanguage } from '../types';
import { bashCapRewrite } from './bash-cap';
import { confirmRewrite } from './bash-confirm';
import { jsCapRewrite } from './js-cap';
import { applyEdits, disproof, type Rewrite } from './rewrite';

export { ITERATION_CAP } from './bash-cap';

/** What a fix needs to know of a finding. */
export interface FixTarget {
  ruleId: string;
  category: Category;
  range: Range;
  /** The dataflow path's first step: where the model output comes from. */
  source?: Range;
}

/** A finding as a fix target: the dataflow path starts at the model call. */
export function fixTarget(f: { ruleId: string; category: Category; range: Range; path: ReadonlyArray<{ range: Range }> }): FixTarget {
  return { ruleId: f.ruleId, category: f.category, range: f.range, ...(f.path[0] ? { source: f.path[0].range } : {}) };
}

export interface FixEdit {
  range: Range;
  text: string;
}

export interface FixProposal {
  title: string;
  edits: FixEdit[];
}

/** A rewrite was built but its result did not parse as planned; kept for logs and tests. */
export interface RejectedFix {
  title: string;
  reason: string;
}

const BUDGET_MS = 500;

function offsetOf(lineStarts: readonly number[], p: Position): number {
  return (lineStarts[p.line] ?? lineStarts[lineStarts.length - 1]!) + p.column;
}

function lineStartsOf(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function positionOf(lineStarts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - lineStarts[lo]! };
}

function rewritesFor(tree: Tree, code: string, lang: RuleLanguage, t: FixTarget, at: (p: Position) => number): Rewrite[] {
  const start = at(t.range.start);
  const out: Array<Rewrite | undefined> = [];
  if (lang === 'bash') {
    if (t.category === 'model-output-execution') out.push(confirmRewrite(tree, code, start, at(t.range.end), t.source ? at(t.source.start) : undefined));
    if (t.category === 'recursive-spawning') out.push(bashCapRewrite(tree, code, start));
  } else if (t.category === 'recursive-spawning') {
    out.push(jsCapRewrite(tree, code, start));
  }
  return out.filter((r): r is Rewrite => !!r);
}

/** Whether any rewrite exists for this kind of finding (callers skip asking otherwise). */
export function mayHaveFixes(category: Category): boolean {
  return category === 'model-output-execution' || category === 'recursive-spawning';
}

/**
 * The fixes for one finding in a document (or a fence of it), each checked: the rewritten code
 * is parsed and every inserted piece must be the node it was built as. `rejected` collects the
 * rewrites that failed that check.
 */
export function proposeFixes(
  grammars: Grammars,
  text: string,
  language: DocumentLanguage,
  target: FixTarget,
  rejected: RejectedFix[] = [],
): FixProposal[] {
  let code = text;
  let lang: RuleLanguage;
  let firstLine = 0;
  if (language === 'markdown') {
    const line = target.range.start.line;
    const fence = extractFences(text).find((f) => f.startLine <= line && line < f.startLine + f.columnOffsets.length);
    if (!fence || fence.columnOffsets.some((o) => o !== 0)) return [];
    code = fence.code;
    lang = fence.language;
    firstLine = fence.startLine;
  } else {
    lang = language;
  }
  if (!grammars.has(lang)) return [];
  const starts = lineStartsOf(code);
  const at = (p: Position) => offsetOf(starts, { line: p.line - firstLine, column: p.column });
  const local = (o: number): Position => {
    const p = positionOf(starts, o);
    return { line: p.line + firstLine, column: p.column };
  };
  const tree = grammars.parse(lang, code, BUDGET_MS);
  try {
    const out: FixProposal[] = [];
    for (const r of rewritesFor(tree, code, lang, target, at)) {
      const applied = applyEdits(code, r.edits);
      const after = grammars.parse(lang, applied.text, BUDGET_MS);
      try {
        const why = disproof(tree, after, r, applied.starts);
        if (why) {
          rejected.push({ title: r.title, reason: why });
          continue;
        }
      } finally {
        after.delete();
      }
      out.push({ title: r.title, edits: r.edits.map((e) => ({ range: { start: local(e.start), end: local(e.end) }, text: e.text })) });
    }
    return out;
  } finally {
    tree.delete();
  }
}

/** The text with a proposal's edits applied (document positions). */
export function applyFix(text: string, fix: FixProposal): string {
  const starts = lineStartsOf(text);
  return applyEdits(text, fix.edits.map((e) => ({ start: offsetOf(starts, e.range.start), end: offsetOf(starts, e.range.end), text: e.text }))).text;
}
