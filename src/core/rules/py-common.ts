/** Shared helpers for the Python rules: turning dataflow results into findings, loops and guards. */
import type { Node } from 'web-tree-sitter';
import type { RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import type { PyEffect, PyEffectKind } from '../python/results';
import { functionName, isFunction, isMainGuard, LOOP_TYPES, named, rangeOf } from '../python/tree';
import type { PyModelCall, Taint } from '../python/values';
import type { PathStep, Range } from '../types';
import { guardOfEffect, type Confirmation } from './py-guard';

import { line, lineRef } from './where';

export { line, lineRef };

export function pickTaint(ts: readonly Taint[]): Taint | undefined {
  return ts.find((t) => t.origin.kind === 'model' && t.origin.call?.confidence === 'high') ?? ts.find((t) => t.origin.kind === 'model') ?? ts[0];
}

/** Where the text came from; `at`: the finding's own place (a place in another file of the project names that file). */
export function describeOrigin(t: Taint, at?: Range): string {
  const where = lineRef(t.origin.range, at);
  if (t.origin.kind === 'self') return `the program's own path ${t.origin.label} (${where})`;
  if (t.origin.kind === 'hosts') return `${t.origin.label} (${where})`;
  return `output of ${t.origin.label} (${where})`;
}

export function pathTo(t: Taint, end: Range, message: string): PathStep[] {
  const first = { range: t.origin.range, message: t.origin.kind === 'model' ? `${t.origin.label} called here: model output produced` : `${t.origin.label} here` };
  return [first, ...t.steps, { range: end, message }];
}

export const lowConfidenceNote = (t: Taint) => (t.origin.call?.confidence === 'low' ? '; the model call is inferred from its name (lower confidence)' : '');

export function othersNote(ts: readonly Taint[]): string {
  return ts.length > 1 ? ` (and ${ts.length - 1} other source${ts.length > 2 ? 's' : ''})` : '';
}

export function effectFindings(
  facts: PyFacts,
  kinds: PyEffectKind[],
  verb: (e: PyEffect, t: Taint) => string,
  endStep: (e: PyEffect) => string,
  opts: { confirmations?: boolean } = {},
): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of facts.flow.effects) {
    if (!kinds.includes(e.kind)) continue;
    const t = pickTaint(e.taint);
    if (!t) continue;
    const path = pathTo(t, e.range, endStep(e));
    // Behind a confirmation: still execution of model output, one "y" away, at a lower severity.
    const guard = opts.confirmations ? guardOfEffect(facts, e) : {};
    const c = guard.confirmation;
    if (c) path.splice(path.length - 1, 0, { range: c.range, message: `the user is asked to confirm here${c.skippedBy ? ` (${c.skippedBy} skips it)` : ''}` });
    const note = c ? confirmationNote(c, e.range) : guard.flagBranch ? `, without a confirmation: this branch is taken when ${guard.flagBranch} is set, which skips the question` : '';
    out.push({
      range: e.range,
      message: `${verb(e, t)}${othersNote(e.taint)}${lowConfidenceNote(t)}${note}`,
      path,
      confidence: t.origin.call?.confidence ?? 'high',
      ...(c ? { severity: 'warning' as const } : {}),
    });
  }
  return out;
}

/** ", only after a confirmation (`input(...)`, line 46), which the flag `-y/--yes` skips". */
export function confirmationNote(g: Confirmation, at: Range): string {
  return `, only after a confirmation (${g.label}, ${lineRef(g.range, at)})${g.skippedBy ? `, which ${g.skippedBy} skips` : ''}`;
}

export function callFindings(facts: PyFacts, kind: PyModelCall['kind'], what: (c: PyModelCall) => string): RawFinding[] {
  return facts.flow.modelCalls.filter((c) => c.kind === kind).map((c) => ({ range: c.range, message: what(c), path: [], confidence: c.confidence }));
}

/** The places where `fn` calls itself: `name(...)`, `self.name(...)`, `cls.name(...)`. */
export function selfReferences(fn: Node): Node[] {
  const name = functionName(fn);
  const body = fn.childForFieldName('body');
  if (!name || !body || !body.text.includes(name)) return [];
  const out: Node[] = [];
  for (const c of body.descendantsOfType('call')) {
    const t = c?.childForFieldName('function')?.text ?? '';
    if (c && (t === name || t === `self.${name}` || t === `cls.${name}` || t === `await ${name}`)) out.push(c);
  }
  return out;
}

/** Loop-like places around a node: loops and recursive functions, innermost first. */
export function repeatingContexts(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (LOOP_TYPES.includes(p.type)) out.push(p);
    else if (isFunction(p) && selfReferences(p).length > 0) out.push(p);
  }
  return out;
}

/** `while True`, `while 1`, `for _ in itertools.count()`, and functions that always call themselves again. */
export function isUnboundedLoop(n: Node): boolean {
  if (isFunction(n)) {
    const refs = selfReferences(n);
    return refs.length > 0 && refs.every((r) => !isConditional(r, n)) && !hasGuardedExit(n);
  }
  if (n.type === 'while_statement') {
    const c = n.childForFieldName('condition')?.text.replace(/[()\s]/g, '');
    return c === 'True' || c === '1' || c === 'notFalse';
  }
  if (n.type === 'for_statement') {
    const r = n.childForFieldName('right')?.text.replace(/\s+/g, '') ?? '';
    return /^(itertools\.)?(count|cycle|repeat)\([^,]*\)$/.test(r) || /^iter\(int,1\)$/.test(r);
  }
  return false;
}

/** A `break`, `return`, `raise` or `sys.exit()` that ends the loop (not one inside a nested function or loop). */
export function loopHasExit(loop: Node): boolean {
  const body = loop.childForFieldName('body');
  if (!body || isFunction(loop)) return false;
  const visit = (n: Node): boolean => {
    if (n.type === 'break_statement' || n.type === 'return_statement' || n.type === 'raise_statement') return true;
    if (n.type === 'call' && /^(sys\.exit|exit|quit|os\._exit)$/.test(n.childForFieldName('function')?.text ?? '')) return true;
    if (isFunction(n) || (LOOP_TYPES.includes(n.type) && n !== body) || n.type === 'class_definition') return false;
    return named(n).some(visit);
  };
  return visit(body);
}

/** The place a finding about a loop points at: its keyword, or the function's name. */
export function headRange(n: Node): Range {
  if (isFunction(n)) return rangeOf(n.childForFieldName('name') ?? n);
  const first = n.child(0);
  return rangeOf(first?.type === 'async' ? (n.child(1) ?? n) : (first ?? n));
}

export function describeContext(n: Node): string {
  if (isFunction(n)) return `the recursive function \`${functionName(n)}()\``;
  return 'each iteration of this loop';
}

/** Inside an `if` (not `if __name__ == "__main__":`), a conditional expression, `and`/`or`, an `except` or a `case`, below `stop`. */
export function isConditional(node: Node, stop?: Node): boolean {
  for (let c = node, p = node.parent; p && p !== stop; c = p, p = p.parent) {
    if (p.type === 'if_statement' && p.childForFieldName('condition')?.id !== c.id && !isMainGuard(p)) return true;
    if (p.type === 'elif_clause' || p.type === 'else_clause' && p.parent?.type === 'if_statement') return true;
    if (p.type === 'except_clause' || p.type === 'case_clause') return true;
    if (p.type === 'conditional_expression' && named(p)[1]?.id !== c.id) return true;
    if (p.type === 'boolean_operator' && p.childForFieldName('right')?.id === c.id) return true;
  }
  return false;
}

/** `if ...: return` (or raise) in the function's own body: a stop condition for its recursion. */
function hasGuardedExit(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const visit = (n: Node, guarded: boolean): boolean => {
    if ((n.type === 'return_statement' || n.type === 'raise_statement') && guarded) return true;
    if (isFunction(n) && n !== fn) return false;
    const g = guarded || n.type === 'if_statement' || n.type === 'case_clause' || n.type === 'except_clause';
    return named(n).some((c) => visit(c, g));
  };
  return visit(body, false);
}
