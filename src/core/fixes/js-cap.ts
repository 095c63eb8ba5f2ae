/**
 * "Add an iteration cap" for a JavaScript/TypeScript loop: a counter declared before the loop
 * and checked first in its body (the body's own `{`, or braces added around a single
 * statement), found through the loop node, so strings and comments on the head line do not count.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { ITERATION_CAP, CAP_TITLE } from './bash-cap';
import { freshName, indentAt, PieceWriter, type Rewrite, type TextEdit, type Expectation } from './rewrite';

const LOOPS = ['while_statement', 'do_statement', 'for_statement', 'for_in_statement'];
/** Parents where a `let` declaration may stand before the loop. */
const BLOCKS = ['program', 'statement_block', 'switch_case', 'switch_default', 'class_static_block'];

function loopAt(tree: Tree, start: number): Node | undefined {
  for (let n: Node | null = tree.rootNode.descendantForIndex(start, start); n; n = n.parent) {
    if (LOOPS.includes(n.type) && n.startIndex === start) return n;
    if (n.startIndex < start) return undefined;
  }
  return undefined;
}

export function jsCapRewrite(tree: Tree, text: string, start: number): Rewrite | undefined {
  const loop = loopAt(tree, start);
  const body = loop?.childForFieldName('body');
  if (!loop || !body) return undefined;
  let stmt = loop;
  while (stmt.parent?.type === 'labeled_statement') stmt = stmt.parent;
  const n = freshName(text, 'fangIterations', '');
  const ind = indentAt(text, stmt.startIndex);
  const inner = `${indentAt(text, loop.startIndex)}  `;
  const guardText = `if (++${n} > ${ITERATION_CAP}) { console.error('stopping after ${ITERATION_CAP} iterations'); break; }`;
  const edits: TextEdit[] = [];
  const expect: Expectation[] = [];
  const push = (w: PieceWriter, start: number, end = start) => {
    expect.push(...w.expect.map((x) => ({ ...x, edit: edits.length })));
    edits.push({ start, end, text: w.text });
  };
  // The declaration: before the loop in a block, or the loop wrapped in a block of its own.
  const inBlock = !!stmt.parent && BLOCKS.includes(stmt.parent.type);
  const decl = `let ${n} = 0;`;
  push(inBlock ? new PieceWriter().add(decl, ['lexical_declaration']).add(`\n${ind}`) : new PieceWriter().add('{ ').add(decl, ['lexical_declaration']).add(' '), stmt.startIndex);
  if (body.type === 'statement_block') {
    push(new PieceWriter().add(`\n${inner}`).add(guardText, ['if_statement']), body.startIndex + 1);
  } else {
    push(new PieceWriter().add('{ ').add(guardText, ['if_statement']).add(' '), body.startIndex);
    push(new PieceWriter().add(' }'), body.endIndex);
  }
  if (!inBlock) push(new PieceWriter().add(' }'), stmt.endIndex);
  return { title: CAP_TITLE, edits, expect };
}
