/** Shared helpers for the JavaScript/TypeScript rules: turning dataflow results into findings. */
import type { Node } from 'web-tree-sitter';
import type { RawFinding } from '../rule';
import type { JsFacts } from '../js/facts';
import type { JsEffectKind, JsEffect } from '../js/results';
import type { JsModelCall, Taint } from '../js/taint';
import { LOOP_TYPES, isFunction, functionName, named, rangeOf } from '../js/tree';
import type { PathStep, Range } from '../types';
import { guardOfEffect } from './js-guard';
import { line, lineRef } from './where';

export { line };


export function pickTaint(ts: readonly Taint[]): Taint | undefined {
  return ts.find((t) => t.origin.kind === 'model' && t.origin.call?.confidence === 'high') ?? ts.find((t) => t.origin.kind === 'model') ?? ts[0];
}

export function describeOrigin(t: Taint, at?: Range): string {
  if (t.origin.kind === 'self') return `the program's own path ${t.origin.label} (${lineRef(t.origin.range, at)})`;
  if (t.origin.tool) return `the arguments a model chooses for ${t.origin.tool} (${lineRef(t.origin.range, at)})`;
  return `output of ${t.origin.label} (${lineRef(t.origin.range, at)})`;
}

export function pathTo(t: Taint, end: Range, message: string): PathStep[] {
  const first = t.origin.tool
    ? { range: t.origin.range, message: `${t.origin.tool} is handed to a model here: the model chooses its arguments` }
    : { range: t.origin.range, message: `${t.origin.label} called here: model output produced` };
  const steps = t.origin.tool ? [first, ...t.steps.filter((s, i) => i > 0 || s.range.start.line !== first.range.start.line)] : [first, ...t.steps];
  steps.push({ range: end, message });
  return steps;
}

export const lowConfidenceNote = (t: Taint) =>
  t.origin.call?.confidence === 'low' ? '; the model call is inferred from its name (lower confidence)' : '';

export function othersNote(ts: readonly Taint[]): string {
  return ts.length > 1 ? ` (and ${ts.length - 1} other source${ts.length > 2 ? 's' : ''})` : '';
}

export function effectFindings(
  facts: JsFacts,
  kind: JsEffectKind,
  verb: (e: JsEffect, t: Taint) => string,
  endStep: (e: JsEffect) => string,
  keep: (e: JsEffect, t: Taint) => boolean = () => true,
  opts: { confirmations?: boolean } = {},
): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of facts.flow.effects) {
    if (e.kind !== kind) continue;
    const t = pickTaint(e.taint.filter((x) => keep(e, x)));
    if (!t) continue;
    const path = pathTo(t, e.range, endStep(e));
    // Behind a confirmation: still execution of model output, one "y" away, at a lower severity.
    const guard = opts.confirmations ? guardOfEffect(facts, e) : {};
    const c = guard.confirmation;
    if (c) path.splice(path.length - 1, 0, { range: c.range, message: `the user is asked to confirm here${c.skippedBy ? ` (${c.skippedBy} skips it)` : ''}` });
    const note = c
      ? `, only after a confirmation (${c.label}, ${lineRef(c.range, e.range)})${c.skippedBy ? `, which ${c.skippedBy} skips` : ''}`
      : guard.flagBranch
        ? `, without a confirmation: this branch is taken when ${guard.flagBranch} is set, which skips the question`
        : '';
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

export function callFindings(facts: JsFacts, kind: JsModelCall['kind'], what: (c: JsModelCall) => string): RawFinding[] {
  return facts.flow.modelCalls
    .filter((c) => c.kind === kind && !c.approvalsOff)
    .map((c) => ({ range: c.range, message: what(c), path: throughPath(c), confidence: c.confidence }));
}

/** Calls of `setInterval` (and friends) whose callback is `fn`: a loop without a condition. */
export function intervalCallOf(fn: Node): Node | undefined {
  const args = fn.parent;
  const call = args?.type === 'arguments' ? args.parent : undefined;
  const callee = call?.childForFieldName('function')?.text;
  return call && callee && /^(setInterval|setImmediate|timers\.setInterval)$/.test(callee) ? call : undefined;
}

/** `bus.on('task', fn)` where `fn` emits 'task' again: an event loop that feeds itself. */
export function selfEmittingHandler(fn: Node): Node | undefined {
  const args = fn.parent;
  const call = args?.type === 'arguments' ? args.parent : undefined;
  const callee = call?.childForFieldName('function');
  if (!call || callee?.type !== 'member_expression' || !/^(on|once|addListener|addEventListener)$/.test(callee.childForFieldName('property')?.text ?? '')) return undefined;
  const event = args!.namedChildren[0];
  if (!event || event.type !== 'string') return undefined;
  const body = fn.childForFieldName('body');
  const emits = body?.descendantsOfType('call_expression').some((c) => {
    const f = c?.childForFieldName('function');
    return f?.type === 'member_expression' && /^(emit|dispatchEvent)$/.test(f.childForFieldName('property')?.text ?? '') && c!.childForFieldName('arguments')?.namedChildren[0]?.text === event.text;
  });
  return emits ? call : undefined;
}

/** Does `fn` call itself (by name, `this.name(...)`, or by passing itself to `setTimeout`/`.then`)? */
export function isRecursive(fn: Node): boolean {
  return selfReferences(fn).length > 0;
}

/** Per tree, per function node: read once (every effect asks about every function around it). */
const selfRefCache = new WeakMap<object, Map<number, Node[]>>();

/** The places where `fn` calls itself or hands itself on to be called again. */
export function selfReferences(fn: Node): Node[] {
  let perTree = selfRefCache.get(fn.tree);
  if (!perTree) selfRefCache.set(fn.tree, (perTree = new Map()));
  let refs = perTree.get(fn.id);
  if (!refs) perTree.set(fn.id, (refs = findSelfReferences(fn)));
  return refs;
}

function findSelfReferences(fn: Node): Node[] {
  const name = functionName(fn);
  const body = fn.childForFieldName('body');
  if (!name || !body) return [];
  const bare = name.replace(/^.*\./, '');
  if (!body.text.includes(bare)) return [];
  const out: Node[] = [];
  for (const c of body.descendantsOfType(['call_expression', 'identifier'])) {
    if (!c) continue;
    if (c.type === 'call_expression') {
      const f = c.childForFieldName('function');
      const t = f?.text ?? '';
      if (t === bare || t === name || t === `this.${bare}`) out.push(c);
    } else if (c.text === bare && c.parent?.type === 'arguments') out.push(c);
  }
  return out;
}

/** Loop-like places around a node: loops, `setInterval` callbacks and recursive functions, innermost first. */
export function repeatingContexts(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (LOOP_TYPES.includes(p.type)) out.push(p);
    else if (isFunction(p)) {
      const iv = intervalCallOf(p) ?? selfEmittingHandler(p);
      if (iv) out.push(iv);
      else if (isRecursive(p)) out.push(p);
    }
  }
  return out;
}

/** `while (true)`, `for (;;)`, `do ... while (1)`, `setInterval` callbacks, and functions that always call themselves again. */
export function isUnboundedLoop(n: Node): boolean {
  if (n.type === 'call_expression') return true;
  if (isFunction(n)) {
    const refs = selfReferences(n);
    return refs.length > 0 && refs.every((r) => !isConditional(r, n)) && !hasGuardedExit(n);
  }
  if (n.type === 'for_statement') return !n.childForFieldName('condition') || /^\s*;?\s*$/.test(n.childForFieldName('condition')?.text ?? '');
  if (n.type === 'while_statement' || n.type === 'do_statement') {
    const c = n.childForFieldName('condition')?.text.replace(/[()\s]/g, '');
    return c === 'true' || c === '1' || c === '!0';
  }
  return false;
}

/** A `break`, `return` or `throw` that ends the loop (not one inside a nested function or loop). */
export function loopHasExit(loop: Node): boolean {
  const body = loop.type === 'call_expression' ? undefined : loop.childForFieldName('body');
  if (!body) return false;
  const visit = (n: Node): boolean => {
    if (n.type === 'break_statement' || n.type === 'return_statement' || n.type === 'throw_statement') return true;
    if (isFunction(n) || (LOOP_TYPES.includes(n.type) && n !== body) || n.type === 'switch_statement') return false;
    return named(n).some(visit);
  };
  return visit(body);
}

/** The place a finding about a loop points at: the keyword of the loop, or the function's name. */
export function headRange(n: Node): Range {
  if (isFunction(n)) return rangeOf(n.childForFieldName('name') ?? n);
  if (n.type === 'call_expression') return rangeOf(n);
  return rangeOf(n.child(0) ?? n);
}

export function describeContext(n: Node): string {
  if (n.type === 'call_expression') {
    const f = n.childForFieldName('function');
    const ev = n.childForFieldName('arguments')?.namedChildren[0];
    if (f?.type === 'member_expression' && ev?.type === 'string') return `the ${ev.text} handler, which emits ${ev.text} again,`;
    return `the \`${f?.text}\` callback`;
  }
  if (isFunction(n)) return `the recursive function \`${functionName(n)}()\``;
  return 'each iteration of this loop';
}

/** Inside an `if`, a ternary, `&&`/`||`, a `case` or a `catch`, below `stop` (exclusive). */
export function isConditional(node: Node, stop?: Node): boolean {
  for (let c = node, p = node.parent; p && p !== stop; c = p, p = p.parent) {
    if (p.type === 'if_statement' && p.childForFieldName('condition')?.id !== c.id) return true;
    if (p.type === 'else_clause' || p.type === 'switch_case' || p.type === 'catch_clause') return true;
    if (p.type === 'ternary_expression' && p.childForFieldName('condition')?.id !== c.id) return true;
    if (p.type === 'binary_expression' && /^(&&|\|\||\?\?)$/.test(p.childForFieldName('operator')?.text ?? '') && p.childForFieldName('right')?.id === c.id) return true;
  }
  return false;
}

/** `if (...) return;` (or throw) in the function's own body: a stop condition for its recursion. */
function hasGuardedExit(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body || body.type !== 'statement_block') return false;
  const visit = (n: Node, guarded: boolean): boolean => {
    if ((n.type === 'return_statement' || n.type === 'throw_statement') && guarded) return true;
    if (isFunction(n)) return false;
    const g = guarded || n.type === 'if_statement' || n.type === 'switch_case' || n.type === 'catch_clause';
    return named(n).some((c) => visit(c, g));
  };
  return visit(body, false);
}

/** A model call reported at a wrapper's call site: the path goes into the wrapper, to the call that starts the model. */
export function throughPath(c: JsModelCall): PathStep[] {
  return c.through ? [{ range: c.range, message: `${c.label} hands its command or URL on here` }, c.through] : [];
}
