/**
 * Confirmations in JavaScript/TypeScript: an execution that only happens after the user said yes
 * (`if (confirm("Run?"))`, a readline `question()` answer compared with "y", inquirer/prompts/
 * enquirer/clack confirm prompts, a helper of the file that asks), and the flag that skips the
 * question (`argv.yes`, `opts.force`, `process.argv.includes("--yes")`, `process.env.AUTO_CONFIRM`).
 * Syntax only, no flow: rules/js-guard.ts follows the calls between the question and the execution.
 */
import type { Node } from 'web-tree-sitter';
import { isFunction, named, rangeOf, unwrap } from './tree';
import type { Range } from '../types';

export interface Confirmation {
  /** Where the user is asked. */
  range: Range;
  /** How it reads in a message: "`confirm(\"Run?\")`". */
  label: string;
  /** The flag that skips the question (`-y, --yes` / `argv.yes`), when there is one. */
  skippedBy?: string;
}

/** What guards running a node: a confirmation, or a branch a skip flag takes without one. */
export interface Guard {
  confirmation?: Confirmation;
  flagBranch?: string;
}

/** Prompt libraries' calls that return the yes/no decision itself when the question is a confirm. */
const PROMPT_CALL = /^((inquirer|enquirer|Enquirer)\.prompt|prompts|prompt|p\.confirm|clack\.confirm)$/;
/** Calls that return the user's typed answer. */
const ANSWER_CALL = /(^|\.)(question|questionAsync|readLine|readline|prompt)$|^(readlineSync\.\w+|promptSync|input|p\.text|clack\.text|text)$/;
const ASKING_NAME = /^(confirm\w*|\w*Confirm(ation|ed)?|ask(YesNo|User|Permission|Confirm\w*|Before\w+)|yesNo|prompt(YesNo|Confirm\w*|User)|getConfirmation|getApproval|askApproval|approve\w*|shouldRun|shouldExecute)$/;
const FLAG_NAME = /^(y|yes|force|assume_?yes|auto_?(yes|confirm|approve|accept|run|exec|execute)|no_?confirm(ation)?|skip_?(confirm(ation)?|prompts?)|yolo|non_?interactive|unattended|always_?(yes|run|execute|approve)|dangerously\w*)$/i;
const FLAG_ENV = /(^|_)(YES|FORCE|AUTO_?(CONFIRM|APPROVE|RUN|EXEC|EXECUTE|YES)|NO_?CONFIRM|SKIP_?CONFIRM(ATION)?|YOLO|NON_?INTERACTIVE|UNATTENDED)(_|$)/;
const ANSWER_WORD = /^\s*(y|yes|n|no|e|exec|execute|r|run|ok|okay|a|abort|c|cancel|confirm|proceed|approve|accept|sure)\s*$/i;
const NO_WORD = /^\s*(n|no|a|abort|c|cancel|q|quit)\s*$/i;
const EXIT_CALL = /^(process\.exit|process\.abort|Deno\.exit)$/;

const unquote = (t: string) => t.replace(/^['"`]|['"`]$/g, '');
const strings = (n: Node) => (n.type === 'string' || n.type === 'template_string' ? [n] : n.descendantsOfType(['string', 'template_string'])).filter((s): s is Node => !!s);
const hasAnswerWord = (n: Node) => strings(n).some((s) => ANSWER_WORD.test(unquote(s.text)));
/** A condition true when the user did not say yes: `!ok`, `answer !== "y"`, `answer === "n"`. */
const negative = (c: Node) => /(^|[^!])!(?!=)|!==?/.test(c.text) || strings(c).some((s) => NO_WORD.test(unquote(s.text)));
const short = (t: string) => {
  const one = t.replace(/\s+/g, ' ');
  return one.length > 48 ? `${one.slice(0, 45)}...` : one;
};
const calleeOf = (call: Node) => (call.childForFieldName('function')?.text ?? '').replace(/\s+/g, '');
const calls = (n: Node) => (n.type === 'call_expression' ? [n, ...n.descendantsOfType('call_expression')] : n.descendantsOfType('call_expression')).filter((c): c is Node => !!c);

function rootOf(n: Node): Node {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

export class JsConfirmations {
  private readonly memo = new Map<number, Guard | null>();
  private defs: Map<string, Node> | undefined;

  private localDefs(root: Node): Map<string, Node> {
    if (this.defs) return this.defs;
    const out = new Map<string, Node>();
    for (const d of root.descendantsOfType(['function_declaration', 'method_definition', 'variable_declarator'])) {
      if (!d) continue;
      const body = d.type === 'variable_declarator' ? d.childForFieldName('value') : d;
      const n = d.childForFieldName('name')?.text;
      if (n && body && (isFunction(body) || d.type !== 'variable_declarator')) out.set(n, body);
    }
    return (this.defs = out);
  }

  /** 'yes-no': the call returns the decision; 'answer': text the condition must compare. */
  private asks(call: Node): 'yes-no' | 'answer' | undefined {
    const callee = calleeOf(call);
    const last = callee.replace(/^.*\./, '');
    const argText = call.childForFieldName('arguments')?.text ?? '';
    if (/^(window\.)?confirm$/.test(callee) && !this.localDefs(rootOf(call)).has('confirm')) return 'yes-no';
    if (PROMPT_CALL.test(callee) && /\bconfirm\b/i.test(argText)) return 'yes-no';
    // `new Confirm({...}).run()` (enquirer)
    if (/^newConfirm\(.*\)\.run$/s.test(callee)) return 'yes-no';
    const def = this.localDefs(rootOf(call)).get(last);
    if (def) {
      if (calls(def).some((c) => /^(window\.)?confirm$/.test(calleeOf(c)) || (PROMPT_CALL.test(calleeOf(c)) && /\bconfirm\b/i.test(c.text)))) return 'yes-no';
      return calls(def).some((c) => ANSWER_CALL.test(calleeOf(c))) ? (hasAnswerWord(def) ? 'yes-no' : 'answer') : undefined;
    }
    if (ANSWER_CALL.test(callee) || PROMPT_CALL.test(callee)) return 'answer';
    return ASKING_NAME.test(last) ? 'yes-no' : undefined;
  }

  /** The question in a condition: a call deciding yes or no, or an answer compared with a yes/no word. */
  private questionIn(cond: Node): Node | undefined {
    const compared = hasAnswerWord(cond);
    for (const c of calls(cond)) {
      const how = this.asks(c);
      if (how === 'yes-no' || (how === 'answer' && compared)) return c;
    }
    const ids = (cond.type === 'identifier' ? [cond] : cond.descendantsOfType(['identifier', 'shorthand_property_identifier_pattern'])).filter((i): i is Node => !!i);
    for (const id of ids) {
      const a = this.answerOf(id);
      if (a && (a.how === 'yes-no' || compared)) return a.call;
    }
    return undefined;
  }

  /**
   * Where the variable `id` got the user's answer: `const answer = await rl.question(...)`,
   * `const { run } = await inquirer.prompt(...)`, or the answer parameter of a `question()` callback.
   */
  private answerOf(id: Node): { call: Node; how: 'yes-no' | 'answer' } | undefined {
    const name = id.text;
    for (let p = id.parent; p; p = p.parent) {
      if (isFunction(p) && p.parent?.type === 'arguments') {
        const call = p.parent.parent;
        const params = p.childForFieldName('parameters') ?? p.childForFieldName('parameter');
        if (call?.type === 'call_expression' && params && new RegExp(`\\b${name}\\b`).test(params.text)) {
          const how = this.asks(call);
          if (how) return { call, how };
        }
      }
      const body = p.type === 'statement_block' || p.type === 'program' ? p : undefined;
      if (!body) continue;
      for (const d of body.descendantsOfType(['variable_declarator', 'assignment_expression'])) {
        if (!d || d.startIndex > id.startIndex) continue;
        const left = d.childForFieldName(d.type === 'variable_declarator' ? 'name' : 'left');
        if (!left || !(left.text === name || (left.type === 'object_pattern' && new RegExp(`\\b${name}\\b`).test(left.text)))) continue;
        const value = d.childForFieldName(d.type === 'variable_declarator' ? 'value' : 'right');
        for (const c of value ? calls(value) : []) {
          const how = this.asks(c);
          if (how) return { call: c, how: how === 'answer' && hasAnswerWord(value!) ? 'yes-no' : how };
        }
      }
    }
    return undefined;
  }

  /** A flag that skips the question in `expr`, outside `exclude`. */
  flagIn(expr: Node, exclude?: Node): string | undefined {
    const visit = (n: Node): string | undefined => {
      if (exclude && n.startIndex >= exclude.startIndex && n.endIndex <= exclude.endIndex) return undefined;
      if (n.type === 'member_expression') {
        const obj = n.childForFieldName('object')?.text ?? '';
        const prop = n.childForFieldName('property')?.text ?? '';
        if (obj === 'process.env' && FLAG_ENV.test(prop)) return `the environment variable \`${prop}\``;
        if (FLAG_NAME.test(prop) && n.parent?.type !== 'call_expression') return this.flagLabel(n, prop);
      }
      if (n.type === 'subscript_expression' && /^process\.env$/.test(n.childForFieldName('object')?.text ?? '')) {
        const key = unquote(n.childForFieldName('index')?.text ?? '');
        if (FLAG_ENV.test(key)) return `the environment variable \`${key}\``;
      }
      if (n.type === 'identifier' && FLAG_NAME.test(n.text) && n.parent?.type !== 'member_expression' && n.parent?.type !== 'call_expression') return this.flagLabel(n, n.text);
      if ((n.type === 'string' || n.type === 'template_string') && /process\.argv/.test(n.parent?.parent?.text ?? '')) {
        const v = unquote(n.text);
        if (/^-{1,2}[\w-]+$/.test(v) && FLAG_NAME.test(v.replace(/^-+/, '').replace(/-/g, '_'))) return `\`${v}\``;
      }
      for (const c of named(n)) {
        const r = visit(c);
        if (r) return r;
      }
      return undefined;
    };
    return visit(expr);
  }

  /** `argv.yes` named with its option when the file declares it (commander `-y, --yes`, yargs `yes`). */
  private flagLabel(n: Node, name: string): string {
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-').toLowerCase();
    for (const s of strings(rootOf(n))) {
      const v = unquote(s.text);
      const flags = v.split(/[\s,|]+/).filter((w) => /^-{1,2}[\w-]+$/.test(w));
      if (flags.some((f) => f.replace(/^-+/, '') === kebab) && /\boption\b|\boptions\b/.test(s.parent?.parent?.text.slice(0, 200) ?? '')) return `\`${flags.join('/')}\``;
    }
    return `\`${short(n.text)}\``;
  }

  private confirmation(q: Node, cond: Node, around: Node): Confirmation {
    // the callee and its first argument: `rl.question("Run? ", ...)`, not the callback's body
    const args = named(q.childForFieldName('arguments') ?? q);
    const label = `${calleeOf(q)}(${args[0]?.text ?? ''}${args.length > 1 ? ', ...' : ''})`;
    return { range: rangeOf(q), label: `\`${short(label)}\``, skippedBy: this.flagIn(cond, q) ?? this.flagAbove(around) };
  }

  private flagAbove(n: Node): string | undefined {
    for (let child: Node = n, p = n.parent; p && !isFunction(p); child = p, p = p.parent) {
      const c = p.type === 'if_statement' ? p.childForFieldName('condition') : undefined;
      if (c && c.id !== child.id) {
        const f = this.flagIn(c);
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
    for (let child: Node = node, p = node.parent; p; child = p, p = p.parent) {
      for (const { cond, negated } of conditionsFor(p, child)) {
        const q = negative(cond) === negated ? this.questionIn(cond) : undefined;
        if (q) return { confirmation: this.confirmation(q, cond, p) };
        const bare = unwrap(cond);
        const isNot = bare.type === 'unary_expression' && bare.text.startsWith('!');
        if (!flagBranch && isNot === negated && !/\|\|/.test(bare.text)) flagBranch = this.flagIn(bare);
      }
      if (p.type === 'statement_block' || p.type === 'program') {
        for (let s = child.previousNamedSibling; s; s = s.previousNamedSibling) {
          const c = this.earlyExit(s);
          if (c) return { confirmation: c };
        }
      }
      // a callback run only on the answer (`rl.question("Run?", (a) => { ... })`) is asked by its condition
      if (isFunction(p) && p.parent?.type !== 'arguments') break;
    }
    return flagBranch ? { flagBranch } : undefined;
  }

  /** `if (!(await confirm(...))) return;`, `if (answer !== "y") process.exit(1)`, inside `if (!argv.yes) {...}`. */
  private earlyExit(s: Node): Confirmation | undefined {
    if (s.type !== 'if_statement') return undefined;
    const cond = s.childForFieldName('condition');
    const body = s.childForFieldName('consequence');
    if (!cond || !body) return undefined;
    if (exits(body) && negative(cond)) {
      const q = this.questionIn(cond);
      if (q) return this.confirmation(q, cond, s);
    }
    const flag = s.childForFieldName('alternative') ? undefined : this.flagIn(cond);
    if (!flag) return undefined;
    for (const inner of body.type === 'statement_block' ? named(body) : [body]) {
      const c = this.earlyExit(inner);
      if (c) return { ...c, skippedBy: c.skippedBy ?? flag };
    }
    return undefined;
  }
}

function conditionsFor(p: Node, child: Node): { cond: Node; negated: boolean }[] {
  const cond = p.childForFieldName('condition');
  if ((p.type === 'if_statement' || p.type === 'while_statement') && cond && cond.id !== child.id) {
    if (p.childForFieldName('consequence')?.id === child.id || p.childForFieldName('body')?.id === child.id) return [{ cond, negated: false }];
    if (p.childForFieldName('alternative')?.id === child.id) return [{ cond, negated: true }];
  }
  if (p.type === 'ternary_expression' && cond && cond.id !== child.id) return [{ cond, negated: p.childForFieldName('alternative')?.id === child.id }];
  if (p.type === 'binary_expression' && p.childForFieldName('operator')?.text === '&&') {
    const left = p.childForFieldName('left');
    if (left && left.id !== child.id) return [{ cond: left, negated: false }];
  }
  return [];
}

/** Does a statement always leave: `return`, `throw`, `process.exit()`, `continue`, `break`? */
function exits(s: Node): boolean {
  const last = s.type === 'statement_block' ? named(s).pop() : s;
  if (!last) return false;
  if (['return_statement', 'throw_statement', 'continue_statement', 'break_statement'].includes(last.type)) return true;
  const e = last.type === 'expression_statement' ? named(last)[0] : undefined;
  return !!e && e.type === 'call_expression' && EXIT_CALL.test(calleeOf(e));
}
