/** Small helpers over tree-sitter-python nodes; no analysis decisions here. */
import type { Node } from 'web-tree-sitter';
import { fileOfNode, rangeOf } from '../tree-util';
import type { Range } from '../types';

export { rangeOf };

export function named(node: Node): Node[] {
  const out: Node[] = [];
  for (const c of node.namedChildren) if (c && c.type !== 'comment') out.push(c);
  return out;
}

export const FUNCTION_TYPES = ['function_definition', 'lambda'];
export const LOOP_TYPES = ['for_statement', 'while_statement'];
export const isFunction = (n: Node) => FUNCTION_TYPES.includes(n.type);

/** Strips parentheses: `((x))` -> `x`. */
export function unwrap(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = named(n)[0];
    if (!inner) break;
    n = inner;
  }
  return n;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

export function unescapePy(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.|\n)/g, (m, e: string) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e) && e !== '0') return String.fromCharCode(parseInt(e, 8));
    return ESCAPES[e] ?? m;
  });
}

/** The prefix letters of a string literal (`f`, `rb`, ...), lower case. */
export function stringPrefix(node: Node): string {
  const start = node.child(0);
  return start?.type === 'string_start' ? start.text.replace(/['"]+$/, '').toLowerCase() : '';
}

/** The text of a string literal without interpolations: `'a'`, `r"\d"`, `"""doc"""`, `'a' 'b'`. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const c of named(node)) {
      const s = stringValue(c);
      if (s === undefined) return undefined;
      out += s;
    }
    return out;
  }
  if (node.type !== 'string') return undefined;
  const raw = stringPrefix(node).includes('r');
  let out = '';
  for (const c of named(node)) {
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') out += raw ? c.text : unescapePy(c.text);
  }
  return out;
}

/** The nearest enclosing function, or undefined at the top level. */
export function enclosingFunction(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunction(p)) return p;
  return undefined;
}

/** Whether a range lies inside a node, in the same file (a project's ranges say which file). */
export function within(inner: Range, outer: Node): boolean {
  if (inner.file !== fileOfNode(outer)) return false;
  const s = outer.startPosition;
  const e = outer.endPosition;
  const a = inner.start;
  if (a.line < s.row || (a.line === s.row && a.column < s.column)) return false;
  if (a.line > e.row || (a.line === e.row && a.column > e.column)) return false;
  return true;
}

/** The name a function is known by: its own name, or the variable it is assigned to (lambdas). */
export function functionName(fn: Node): string | undefined {
  const own = fn.type === 'function_definition' ? fn.childForFieldName('name') : null;
  if (own) return own.text;
  const p = fn.parent;
  if (p?.type === 'assignment') return p.childForFieldName('left')?.text;
  if (p?.type === 'keyword_argument') return p.childForFieldName('name')?.text;
  return undefined;
}

/** `a.b.c` for a chain of names, else the text cut to a readable length. */
export function calleeLabel(node: Node): string {
  if (node.endIndex - node.startIndex > 400) return isFunction(unwrap(node)) ? 'function' : `${node.text.slice(0, 45).replace(/\s+/g, '')}...`;
  const t = node.text.replace(/^await\s+/, '').replace(/\s+/g, '');
  return t.length > 48 ? `${t.slice(0, 45)}...` : t;
}

/** `if __name__ == "__main__":`, which every run of the program as a script takes. */
export function isMainGuard(ifStmt: Node): boolean {
  if (ifStmt.type !== 'if_statement') return false;
  const c = ifStmt.childForFieldName('condition')?.text.replace(/\s+/g, '').replace(/'/g, '"');
  return c === '__name__=="__main__"' || c === '"__main__"==__name__';
}

/** The class a method is defined in (through decorators), if any. */
export function classOfMethod(fn: Node): Node | undefined {
  let p = fn.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  if (p?.type === 'block') p = p.parent;
  return p?.type === 'class_definition' ? p : undefined;
}

/** Decorators of a function or class definition, as written. */
export function decoratorsOf(def: Node): Node[] {
  const p = def.parent;
  if (p?.type !== 'decorated_definition') return [];
  return named(p).filter((c) => c.type === 'decorator');
}
