/** Small helpers over tree-sitter-bash nodes; no analysis decisions here. */
import type { Node } from 'web-tree-sitter';
import { rangeOf } from '../tree-util';

export { rangeOf };

/** The static text of a word when it has no expansions: `'a b'` -> `a b`, `"x"` -> `x`. */
export function literalText(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'word':
    case 'number':
      return node.text.replace(/\\(.)/g, '$1');
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'ansi_c_string':
      return node.text.slice(2, -1);
    case 'string': {
      let out = '';
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.type !== 'string_content') return undefined;
        out += c.text;
      }
      return out;
    }
    case 'concatenation': {
      let out = '';
      for (const c of node.namedChildren) {
        const t = literalText(c);
        if (t === undefined) return undefined;
        out += t;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Text with the outer quotes removed, expansions kept as written: `"$DIR/x.sh"` -> `$DIR/x.sh`. */
export function unquoted(node: Node): string {
  const t = node.text;
  if ((node.type === 'string' || node.type === 'raw_string') && t.length >= 2) return t.slice(1, -1);
  return t;
}

/** All at once: `namedChild(i)` walks from the first child, so a loop over it is quadratic in wide nodes. */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

export function children(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null);
}

/** The words after the command name, without redirects and prefix assignments. */
export function commandArgs(cmd: Node): Node[] {
  return cmd.childrenForFieldName('argument').filter((n): n is Node => n !== null);
}

export function commandNameNode(cmd: Node): Node | null {
  const n = cmd.childForFieldName('name');
  return n ? (n.namedChild(0) ?? n) : null;
}

/** True when the statement is followed by `&` (run in the background). */
export function isBackgrounded(stmt: Node): boolean {
  let n: Node | null = stmt;
  // a command inside a pipeline or redirected statement is backgrounded with its container
  while (n) {
    const next = n.nextSibling;
    if (next && next.type === '&') return true;
    const p: Node | null = n.parent;
    if (!p || !['pipeline', 'redirected_statement', 'negated_command'].includes(p.type)) return false;
    n = p;
  }
  return false;
}

export const LOOP_TYPES = new Set(['while_statement', 'for_statement', 'c_style_for_statement']);

/** Loop statements enclosing `node`, innermost first, up to (not including) a function body. */
export function enclosingLoops(node: Node, stopAtFunction = true): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (stopAtFunction && p.type === 'function_definition') break;
    if (LOOP_TYPES.has(p.type)) out.push(p);
  }
  return out;
}

export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/** True when the loop has no bound of its own: `while true`, `while :`, `until false`, `for ((;;))`. */
export function isUnboundedLoop(loop: Node): boolean {
  if (loop.type === 'c_style_for_statement') {
    const cond = loop.childForFieldName('condition');
    return !cond;
  }
  if (loop.type !== 'while_statement') return false;
  const isUntil = loop.child(0)?.type === 'until';
  const conds = loop.childrenForFieldName('condition').filter((c): c is Node => !!c && c.isNamed);
  const last = conds[conds.length - 1];
  if (!last) return false;
  const t = last.text.trim();
  if (isUntil) return t === 'false' || t === '/bin/false';
  return ['true', ':', '/bin/true', '[ 1 ]', '((1))', '(( 1 ))', '[[ 1 ]]'].includes(t);
}

/**
 * A loop whose number of turns nothing in the script bounds: `while true`, `for ((;;))`, and loops
 * that run until some command succeeds (`until npm test; do`, `while ! make; do`), which may be never.
 */
export function isOpenEndedLoop(loop: Node): boolean {
  if (isUnboundedLoop(loop)) return true;
  if (loop.type !== 'while_statement') return false;
  const isUntil = loop.child(0)?.type === 'until';
  const conds = loop.childrenForFieldName('condition').filter((c): c is Node => !!c && c.isNamed);
  const last = conds[conds.length - 1];
  if (!last) return false;
  const inner = last.type === 'negated_command' ? last.namedChild(0) : last;
  const testing = (n: Node | null | undefined) => !n || n.type === 'test_command' || /^(\[|\[\[|test|\(\()/.test(n.text.trim());
  // `until CMD` and `while ! CMD` wait for a command to succeed; counters and tests are bounds
  if (isUntil) return !testing(last) && last.type !== 'negated_command';
  return last.type === 'negated_command' && !testing(inner);
}

/** Nearest ancestor that makes running `node` conditional: if/case/elif, `a && b`, `a || b`. */
export function isConditional(node: Node, stopAt?: Node | null): boolean {
  let child: Node = node;
  for (let p = node.parent; p && p !== stopAt; child = p, p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'case_item' || p.type === 'elif_clause' || p.type === 'else_clause') return true;
    if (p.type === 'list') {
      // in `a && b` only b is conditional on a
      if (p.namedChild(0)?.id !== child.id) return true;
    }
    if (p.type === 'function_definition') return false;
  }
  return false;
}
