/**
 * The Bash dataflow's state and its reading of words: variables (with their literal values),
 * files written, positional parameters, the loops being walked, and what each word carries.
 * BashFlow (dataflow.ts) walks the statements on top of it.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, extend, union, type Origin, type Taint, type Taints } from './taint';
import { literalText, namedChildren, rangeOf, unquoted } from './tree';
import { NodeCache } from '../tree-util';
import { classifyEffects, type Effect } from './effects';

export interface Word {
  node: Node;
  /** Literal text with known variable values substituted; undefined when dynamic. */
  lit: string | undefined;
  /** Text for keys and messages: quotes removed, unknown expansions kept as written. */
  key: string;
  taint: Taints;
}

export interface LoopFrame {
  written: Set<string>;
  /** Read before written in the body: values that can come around from the previous turn. */
  readFirst: Set<string>;
  /** Gained an origin during the first pass. */
  grew: Set<string>;
}

const WORD_TYPES = new Set([
  'word', 'string', 'raw_string', 'ansi_c_string', 'concatenation', 'simple_expansion', 'expansion',
  'command_substitution', 'process_substitution', 'number', 'array', 'arithmetic_expansion', 'heredoc_body',
]);

export function isWordNode(n: Node): boolean {
  return WORD_TYPES.has(n.type);
}

export function expansionName(node: Node): string | undefined {
  for (const c of namedChildren(node)) {
    if (c.type === 'variable_name' || c.type === 'special_variable_name') return c.text;
    if (c.type === 'subscript') return c.childForFieldName('name')?.text;
  }
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(node.text);
  return m?.[1];
}

/** The default of `${NAME:-default}` / `${NAME:=default}` when it is literal, quotes removed. */
export function expansionDefault(text: string): string | undefined {
  const m = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=](?:"([^"$`\\]*)"|'([^']*)'|([^$`"'{}]*))\}$/.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

export function normalizePath(p: string): string {
  if (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('"') || p.endsWith('"')) p = p.replace(/^"|"$/g, '');
  return p.includes('${') ? p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1') : p;
}

/** Variables that hold the interactive command line (zsh zle, bash `bind -x`). */
const STAGING_VARS = new Set(['BUFFER', 'LBUFFER', 'RBUFFER', 'READLINE_LINE', 'PREBUFFER']);

export interface CommandShape {
  name: Node | null;
  args: Node[];
  redirects: Node[];
  assignments: Node[];
}

export abstract class BashFlowState {
  constructor(protected readonly ownName: string | undefined) {}

  /** Runs a list of statements with the given standard input; returns what they print. */
  protected abstract sequence(nodes: Node[], stdin: Taints): Taints;

  protected readonly vars = new Map<string, Taints>();
  /** Literal values of variables, for resolving `$RUN_AI` and `$SCRIPT`. */
  protected readonly values = new Map<string, string>();
  protected readonly files = new Map<string, Taints>();
  protected readonly effects = new Map<string, Effect>();
  /** Function calls being evaluated: arguments' taint and, where literal, their text. */
  protected readonly frames: { name: string; args: Taints[]; lits: (string | undefined)[]; keys: string[] }[] = [];
  protected weak = 0;
  dynamicModelWrite: Taints = CLEAN;

  /** Children and fields of nodes, read once. */
  protected readonly nodes = new NodeCache(namedChildren);


  protected readonly loopInputs = new Map<number, Taints>();

  protected noteLoopInput(node: Node, t: Taints): void {
    const m = t.filter((x) => x.origin.kind === 'model');
    if (m.length) this.loopInputs.set(node.id, union(this.loopInputs.get(node.id) ?? CLEAN, m));
  }

  protected readonly loopFrames: LoopFrame[] = [];

  /** Records a read of a variable or file (`@path`) for the loops around it. */
  protected noteRead(name: string): void {
    for (const f of this.loopFrames) if (!f.written.has(name)) f.readFirst.add(name);
  }

  /** Records a write, and whether it brought an origin the old value did not have. */
  protected noteWrite(name: string, old: Taints | undefined, next: Taints): void {
    if (this.loopFrames.length === 0) return;
    const grew = next.some((t) => !old || !old.some((o) => o.origin === t.origin));
    for (const f of this.loopFrames) {
      f.written.add(name);
      if (grew) f.grew.add(name);
    }
  }

  word(node: Node): Word {
    const taint = this.wordTaint(node);
    const lit = this.resolveLiteral(node);
    const key = lit ?? this.partialText(node);
    const fileT = this.files.size ? this.fileTaint(key) : CLEAN;
    return { node, lit, key, taint: fileT.length ? union(taint, fileT) : taint };
  }

  protected wordTaint(node: Node): Taints {
    switch (node.type) {
      case 'word':
      case 'raw_string':
      case 'ansi_c_string':
      case 'number':
      case 'string_content':
      case 'heredoc_content':
      case 'arithmetic_expansion':
        return CLEAN;
      case 'command_substitution':
      case 'process_substitution': {
        const inner = this.nodes.kids(node);
        if (inner.length === 1 && inner[0]!.type === 'file_redirect') {
          const dest = inner[0]!.childForFieldName('destination');
          return dest ? this.fileTaint(this.word(dest).key) : CLEAN;
        }
        return extend(this.sequence(inner, CLEAN), node, 'captured here');
      }
      case 'simple_expansion':
      case 'expansion': {
        const name = expansionName(node);
        let t = name ? this.lookup(name, node) : CLEAN;
        for (const c of this.nodes.kids(node)) if (c.type !== 'variable_name' && c.type !== 'special_variable_name' && c.type !== 'subscript') t = union(t, this.wordTaint(c));
        return t;
      }
      default: {
        let t: Taints = CLEAN;
        for (const c of this.nodes.kids(node)) t = union(t, this.wordTaint(c));
        return t;
      }
    }
  }

  protected lookup(name: string, at: Node): Taints {
    if (name === '0' || name === 'BASH_SOURCE') return [this.selfTaint(at)];
    if (/^[1-9]$|^[@*]$/.test(name)) {
      const frame = this.frames[this.frames.length - 1];
      if (!frame) return CLEAN;
      return name === '@' || name === '*' ? union(...frame.args) : (frame.args[Number(name) - 1] ?? CLEAN);
    }
    if (this.loopFrames.length) this.noteRead(name);
    // a widget reads the line the user has typed, whatever an earlier widget put there
    if (STAGING_VARS.has(name)) return CLEAN;
    return this.vars.get(name) ?? CLEAN;
  }

  protected readonly origins = new Map<string, Origin>();

  /** One origin object per place, however often it is evaluated (unions compare origins by identity). */
  protected originAt(kind: Origin['kind'], at: Node, label: () => string): Origin {
    const key = `${kind}:${at.id}`;
    let o = this.origins.get(key);
    if (!o) {
      o = { kind, range: rangeOf(at), label: label() };
      this.origins.set(key, o);
    }
    return o;
  }

  protected selfTaint(at: Node): Taint {
    return { origin: this.originAt('self', at, () => at.text), steps: [] };
  }

  /** Literal text with known literal variable values substituted, or undefined. */
  protected readonly staticLits = new Map<number, string | null>();

  /** The literal text of a word without expansions, computed once per node. */
  protected staticLiteral(node: Node): string | undefined {
    let v = this.staticLits.get(node.id);
    if (v === undefined) {
      v = literalText(node) ?? null;
      this.staticLits.set(node.id, v);
    }
    return v ?? undefined;
  }

  protected resolveLiteral(node: Node): string | undefined {
    const t = node.type;
    // Words without any expansion child are fully static.
    if (t === 'word' || t === 'number' || t === 'raw_string' || t === 'ansi_c_string') return this.staticLiteral(node);
    const lit = t === 'string' || t === 'concatenation' ? this.staticLiteral(node) : undefined;
    if (lit !== undefined) return lit;
    if (node.type === 'simple_expansion' || node.type === 'expansion') {
      const name = expansionName(node);
      if (!name) return undefined;
      if (name === '0' || name === 'BASH_SOURCE') return undefined;
      // `$1` inside a function: the literal argument of the call being evaluated
      if (/^[1-9]$/.test(name) && node.type === 'simple_expansion') return this.frames[this.frames.length - 1]?.lits[Number(name) - 1];
      if (node.type === 'expansion' && node.namedChildCount > 1) {
        // `${RUN_AI:-llm -m gpt-4o-mini}`, `${URL:-"https://..."}`: the default, when nothing else is known
        return this.values.get(name) ?? expansionDefault(node.text);
      }
      return this.values.get(name);
    }
    if (node.type === 'string' || node.type === 'concatenation') {
      let out = '';
      for (const c of this.nodes.kids(node)) {
        const t = c.type === 'string_content' ? c.text : this.resolveLiteral(c);
        if (t === undefined) return undefined;
        out += t;
      }
      return out;
    }
    return undefined;
  }

  /** Text of a word with what is known substituted and the rest kept as written: `"$HOST/v1/chat/completions"`. */
  protected partialText(node: Node): string {
    const t = node.type;
    if (t === 'word' || t === 'number' || t === 'raw_string' || t === 'ansi_c_string') return this.staticLiteral(node) ?? unquoted(node);
    if (t === 'simple_expansion' || t === 'expansion') {
      const lit = this.resolveLiteral(node);
      if (lit !== undefined) return lit;
      const name = expansionName(node);
      if (name && /^[1-9]$/.test(name)) return this.frames[this.frames.length - 1]?.keys[Number(name) - 1] ?? node.text;
      return (name && this.partialValues.get(name)) ?? node.text;
    }
    if (t === 'string' || t === 'concatenation') {
      let out = '';
      for (const c of this.nodes.kids(node)) out += c.type === 'string_content' ? c.text : this.partialText(c);
      return out;
    }
    return unquoted(node);
  }

  /** Values known in part (`url="$BASE/v1/chat/completions"`, an array of curl arguments), for matching, not as commands. */
  protected readonly partialValues = new Map<string, string>();

  protected fileTaint(key: string): Taints {
    const k = normalizePath(key);
    if (this.loopFrames.length) this.noteRead(`@${k}`);
    return this.files.get(k) ?? CLEAN;
  }

  writeFile(key: string, t: Taints, range: Range, append: boolean, by: Node): void {
    const k = normalizePath(key);
    const step = extend(t, range, `written to ${key} here`);
    const old = this.files.get(k) ?? CLEAN;
    if (t.length) this.noteWrite(`@${k}`, old, step);
    this.files.set(k, append || this.weak ? union(old, step) : step);
    if (/[$`]/.test(key) && t.some((x) => x.origin.kind === 'model')) this.dynamicModelWrite = union(this.dynamicModelWrite, step);
    this.recordEffects(classifyEffects({ kind: 'write', node: by, range, path: key, taint: t, flow: this }));
  }

  setVar(name: string, t: Taints, literal: string | undefined): void {
    const old = this.vars.get(name);
    if (t.length) this.noteWrite(name, old, t);
    this.vars.set(name, this.weak && old ? union(old, t) : t);
    if (literal !== undefined && !this.weak) this.values.set(name, literal);
    else if (literal !== undefined && !this.values.has(name)) this.values.set(name, literal);
    else if (literal === undefined && !this.weak) this.values.delete(name);
  }

  protected recordEffects(list: Effect[]): void {
    for (const e of list) {
      const key = `${e.kind}:${e.node.id}`;
      const old = this.effects.get(key);
      if (!old) this.effects.set(key, e);
      else old.taint = union(old.taint, e.taint);
    }
  }

  fileTaintOf(key: string): Taints {
    return this.fileTaint(key);
  }

  get ownFileName(): string | undefined {
    return this.ownName;
  }

  protected readonly shapes = new Map<number, CommandShape>();

  /** A command's parts from one read of its children: name, arguments, redirects, prefix assignments. */
  protected shape(cmd: Node): CommandShape {
    let sh = this.shapes.get(cmd.id);
    if (sh) return sh;
    sh = { name: null, args: [], redirects: [], assignments: [] };
    for (const c of this.nodes.kids(cmd)) {
      const t = c.type;
      if (t === 'command_name') sh.name = c.firstNamedChild ?? c;
      else if (t === 'variable_assignment') sh.assignments.push(c);
      else if (t.endsWith('_redirect')) sh.redirects.push(c);
      else if (t !== 'comment') sh.args.push(c);
    }
    this.shapes.set(cmd.id, sh);
    return sh;
  }

  protected weakly<T>(f: () => T): T {
    this.weak++;
    try {
      return f();
    } finally {
      this.weak--;
    }
  }

  protected assign(node: Node): void {
    const nameNode = this.nodes.field(node, 'name');
    const value = this.nodes.field(node, 'value');
    if (!nameNode) return;
    const name = nameNode.type === 'subscript' ? (this.nodes.field(nameNode, 'name')?.text ?? nameNode.text) : nameNode.text;
    const appending = node.children.some((c) => c?.type === '+=') || nameNode.type === 'subscript';
    const w = value ? this.word(value) : undefined;
    let t = w?.taint ?? CLEAN;
    t = extend(t, node, `assigned to ${name} here`);
    // `args=(-s "$URL" -d @req.json)`: the words, joined, for matching the command that expands them
    const partial = value?.type === 'array' ? this.nodes.kids(value).map((e) => this.partialText(e)).join(' ') : value?.type === 'command_substitution' ? undefined : w?.key;
    if (partial !== undefined && !this.weak) this.partialValues.set(name, appending ? `${this.partialValues.get(name) ?? ''} ${partial}`.trim() : partial);
    // zle's BUFFER and bind -x's READLINE_LINE are the command line itself: one Enter runs them
    if (STAGING_VARS.has(name)) {
      const staged = t.filter((x) => x.origin.kind === 'model');
      if (staged.length) this.recordEffects([{ kind: 'stage', node, range: rangeOf(node), label: `\`${name}=\``, taint: staged }]);
    }
    this.setVar(name, appending ? union(this.vars.get(name) ?? CLEAN, t) : t, appending ? undefined : w?.lit);
  }

  /** Builtins that move data into variables or files. */
  protected builtins(base: string | undefined, words: Word[], stdin: Taints, node: Node): void {
    if (base === 'read' || base === 'mapfile' || base === 'readarray') {
      const names: string[] = [];
      for (let i = 1; i < words.length; i++) {
        const w = words[i]!.lit ?? '';
        // options that take a value: read -p -d -n -N -t -u; mapfile -d -n -O -s -u -C -c
        if (base === 'read' ? /^-[pdntNu]$/.test(w) : /^-[dnOsuCc]$/.test(w)) {
          i++;
          continue;
        }
        if (w === '-a') {
          const n = words[i + 1]?.lit;
          if (n) names.push(n);
          i++;
          continue;
        }
        if (w.startsWith('-')) continue;
        names.push(w);
      }
      if (names.length === 0) names.push(base === 'read' ? 'REPLY' : 'MAPFILE');
      for (const n of names) this.setVar(n, extend(stdin, node, `read into ${n} here`), undefined);
    } else if (base === 'printf' && words[1]?.lit === '-v' && words[2]?.lit) {
      const n = words[2].lit;
      this.setVar(n, extend(union(...words.slice(3).map((w) => w.taint)), rangeOf(node), `formatted into ${n} here`), undefined);
    } else if (base === 'tee') {
      for (const w of words.slice(1)) if (!w.key.startsWith('-')) this.writeFile(w.key, stdin, rangeOf(node), words.some((x) => x.lit === '-a'), node);
    } else if ((base === 'cp' || base === 'mv' || base === 'install') && words.length >= 3) {
      const src = words[words.length - 2]!;
      const dst = words[words.length - 1]!;
      const t = this.fileTaint(src.key);
      if (t.length) this.writeFile(dst.key, t, rangeOf(node), false, node);
    }
  }
}
