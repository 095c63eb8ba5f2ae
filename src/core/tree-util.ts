/** Tree helpers shared by the Bash and JS analyses; no analysis decisions here. */
import type { Node, Tree } from 'web-tree-sitter';
import type { Range } from './types';

/**
 * The file each tree of a project analysis was parsed from, so that a range read from a node of
 * another file says which file (weak: a freed tree takes its entry with it).
 */
const treeFiles = new WeakMap<Tree, string>();

export function registerTreeFile(tree: Tree, file: string): void {
  treeFiles.set(tree, file);
}

export function fileOfNode(node: Node): string | undefined {
  return treeFiles.get(node.tree);
}

export function rangeOf(node: Node): Range {
  const r: Range = {
    start: { line: node.startPosition.row, column: node.startPosition.column },
    end: { line: node.endPosition.row, column: node.endPosition.column },
  };
  const file = treeFiles.get(node.tree);
  if (file !== undefined) r.file = file;
  return r;
}

/** ERROR and MISSING nodes, outermost first, at most 50 (a broken file has one region per error). */
export function collectErrors(node: Node, out: Node[] = []): Node[] {
  if (out.length > 50) return out;
  if (node.isError || node.isMissing) {
    out.push(node);
    return out;
  }
  if (!node.hasError) return out;
  for (const c of node.children) if (c) collectErrors(c, out);
  return out;
}

/**
 * Children and fields read from the tree once per node. A dataflow visits loop bodies and
 * function bodies more than once, and every node access crosses into WASM and allocates.
 */
export class NodeCache {
  private readonly kidsCache = new Map<number, Node[]>();
  private readonly fieldCache = new Map<string, Node[]>();

  constructor(private readonly childrenOf: (node: Node) => Node[]) {}

  kids(node: Node): Node[] {
    let k = this.kidsCache.get(node.id);
    if (!k) {
      k = this.childrenOf(node);
      this.kidsCache.set(node.id, k);
    }
    return k;
  }

  fields(node: Node, name: string): Node[] {
    const key = `${node.id}:${name}`;
    let v = this.fieldCache.get(key);
    if (!v) {
      v = node.childrenForFieldName(name).filter((c): c is Node => !!c);
      this.fieldCache.set(key, v);
    }
    return v;
  }

  field(node: Node, name: string): Node | null {
    return this.fields(node, name)[0] ?? null;
  }
}
