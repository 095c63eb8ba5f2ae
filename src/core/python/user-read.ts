/**
 * The user in the loop, in Python: reads of the terminal (`input()`, `typer.prompt`, questionary,
 * rich's `Prompt.ask`, ...) and loops that wait for such a read on every round (a REPL is driven
 * by the user, not by the model). Syntax only, no flow; confirmations are in guard.ts.
 */
import type { Node } from 'web-tree-sitter';
import { isFunction, LOOP_TYPES, named, unwrap } from './tree';

/** Calls that read a line or a choice from the user at the terminal, by their callee text. */
const READ_CALLEE =
  /^(input|raw_input|getpass(\.getpass)?|(typer|click)\.prompt|(prompt_toolkit(\.shortcuts)?\.)?prompt|([\w.]*[sS]ession)\.prompt(_async)?|(rich\.prompt\.)?(Prompt|IntPrompt|FloatPrompt|Confirm)\.ask|sys\.stdin\.readline|(inquirer|PyInquirer|InquirerPy(\.inquirer)?)\.\w+)$/;
/** `questionary.text("...").ask()`, `inquirer.confirm(message=...).execute()`. */
const READ_CHAIN = /^(questionary|inquirer|InquirerPy(\.inquirer)?)\.\w+\(/;

export const calleeText = (call: Node) => (call.childForFieldName('function')?.text ?? '').replace(/\s+/g, '');

/** Is this call a read of the user's answer at the terminal? `prompt()` counts only when imported from prompt_toolkit. */
export function isUserRead(call: Node): boolean {
  if (call.type !== 'call') return false;
  const callee = calleeText(call);
  if (callee === 'prompt') return /\bfrom\s+prompt_toolkit(\.\w+)*\s+import\b[^\n]*\bprompt\b/.test(rootOf(call).text);
  if (READ_CALLEE.test(callee)) return true;
  return /\.(ask|unsafe_ask|execute)(_async)?$/.test(callee) && READ_CHAIN.test(callee);
}

export function rootOf(n: Node): Node {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

/** The first user read in `node`, not looking into nested functions, classes or `skip` types. */
export function readIn(node: Node | null | undefined, skip: readonly string[] = []): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'call' && isUserRead(node)) return node;
  if (isFunction(node) || node.type === 'class_definition' || skip.includes(node.type)) return undefined;
  for (const c of named(node)) {
    const r = readIn(c, skip);
    if (r) return r;
  }
  return undefined;
}

const COMPOUND = ['if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement', 'match_statement', 'function_definition', 'class_definition', 'decorated_definition'];

/** Does `stmt` hold a `continue` (or a `return`/`break` out of the round) before the user is asked? */
function skipsRound(stmt: Node): boolean {
  const walk = (n: Node): boolean => {
    if (n.type === 'continue_statement') return true;
    if (isFunction(n) || n.type === 'class_definition' || LOOP_TYPES.includes(n.type)) return false;
    return named(n).some(walk);
  };
  return walk(stmt);
}

/**
 * The read of the user's input that every round of `loop` (a loop, or a function that calls
 * itself again) waits for, if there is one: in the loop's condition or iterable (`while (q :=
 * input()) != "exit"`, `for line in iter(input, "")`), or in a statement of its body that runs
 * on every round, before anything that could skip to the next round. A read only in a branch
 * (`if turn % 10 == 0: input()`) does not count: the other rounds run without the user.
 */
export function userReadEachRound(loop: Node): Node | undefined {
  if (loop.type === 'while_statement') {
    const r = readIn(loop.childForFieldName('condition'));
    if (r) return r;
  } else if (loop.type === 'for_statement') {
    const right = loop.childForFieldName('right');
    const r = readIn(right);
    if (r) return r;
    if (right && /^sys\.stdin$/.test(unwrap(right).text)) return right;
  }
  const body = loop.childForFieldName('body');
  return body ? readFirst(body) : undefined;
}

function readFirst(block: Node): Node | undefined {
  for (const stmt of named(block)) {
    if (stmt.type === 'try_statement' || stmt.type === 'with_statement') {
      const inner = stmt.childForFieldName('body');
      const r = inner ? readFirst(inner) : undefined;
      if (r) return r;
      if (skipsRound(stmt)) return undefined;
      continue;
    }
    if (stmt.type === 'if_statement' || stmt.type === 'match_statement') {
      // the condition (or subject) is evaluated on every round; the branches are not
      const head = stmt.childForFieldName(stmt.type === 'if_statement' ? 'condition' : 'subject');
      const r = readIn(head);
      if (r) return r;
      if (skipsRound(stmt)) return undefined;
      continue;
    }
    if (COMPOUND.includes(stmt.type)) {
      if (skipsRound(stmt)) return undefined;
      continue;
    }
    if (stmt.type === 'continue_statement' || stmt.type === 'break_statement' || stmt.type === 'return_statement' || stmt.type === 'raise_statement') return undefined;
    const r = readIn(stmt, ['conditional_expression', 'boolean_operator', 'lambda']);
    if (r) return r;
  }
  return undefined;
}
