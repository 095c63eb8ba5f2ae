/**
 * Confirmations in Python: `if input("Run? [y/N] ").lower() == "y":`, `if click.confirm("Run?"):`,
 * `typer.confirm("Run?", abort=True)`, `if not questionary.confirm("Run?").ask(): return`, and the
 * flag that skips them (`if args.yes or confirm(...)`, `if args.yes: run(...)`). Syntax only, no
 * flow: rules/py-guard.ts follows the calls between the question and the execution.
 */
import type { Node } from 'web-tree-sitter';
import { isFunction, named, rangeOf, unwrap } from './tree';
import type { Range } from '../types';
import { calleeText, isUserRead, readIn, rootOf } from './user-read';

export interface Confirmation {
  /** Where the user is asked. */
  range: Range;
  /** How it reads in a message: "`input(\"Run? [y/N] \")`". */
  label: string;
  /** The flag of the program that skips the question (`args.yes` / `-y/--yes`), when there is one. */
  skippedBy?: string;
}

/** What guards running a node: a confirmation, or a branch a skip flag takes without one. */
export interface Guard {
  confirmation?: Confirmation;
  /** The execution is in a branch that a flag enables without asking (`if args.yes: run(cmd)`). */
  flagBranch?: string;
}

/** Calls that ask a yes/no question and return the answer. */
const CONFIRM_CALLEE = /^((click|typer)\.confirm|(rich\.prompt\.)?Confirm\.ask|(prompt_toolkit(\.shortcuts)?\.)?confirm|inquirer\.confirm)$/;
/** Names of helpers that ask the user (when the file does not define them, by their name). */
const ASKING_NAME = /^(confirm\w*|\w*_confirm(ation|ed)?|ask_(yes_no|user|permission|confirm\w*|before_\w+)|yes_no|prompt_(yes_no|confirm\w*|user)|query_yes_no|user_confirms?|get_(user_)?confirmation|get_approval|ask_approval|approve\w*|should_(run|execute))$/i;
/** Names of flags that skip a confirmation. */
const FLAG_NAME = /^(y|yes|force|assume_?yes|auto_?(yes|confirm|approve|accept|run|exec|execute)|no_?confirm(ation)?|skip_?(confirm(ation)?|prompts?)|yolo|non_?interactive|unattended|always_?(yes|run|execute|approve)|dangerously_\w+)$/i;
const FLAG_ENV = /(^|_)(YES|FORCE|AUTO_?(CONFIRM|APPROVE|RUN|EXEC|EXECUTE|YES)|NO_?CONFIRM|SKIP_?CONFIRM(ATION)?|YOLO|NON_?INTERACTIVE|UNATTENDED)(_|$)/;
const EXIT_CALL = /^(sys\.exit|exit|quit|os\._exit|typer\.Exit|click\.Abort|raise)$/;

const short = (t: string) => {
  const one = t.replace(/\s+/g, ' ');
  return one.length > 48 ? `${one.slice(0, 45)}...` : one;
};

function bodyOf(fnOrRoot: Node): Node {
  return fnOrRoot.childForFieldName('body') ?? fnOrRoot;
}

/** The function (or module) a node belongs to. */
function scopeNode(n: Node): Node {
  for (let p = n.parent; p; p = p.parent) if (isFunction(p)) return p;
  return rootOf(n);
}

export class PyConfirmations {
  private readonly memo = new Map<number, Guard | null>();
  private defs: Map<string, Node> | undefined;

  /** Local functions and methods by name (the last definition wins). */
  private localDefs(root: Node): Map<string, Node> {
    if (this.defs) return this.defs;
    const out = new Map<string, Node>();
    for (const d of root.descendantsOfType('function_definition')) {
      const n = d?.childForFieldName('name')?.text;
      if (d && n) out.set(n, d);
    }
    return (this.defs = out);
  }

  /**
   * A call that asks the user: 'yes-no' when it returns the decision itself (`click.confirm`, a
   * helper named or written that way), 'answer' when it returns text to compare (`input()`).
   */
  private asks(call: Node): 'yes-no' | 'answer' | undefined {
    if (isUserRead(call)) return /\b(confirm|Confirm)\b/.test(calleeText(call)) ? 'yes-no' : 'answer';
    const callee = calleeText(call);
    if (CONFIRM_CALLEE.test(callee) && !(callee === 'confirm' && this.localDefs(rootOf(call)).has('confirm'))) return 'yes-no';
    const last = callee.replace(/^.*\./, '');
    const def = this.localDefs(rootOf(call)).get(last);
    if (def) {
      const body = def.childForFieldName('body');
      if (!body) return undefined;
      if (body.descendantsOfType('call').some((c) => !!c && CONFIRM_CALLEE.test(calleeText(c)))) return 'yes-no';
      return readIn(body) && hasAnswerWord(body) ? 'yes-no' : undefined;
    }
    return ASKING_NAME.test(last) ? 'yes-no' : undefined;
  }

  /**
   * The question asked in a condition: a call that decides yes or no, or an answer read from the
   * user and compared with a yes/no word (`answer.lower() in ("y", "yes")`, `option == "e"`, not
   * `task == "exit"`).
   */
  private questionIn(expr: Node): Node | undefined {
    const compared = hasAnswerWord(expr);
    const calls = expr.type === 'call' ? [expr, ...expr.descendantsOfType('call')] : expr.descendantsOfType('call');
    for (const c of calls) {
      const how = c ? this.asks(c) : undefined;
      if (c && (how === 'yes-no' || (how === 'answer' && compared))) return c;
    }
    const names = expr.type === 'identifier' ? [expr] : expr.descendantsOfType('identifier');
    const scope = scopeNode(expr);
    for (const id of names) {
      if (!id || (id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute')?.id === id.id)) continue;
      const a = this.answerAssigned(scope, id.text, expr.startIndex);
      if (a && (a.how === 'yes-no' || compared)) return a.call;
    }
    return undefined;
  }

  /** `answer = input(...)` (or `:=`) before `before` in the scope: the call that asks. */
  private answerAssigned(scope: Node, name: string, before: number): { call: Node; how: 'yes-no' | 'answer' } | undefined {
    for (const a of bodyOf(scope).descendantsOfType(['assignment', 'named_expression'])) {
      if (!a || a.startIndex > before) continue;
      const left = a.childForFieldName(a.type === 'assignment' ? 'left' : 'name');
      if (left?.text !== name) continue;
      const right = a.childForFieldName(a.type === 'assignment' ? 'right' : 'value');
      if (!right) continue;
      const calls = right.type === 'call' ? [right, ...right.descendantsOfType('call')] : right.descendantsOfType('call');
      for (const c of calls) {
        const how = c ? this.asks(c) : undefined;
        if (c && how) return { call: c, how: how === 'answer' && hasAnswerWord(right) ? 'yes-no' : how };
      }
    }
    return undefined;
  }

  /** A flag that skips the question in `expr` (outside the question itself): its label. */
  flagIn(expr: Node, exclude?: Node): string | undefined {
    const visit = (n: Node): string | undefined => {
      if (exclude && n.startIndex >= exclude.startIndex && n.endIndex <= exclude.endIndex) return undefined;
      if (n.type === 'attribute') {
        const attr = n.childForFieldName('attribute')?.text ?? '';
        if (FLAG_NAME.test(attr) && n.parent?.type !== 'call') return this.flagLabel(n, attr);
      }
      if (n.type === 'identifier' && FLAG_NAME.test(n.text) && n.parent?.type !== 'attribute' && !(n.parent?.type === 'call' && n.parent.childForFieldName('function')?.id === n.id)) return this.flagLabel(n, n.text);
      if (n.type === 'string') {
        const v = n.text.replace(/^[a-z]*['"]+|['"]+$/gi, '');
        if (/^-{1,2}[\w-]+$/.test(v) && FLAG_NAME.test(v.replace(/^-+/, '').replace(/-/g, '_')) && /\bsys\.argv\b/.test(n.parent?.text ?? '')) return `\`${v}\``;
        if (FLAG_ENV.test(v) && /os\.(environ|getenv)/.test(n.parent?.parent?.text ?? '')) return `the environment variable \`${v}\``;
      }
      for (const c of named(n)) {
        const r = visit(c);
        if (r) return r;
      }
      return undefined;
    };
    return visit(expr);
  }

  /** `args.yes` named with its option when the file declares it: "`-y/--yes`". */
  private flagLabel(n: Node, name: string): string {
    const root = rootOf(n);
    const wanted = name.toLowerCase();
    for (const c of root.descendantsOfType('call')) {
      if (!c || !/(add_argument|option|Option|argument)$/.test(calleeText(c))) continue;
      const opts = (c.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a?.type === 'string').map((a) => a.text.replace(/^['"]+|['"]+$/g, ''));
      const flags = opts.filter((o) => /^-{1,2}[\w-]+$/.test(o));
      const long = flags.find((o) => o.startsWith('--')) ?? flags[0];
      const dest = /dest\s*=\s*['"](\w+)['"]/.exec(c.text)?.[1] ?? long?.replace(/^-+/, '').replace(/-/g, '_');
      if (flags.length && dest?.toLowerCase() === wanted) return `\`${flags.join('/')}\``;
    }
    return `\`${short(n.text)}\``;
  }

  private confirmation(question: Node, cond: Node, around: Node): Confirmation {
    return { range: rangeOf(question), label: `\`${short(question.text)}\``, skippedBy: this.flagIn(cond, question) ?? this.flagAbove(around) };
  }

  /** A flag tested by an `if` around the question (`if not args.yes: if input(...) != "y": return`). */
  private flagAbove(n: Node): string | undefined {
    for (let child: Node = n, p = n.parent; p && !isFunction(p); child = p, p = p.parent) {
      if ((p.type === 'if_statement' || p.type === 'elif_clause') && p.childForFieldName('condition')?.id !== child.id) {
        const c = p.childForFieldName('condition');
        const f = c ? this.flagIn(c) : undefined;
        if (f) return f;
      }
    }
    return undefined;
  }

  /** What guards running `node` inside its own function. */
  guardOf(node: Node): Guard {
    const m = this.memo.get(node.id);
    if (m !== undefined) return m ?? {};
    const g = this.find(node);
    this.memo.set(node.id, g ?? null);
    return g ?? {};
  }

  private find(node: Node): Guard | undefined {
    let flagBranch: string | undefined;
    for (let child: Node = node, p = node.parent; p && !isFunction(p); child = p, p = p.parent) {
      const conds = this.conditionsFor(p, child);
      for (const { cond, negated } of conds) {
        // `if reply == "y": run` and `if reply != "y": ... else: run` wait for a yes; `else` of a yes does not
        const q = negative(cond) === negated ? this.questionIn(cond) : undefined;
        if (q) return { confirmation: this.confirmation(q, cond, p) };
        // A branch a flag takes without asking: `if args.yes:` (or the `else` of `if not args.yes:`).
        const bare = unwrap(cond);
        const flagOnly = bare.type === 'not_operator' ? unwrap(bare.childForFieldName('argument') ?? bare) : bare;
        if (!flagBranch && (bare.type === 'not_operator') === negated) {
          const f = flagOnly.type === 'boolean_operator' ? undefined : this.flagIn(flagOnly);
          if (f) flagBranch = f;
        }
      }
      if (p.type === 'block' || p.type === 'module') {
        // an earlier statement that stops unless the user said yes
        for (let s = child.previousNamedSibling; s; s = s.previousNamedSibling) {
          const c = this.earlyExit(s);
          if (c) return { confirmation: c };
        }
      }
    }
    return flagBranch ? { flagBranch } : undefined;
  }

  /** The conditions under which `child` of `p` runs, and whether it runs when they are false. */
  private conditionsFor(p: Node, child: Node): { cond: Node; negated: boolean }[] {
    const out: { cond: Node; negated: boolean }[] = [];
    const condOf = (n: Node) => n.childForFieldName('condition');
    if (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement') {
      const c = condOf(p);
      if (!c || c.id === child.id) return out;
      if (p.childForFieldName('consequence')?.id === child.id || p.childForFieldName('body')?.id === child.id) out.push({ cond: c, negated: false });
      else if (child.type === 'else_clause' || child.type === 'elif_clause') {
        out.push({ cond: c, negated: true });
        for (let s = child.previousNamedSibling; s && s.type === 'elif_clause'; s = s.previousNamedSibling) {
          const ec = condOf(s);
          if (ec) out.push({ cond: ec, negated: true });
        }
      }
    } else if (p.type === 'boolean_operator' && p.child(1)?.type === 'and') {
      const left = p.childForFieldName('left');
      if (left && left.id !== child.id) out.push({ cond: left, negated: false });
    } else if (p.type === 'conditional_expression') {
      const [yes, c] = named(p);
      if (c && yes?.id === child.id) out.push({ cond: c, negated: false });
    }
    return out;
  }

  /**
   * `if input("Run? ") != "y": return`, `if not click.confirm("Run?"): sys.exit()`,
   * `typer.confirm("Run?", abort=True)`, `assert confirm(...)`: the user must say yes to go on.
   */
  private earlyExit(s: Node): Confirmation | undefined {
    if (s.type === 'expression_statement' || s.type === 'assert_statement') {
      const e = named(s)[0];
      const call = e && unwrap(e).type === 'call' ? unwrap(e) : undefined;
      if (call && (s.type === 'assert_statement' || /abort\s*=\s*True/.test(call.childForFieldName('arguments')?.text ?? '')) && this.asks(call) === 'yes-no') return this.confirmation(call, s, s);
      return undefined;
    }
    if (s.type !== 'if_statement') return undefined;
    const cond = s.childForFieldName('condition');
    const body = s.childForFieldName('consequence');
    if (!cond || !body) return undefined;
    if (exits(body) && negative(cond)) {
      const q = this.questionIn(cond);
      if (q) return this.confirmation(q, cond, s);
    }
    // `if not args.yes:` around the question: asked unless the flag is given
    const flag = s.childForFieldName('alternative') ? undefined : this.flagIn(cond);
    if (!flag) return undefined;
    for (const inner of named(body)) {
      const c = this.earlyExit(inner);
      if (c) return { ...c, skippedBy: c.skippedBy ?? flag };
    }
    return undefined;
  }
}

/** Answers of a yes/no question (or a menu's execute/abort keys) as a condition compares them. */
const ANSWER_WORD = /^\s*(y|yes|n|no|e|exec|execute|r|run|ok|okay|a|abort|c|cancel|confirm|proceed|approve|accept|sure)\s*$/i;

const NO_WORD = /^\s*(n|no|a|abort|c|cancel|q|quit)\s*$/i;

/** A condition true when the user did not say yes: `not confirm()`, `reply != "y"`, `reply == "n"`. */
function negative(cond: Node): boolean {
  if (/\bnot\b|!=/.test(cond.text)) return true;
  const strings = cond.type === 'string' ? [cond] : cond.descendantsOfType('string');
  return strings.some((s) => !!s && NO_WORD.test(s.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, '')));
}

function hasAnswerWord(n: Node): boolean {
  const strings = n.type === 'string' ? [n] : n.descendantsOfType('string');
  return strings.some((s) => !!s && ANSWER_WORD.test(s.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, '')));
}

/** Does a block always leave the round or the function: `return`, `raise`, `sys.exit()`, `continue`, `break`? */
function exits(block: Node): boolean {
  const last = named(block).filter((n) => n.type !== 'comment').pop();
  if (!last) return false;
  if (['return_statement', 'raise_statement', 'continue_statement', 'break_statement'].includes(last.type)) return true;
  if (last.type === 'expression_statement') {
    const e = named(last)[0];
    return !!e && e.type === 'call' && EXIT_CALL.test(calleeText(e));
  }
  return false;
}
