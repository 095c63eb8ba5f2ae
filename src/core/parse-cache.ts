/**
 * The trees of a document's last analysis, kept so that the next version parses incrementally:
 * the old tree is edited (`tree.edit`) by the one change between the two texts and handed to the
 * parser, which reuses every subtree the change does not touch. One entry per code unit (the
 * file, or each Markdown fence). The owner (the editor's worker, per open document) disposes it.
 */
import { Edit, type Point, type Tree } from 'web-tree-sitter';

interface Unit {
  text: string;
  tree: Tree;
}

export class ParseCache {
  private readonly units = new Map<string, Unit>();

  /** The previous tree of `key`, edited to match `text`; the cache no longer owns it. */
  take(key: string, text: string): Tree | undefined {
    const old = this.units.get(key);
    if (!old) return undefined;
    this.units.delete(key);
    if (old.text === text) return old.tree;
    old.tree.edit(editBetween(old.text, text));
    return old.tree;
  }

  /** Keeps `tree` (the parse of `text`) for the next version; frees the tree it replaces. */
  keep(key: string, text: string, tree: Tree): void {
    const old = this.units.get(key);
    if (old && old.tree !== tree) old.tree.delete();
    this.units.set(key, { text, tree });
  }

  /** Frees the trees of units the last analysis did not use (a fence that went away). */
  retain(keys: ReadonlySet<string>): void {
    for (const [k, u] of this.units) {
      if (keys.has(k)) continue;
      u.tree.delete();
      this.units.delete(k);
    }
  }

  dispose(): void {
    for (const u of this.units.values()) u.tree.delete();
    this.units.clear();
  }
}

/** The one replacement that turns `a` into `b`: common prefix and suffix kept, in UTF-16 units as tree-sitter counts here. */
export function editBetween(a: string, b: string): Edit {
  const max = Math.min(a.length, b.length);
  let start = 0;
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  return new Edit({
    startIndex: start,
    oldEndIndex: endA,
    newEndIndex: endB,
    startPosition: pointAt(a, start),
    oldEndPosition: pointAt(a, endA),
    newEndPosition: pointAt(b, endB),
  });
}

function pointAt(text: string, index: number): Point {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: index - lineStart };
}
