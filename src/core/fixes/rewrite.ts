/**
 * A rewrite of a snippet and its proof: the edits, and the nodes each inserted piece must become
 * when the result is parsed. A rewrite whose result does not parse that way (a piece that lands
 * inside a string, a comment or a heredoc, a new syntax error) is never offered.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { collectErrors } from '../tree-util';

/** Offsets are UTF-16 code units of the analysed code. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A piece of an edit's new text that must parse as one node of one of these types. */
export interface Expectation {
  edit: number;
  /** Offset and length inside the edit's text. */
  offset: number;
  length: number;
  types: readonly string[];
}

export interface Rewrite {
  title: string;
  edits: TextEdit[];
  expect: Expectation[];
}

/** Applies non-overlapping edits; returns the new text and where each edit's text went. */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; starts: number[] } {
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    if (order[k]!.e.start < order[k - 1]!.e.end) throw new Error('overlapping edits');
  }
  const starts: number[] = new Array<number>(edits.length);
  let out = '';
  let pos = 0;
  for (const { e, i } of order) {
    out += text.slice(pos, e.start);
    starts[i] = out.length;
    out += e.text;
    pos = e.end;
  }
  return { text: out + text.slice(pos), starts };
}

/** The node spanning exactly [start, end) with one of the types, if the tree has one. */
export function nodeSpanning(tree: Tree, start: number, end: number, types: readonly string[]): Node | undefined {
  let n: Node | null = tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
  while (n) {
    if (n.startIndex === start && n.endIndex === end && types.includes(n.type)) return n;
    if (n.startIndex < start || n.endIndex > end) return undefined;
    n = n.parent;
  }
  return undefined;
}

/**
 * Why the rewritten tree does not prove the rewrite, or undefined when it does: no syntax error
 * that the original did not have, none inside an edit, and every expected piece a node of its type.
 */
export function disproof(before: Tree, after: Tree, r: Rewrite, starts: readonly number[]): string | undefined {
  const errorsBefore = collectErrors(before.rootNode).length;
  const errorsAfter = collectErrors(after.rootNode);
  if (errorsAfter.length > errorsBefore) return `the result has ${errorsAfter.length - errorsBefore} new syntax error(s)`;
  for (const [i, e] of r.edits.entries()) {
    const s = starts[i]!;
    const hit = errorsAfter.find((n) => n.startIndex < s + e.text.length && n.endIndex > s);
    if (hit) return `a syntax error inside the inserted text at offset ${hit.startIndex}`;
  }
  for (const x of r.expect) {
    const s = starts[x.edit]! + x.offset;
    const piece = r.edits[x.edit]!.text.slice(x.offset, x.offset + x.length);
    if (!nodeSpanning(after, s, s + x.length, x.types)) return `\`${piece.split('\n')[0]}\` does not parse as ${x.types.join(' or ')}`;
  }
  return undefined;
}

/** A name not used anywhere in the text: `base`, else `base_2`, `base_3`, ... */
export function freshName(text: string, base: string, sep = '_'): string {
  if (!text.includes(base)) return base;
  for (let i = 2; ; i++) if (!text.includes(`${base}${sep}${i}`)) return `${base}${sep}${i}`;
}

/** Leading blanks of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Builds an edit's text from parts, recording where the parts that must parse are. */
export class PieceWriter {
  text = '';
  readonly expect: Array<Omit<Expectation, 'edit'>> = [];

  add(s: string, types?: readonly string[]): this {
    if (types) this.expect.push({ offset: this.text.length, length: s.length, types });
    this.text += s;
    return this;
  }
}
