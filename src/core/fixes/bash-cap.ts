/**
 * "Add an iteration cap" for a Bash loop: a counter set before the loop, counted and checked as
 * the first thing in its body, right after the `do` token of the loop's own node, so quotes,
 * comments or heredocs on the head line cannot move it.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { ancestor, statementOf } from './bash-shape';
import { freshName, indentAt, PieceWriter, type Rewrite } from './rewrite';

export const ITERATION_CAP = 10;
export const CAP_TITLE = `Add an iteration cap (${ITERATION_CAP}) to this loop`;

const LOOPS = ['while_statement', 'for_statement', 'c_style_for_statement'];

function loopAt(tree: Tree, start: number): Node | undefined {
  const loop = ancestor(tree.rootNode.descendantForIndex(start, start), LOOPS);
  return loop && loop.startIndex === start ? loop : undefined;
}

export function bashCapRewrite(tree: Tree, text: string, start: number): Rewrite | undefined {
  const loop = loopAt(tree, start);
  const body = loop?.childForFieldName('body');
  const doToken = body?.type === 'do_group' ? body.child(0) : null;
  if (!loop || !body || doToken?.type !== 'do') return undefined;
  const n = freshName(text, 'fang_iterations');
  const stmt = statementOf(loop);
  const ind = indentAt(text, stmt.startIndex);
  const init = new PieceWriter().add(`${n}=0`, ['variable_assignment']).add(`\n${ind}`);
  const inner = `${indentAt(text, loop.startIndex)}  `;
  const guard = new PieceWriter()
    .add(`\n${inner}`)
    .add(`${n}=$((${n} + 1))`, ['variable_assignment'])
    .add(`\n${inner}`)
    .add(`if [ "$${n}" -gt ${ITERATION_CAP} ]; then echo "stopping after ${ITERATION_CAP} iterations" >&2; break; fi`, ['if_statement']);
  // A command on the `do` line now follows the guard: separate it.
  const rest = text.slice(doToken.endIndex, text.indexOf('\n', doToken.endIndex) === -1 ? text.length : text.indexOf('\n', doToken.endIndex));
  if (!/^\s*(#.*)?$/.test(rest)) guard.add(';');
  return {
    title: CAP_TITLE,
    edits: [
      { start: stmt.startIndex, end: stmt.startIndex, text: init.text },
      { start: doToken.endIndex, end: doToken.endIndex, text: guard.text },
    ],
    expect: [...init.expect.map((x) => ({ ...x, edit: 0 })), ...guard.expect.map((x) => ({ ...x, edit: 1 }))],
  };
}
