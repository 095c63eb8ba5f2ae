/** `fang-ignore-next-line <rule-id>[, <rule-id>] -- reason` and `fang-ignore-file <rule-id> -- reason`. */
import type { Tree } from 'web-tree-sitter';
import type { Finding, Range, SuppressedFinding } from './types';

export interface Suppression {
  scope: 'next-line' | 'file';
  ids: string[];
  reason: string | undefined;
  range: Range;
  /** For next-line: the 0-based line it applies to. */
  target: number;
}

const DIRECTIVE = /^(?:#|\/\/|\/\*)\s*fang-ignore-(next-line|file)\b([^]*?)(?:\*\/)?\s*$/;

const parsed = new WeakMap<Tree, Suppression[]>();

/** The suppression comments of a file, read once per tree (the analyzer and a rule both ask). */
export function parseSuppressions(tree: Tree, text: string): Suppression[] {
  if (!text.includes('fang-ignore-')) return [];
  let out = parsed.get(tree);
  if (!out) {
    out = readSuppressions(tree, text);
    parsed.set(tree, out);
  }
  return out;
}

function readSuppressions(tree: Tree, text: string): Suppression[] {
  const lines = text.split('\n');
  const out: Suppression[] = [];
  for (const c of tree.rootNode.descendantsOfType('comment')) {
    if (!c) continue;
    const m = DIRECTIVE.exec(c.text.trim());
    if (!m) continue;
    const [idsPart, ...reasonParts] = m[2]!.split(/\s--\s?|^--\s?/);
    const reason = reasonParts.join(' -- ').trim() || undefined;
    const ids = (idsPart ?? '').split(/[\s,]+/).filter(Boolean);
    let target = c.endPosition.row + 1;
    while (target < lines.length && /^\s*(#|\/\/|$)/.test(lines[target] ?? '')) target++;
    out.push({
      scope: m[1] as Suppression['scope'],
      ids,
      reason,
      range: { start: { line: c.startPosition.row, column: c.startPosition.column }, end: { line: c.endPosition.row, column: c.endPosition.column } },
      target,
    });
  }
  return out;
}

/**
 * Splits findings into those that stand and those a suppression comment covers. Suppressed
 * findings are kept, with the comment that suppressed them: outputs show them on request (SARIF
 * always, as `suppressions`), and the paste guard ignores a comment that came with the code.
 * A suppression without a reason still suppresses (and is reported).
 */
export function applySuppressions(findings: Finding[], sups: Suppression[]): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  if (sups.length === 0) return { kept: findings, suppressed: [] };
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const s = f.ruleId === 'suppression-without-reason' ? undefined : sups.find((x) => (x.ids.length === 0 || x.ids.includes(f.ruleId) || x.ids.includes('*')) && (x.scope === 'file' || x.target === f.range.start.line));
    if (s) suppressed.push({ ...f, suppression: { scope: s.scope, reason: s.reason, range: s.range } });
    else kept.push(f);
  }
  return { kept, suppressed };
}
