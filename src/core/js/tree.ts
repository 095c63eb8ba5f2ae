/** Small helpers over tree-sitter-javascript/typescript nodes; no analysis decisions here. */
import type { Node } from 'web-tree-sitter';
import { rangeOf } from '../tree-util';
import type { Range } from '../types';

export { rangeOf };

export function named(node: Node): Node[] {
  const out: Node[] = [];
  for (const c of node.namedChildren) if (c && c.type !== 'comment') out.push(c);
  return out;
}

export const FUNCTION_TYPES = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function', 'function'];
export const LOOP_TYPES = ['for_statement', 'for_in_statement', 'while_statement', 'do_statement'];
const WRAPPERS = ['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion'];

export const isFunction = (n: Node) => FUNCTION_TYPES.includes(n.type);

/** Strips parentheses and TypeScript-only wrappers: `(x as any)!` -> `x`. */
export function unwrap(node: Node): Node {
  let n = node;
  while (WRAPPERS.includes(n.type)) {
    const inner = n.namedChildren.find((c) => c && c.type !== 'comment' && !c.type.startsWith('type') && c.type !== 'predefined_type');
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** The text of a string literal: `'a'`, `"a"`, a template without substitutions. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') {
    return node.namedChildren.map((c) => (c?.type === 'escape_sequence' ? unescape(c.text) : (c?.text ?? ''))).join('');
  }
  if (node.type === 'template_string' && !node.namedChildren.some((c) => c?.type === 'template_substitution')) {
    return node.namedChildren.map((c) => (c?.type === 'escape_sequence' ? unescape(c.text) : (c?.text ?? ''))).join('');
  }
  return undefined;
}

function unescape(s: string): string {
  return ({ '\\n': '\n', '\\t': '\t', '\\"': '"', "\\'": "'", '\\\\': '\\' } as Record<string, string>)[s] ?? s.slice(1);
}

/** The nearest enclosing function, or undefined at the top level. */
export function enclosingFunction(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunction(p)) return p;
  return undefined;
}

/** Loops around `node` inside its own function, innermost first. */
export function enclosingLoops(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p && !isFunction(p); p = p.parent) if (LOOP_TYPES.includes(p.type)) out.push(p);
  return out;
}

export function within(inner: Range, outer: Node): boolean {
  const s = outer.startPosition;
  const e = outer.endPosition;
  const a = inner.start;
  if (a.line < s.row || (a.line === s.row && a.column < s.column)) return false;
  if (a.line > e.row || (a.line === e.row && a.column > e.column)) return false;
  return true;
}

/** The name a function is known by: its own name, or the variable/property it is assigned to. */
export function functionName(fn: Node): string | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own.text;
  const p = fn.parent;
  if (p?.type === 'variable_declarator') return p.childForFieldName('name')?.text;
  if (p?.type === 'assignment_expression') return p.childForFieldName('left')?.text;
  if (p?.type === 'pair') return p.childForFieldName('key')?.text;
  return undefined;
}

/** `a.b.c` for a member chain of identifiers, else the text cut to a readable length. */
export function calleeLabel(node: Node): string {
  if (node.endIndex - node.startIndex > 400) return isFunction(unwrap(node)) ? 'function' : `${node.text.slice(0, 45).replace(/\s+/g, '')}...`;
  const t = node.text.replace(/^await\s+/, '').replace(/\s+/g, '');
  return t.length > 48 ? `${t.slice(0, 45)}...` : t;
}
