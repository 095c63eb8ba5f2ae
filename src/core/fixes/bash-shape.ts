/** Where a Bash command sits: the unit a rewrite replaces and whether it stands as a statement. */
import type { Node } from 'web-tree-sitter';

/** Parents whose children are whole statements, run one after another. */
const STATEMENT_LISTS = new Set(['program', 'do_group', 'compound_statement', 'subshell', 'else_clause', 'case_item', 'command_substitution']);

/** The command (or pipeline) with the redirections and `!` that belong to it. */
export function unitOf(node: Node): Node {
  let n = node;
  while (n.parent && (n.parent.type === 'redirected_statement' || n.parent.type === 'negated_command')) n = n.parent;
  return n;
}

/**
 * Whether the unit is a statement of its own (in a script, a loop body, a branch), as opposed to
 * a part of a list (`a && b`), a pipeline, or a condition (`if b; then`), where it must stay one
 * command.
 */
export function standsAlone(unit: Node): boolean {
  const p = unit.parent;
  if (!p) return false;
  if (STATEMENT_LISTS.has(p.type)) return true;
  if (p.type === 'if_statement' || p.type === 'elif_clause') {
    const then = p.children.find((c) => c?.type === 'then');
    return !!then && unit.startIndex > then.startIndex;
  }
  return false;
}

/** The nearest ancestor (or the node) of one of the types. */
export function ancestor(node: Node | null, types: readonly string[]): Node | undefined {
  for (let n = node; n; n = n.parent) if (types.includes(n.type)) return n;
  return undefined;
}

/** The statement that holds the node: the unit that stands alone in a statement list. */
export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && !STATEMENT_LISTS.has(n.parent.type) && !(n.parent.type === 'if_statement' || n.parent.type === 'elif_clause')) n = n.parent;
  return n;
}
