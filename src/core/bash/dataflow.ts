/**
 * The Bash dataflow: walks statements in order with an environment of variables, files and
 * functions, and records where model output (and host lists, and the script's own path) goes.
 * It over-approximates: branches join, loops run twice, unknown commands pass their input on.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, extend, union, type ModelCall, type Origin, type Taints } from './taint';
import { literalText, namedChildren, rangeOf, unquoted, LOOP_TYPES } from './tree';
import { NodeCache } from '../tree-util';
import { basename, matchModelCall, skipPrefixCommands, NO_DATA_OUTPUT, HOST_FILES } from './commands';
import { classifyEffects, type Effect } from './effects';

export interface Word {
  node: Node;
  /** Literal text with known variable values substituted; undefined when dynamic. */
  lit: string | undefined;
  /** Text for keys and messages: quotes removed, unknown expansions kept as written. */
  key: string;
  taint: Taints;
}

export interface FlowResult {
  modelCalls: ModelCall[];
  effects: Effect[];
  /** Functions defined in the file, by name. */
  functions: Map<string, Node>;
  /** Function names whose body calls a model (directly or through other functions). */
  wrapperFunctions: Set<string>;
  /** What each loop iterates over, where that is model output: `llm ... | while read`, `for x in $(llm ...)`. */
  loopInputs: Map<number, Taints>;
}

const MAX_FUNCTION_EVALS = 400;

export class BashFlow {
  private readonly vars = new Map<string, Taints>();
  /** Literal values of variables, for resolving `$RUN_AI` and `$SCRIPT`. */
  private readonly values = new Map<string, string>();
  private readonly files = new Map<string, Taints>();
  private readonly calls = new Map<number, ModelCall>();
  private readonly callTaints = new Map<number, Taints>();
  private readonly effects = new Map<string, Effect>();
  private readonly functions = new Map<string, Node>();
  private readonly wrapperFunctions = new Set<string>();
  private readonly frames: { name: string; args: Taints[] }[] = [];
  private readonly evaluated = new Set<string>();
  private functionEvals = 0;
  dynamicModelWrite: Taints = CLEAN;
  private readonly memo = new Map<string, Taints>();
  private weak = 0;

  constructor(
    private readonly root: Node,
    private readonly extraModelCommands: readonly string[],
    private readonly ownName: string | undefined,
    /** The text mentions known_hosts, shell history or ~/.ssh/config. */
    private readonly mentionsHostFiles = true,
    /** Function definitions when the caller already found them. */
    private readonly functionDefs?: readonly Node[],
  ) {}

  /** Children and fields of nodes, read once. */
  private readonly nodes = new NodeCache(namedChildren);

  private readonly shapes = new Map<number, CommandShape>();
  /** A command's parts from one read of its children: name, arguments, redirects, prefix assignments. */
  private shape(cmd: Node): CommandShape {
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

  run(): FlowResult {
    for (const f of this.functionDefs ?? this.root.descendantsOfType('function_definition').filter((n): n is Node => !!n)) {
      const name = this.nodes.field(f, 'name')?.text;
      if (name) this.functions.set(name, f);
    }
    this.stmt(this.root, CLEAN);
    // Bodies of functions never called still hold model calls worth reporting.
    for (const [name, f] of this.functions) {
      if (!this.evaluated.has(name)) this.callFunction(name, f, [], CLEAN, f);
    }
    return {
      modelCalls: [...this.calls.values()].sort((a, b) => a.node.startIndex - b.node.startIndex),
      effects: [...this.effects.values()],
      functions: this.functions,
      wrapperFunctions: this.wrapperFunctions,
      loopInputs: this.loopInputs,
    };
  }

  // ---- statements: each returns the taint of what it writes to stdout ----

  private stmt(node: Node, stdin: Taints): Taints {
    switch (node.type) {
      case 'comment':
      case 'function_definition':
        return CLEAN;
      case 'command':
        return this.command(node, stdin);
      case 'redirected_statement':
        return this.redirected(node, stdin);
      case 'pipeline':
        return this.pipeline(node, stdin);
      case 'variable_assignment':
        this.assign(node);
        return CLEAN;
      case 'variable_assignments':
      case 'declaration_command':
        for (const c of this.nodes.kids(node)) if (c.type === 'variable_assignment') this.assign(c);
        return CLEAN;
      case 'unset_command':
        for (const c of this.nodes.kids(node)) this.vars.delete(c.text);
        return CLEAN;
      case 'if_statement':
      case 'case_statement':
        return this.weakly(() => this.sequence(this.nodes.kids(node), stdin));
      case 'list': {
        const k = this.nodes.kids(node);
        const [a, b] = [k[0], k[k.length - 1]];
        const out = a ? this.stmt(a, stdin) : CLEAN;
        return union(out, b && b !== a ? this.weakly(() => this.stmt(b, stdin)) : CLEAN);
      }
      case 'while_statement':
      case 'for_statement':
      case 'c_style_for_statement':
        return this.loop(node, stdin);
      case 'test_command':
      case 'negated_command':
      case 'subshell':
      case 'compound_statement':
      case 'program':
      case 'do_group':
      case 'else_clause':
      case 'elif_clause':
      case 'case_item':
      default:
        return this.sequence(this.nodes.kids(node), stdin);
    }
  }

  private sequence(nodes: Node[], stdin: Taints): Taints {
    let out: Taints = CLEAN;
    for (const n of nodes) {
      if (!n.isNamed) continue;
      if (isWordNode(n)) {
        this.word(n); // command substitutions inside still run
        continue;
      }
      out = union(out, this.stmt(n, stdin));
    }
    return out;
  }

  private weakly<T>(f: () => T): T {
    this.weak++;
    try {
      return f();
    } finally {
      this.weak--;
    }
  }

  private readonly loopInputs = new Map<number, Taints>();

  private noteLoopInput(node: Node, t: Taints): void {
    const m = t.filter((x) => x.origin.kind === 'model');
    if (m.length) this.loopInputs.set(node.id, union(this.loopInputs.get(node.id) ?? CLEAN, m));
  }

  private loop(node: Node, stdin: Taints): Taints {
    if (node.type === 'while_statement') this.noteLoopInput(node, stdin);
    return this.weakly(() => {
      let out: Taints = CLEAN;
      const frame: LoopFrame = { written: new Set(), readFirst: new Set(), grew: new Set() };
      this.loopFrames.push(frame);
      for (let pass = 0; pass < 2; pass++) {
        // A second pass matters only when something read before it was written in the body
        // (a loop-carried value) gained an origin during the first.
        if (pass === 1 && ![...frame.readFirst].some((n) => frame.grew.has(n))) break;
        if (pass === 1) this.loopFrames.pop();
        if (node.type === 'for_statement') {
          const variable = this.nodes.field(node, 'variable');
          const values = this.nodes.fields(node, 'value');
          const t = union(...values.map((v) => this.word(v).taint));
          this.noteLoopInput(node, t);
          if (variable) this.setVar(variable.text, extend(t, variable, `iterated as ${variable.text} here`), undefined);
        }
        for (const c of this.nodes.kids(node)) {
          if (c.type === 'variable_name' || isWordNode(c)) continue;
          out = union(out, this.stmt(c, stdin));
        }
      }
      if (this.loopFrames[this.loopFrames.length - 1] === frame) this.loopFrames.pop();
      return out;
    });
  }

  private readonly loopFrames: LoopFrame[] = [];

  /** Records a read of a variable or file (`@path`) for the loops around it. */
  private noteRead(name: string): void {
    for (const f of this.loopFrames) if (!f.written.has(name)) f.readFirst.add(name);
  }

  /** Records a write, and whether it brought an origin the old value did not have. */
  private noteWrite(name: string, old: Taints | undefined, next: Taints): void {
    if (this.loopFrames.length === 0) return;
    const grew = next.some((t) => !old || !old.some((o) => o.origin === t.origin));
    for (const f of this.loopFrames) {
      f.written.add(name);
      if (grew) f.grew.add(name);
    }
  }

  private pipeline(node: Node, stdin: Taints): Taints {
    let flow = stdin;
    for (const c of this.nodes.kids(node)) {
      if (c.type === "comment") continue;
      flow = extend(this.stmt(c, flow), c, 'piped on here');
    }
    return flow;
  }

  private redirected(node: Node, stdin: Taints): Taints {
    const body = this.nodes.field(node, 'body');
    const redirects = this.nodes.fields(node, 'redirect');
    // `cat <<EOF | bash`: the rest of the pipeline is parsed inside the heredoc redirect
    const heredoc = redirects.find((r) => r.type === 'heredoc_redirect');
    const rest = heredoc ? this.nodes.kids(heredoc).filter((c) => !['heredoc_start', 'heredoc_body', 'heredoc_end'].includes(c.type)) : [];
    if (!body) return CLEAN;
    let out = this.withRedirects(redirects, stdin, body, (input) => this.stmtWithInput(body, input));
    for (const c of rest) {
      if (c.type === 'pipeline') for (const p of this.nodes.kids(c)) out = this.stmt(p, out);
      else if (c.type !== 'file_redirect') out = this.stmt(c, out);
    }
    return out;
  }

  /** Runs `run` with standard input from the redirects, then writes its output where they say. */
  private withRedirects(redirects: Node[], stdin: Taints, by: Node, run: (input: Taints) => Taints): Taints {
    let input = stdin;
    const outputs: { key: string; append: boolean; range: Range }[] = [];
    let toStderr = false;
    for (const r of redirects) {
      if (r.type === 'herestring_redirect') {
        const w = this.nodes.kids(r).find((c) => isWordNode(c));
        if (w) input = union(input, extend(this.word(w).taint, r, 'fed as standard input here'));
      } else if (r.type === 'heredoc_redirect') {
        const start = this.nodes.kids(r).find((c) => c.type === 'heredoc_start');
        const quoted = !!start && /['"\\]/.test(start.text);
        const hbody = this.nodes.kids(r).find((c) => c.type === 'heredoc_body');
        if (hbody && !quoted) input = union(input, extend(this.word(hbody).taint, hbody, 'fed as a here-document here'));
        for (const fr of this.nodes.kids(r)) if (fr.type === 'file_redirect') this.outputRedirect(fr, outputs, () => (toStderr = true));
      } else if (r.type === 'file_redirect') {
        const op = r.child(0)?.text ?? '';
        const dest = this.nodes.field(r, 'destination');
        if (op === '<' && dest) input = union(input, this.word(dest).taint);
        else this.outputRedirect(r, outputs, () => (toStderr = true));
      }
    }
    const out = run(input);
    for (const o of outputs) this.writeFile(o.key, out, o.range, o.append, by);
    return outputs.length || toStderr ? CLEAN : out;
  }

  private outputRedirect(r: Node, outputs: { key: string; append: boolean; range: Range }[], stderr: () => void): void {
    const op = r.child(0)?.text ?? '';
    const dest = this.nodes.field(r, 'destination');
    if (!dest || !op.includes('>')) return;
    if (/^\d*>&/.test(op) || op === '>&') {
      if (dest.text === '2') stderr();
      return;
    }
    const w = this.word(dest);
    if (w.key === '/dev/null' || w.key === '/dev/stderr') stderr();
    else outputs.push({ key: w.key, append: op.includes('>>'), range: rangeOf(r) });
  }

  private stmtWithInput(body: Node, input: Taints): Taints {
    if (body.type === 'while_statement' || body.type === 'for_statement') return this.loop(body, input);
    return this.stmt(body, input);
  }

  // ---- words ----

  word(node: Node): Word {
    const taint = this.wordTaint(node);
    const lit = this.resolveLiteral(node);
    const key = lit ?? unquoted(node);
    const fileT = this.files.size ? this.fileTaint(key) : CLEAN;
    return { node, lit, key, taint: fileT.length ? union(taint, fileT) : taint };
  }

  private wordTaint(node: Node): Taints {
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

  private lookup(name: string, at: Node): Taints {
    if (name === '0' || name === 'BASH_SOURCE') return [this.selfTaint(at)];
    if (/^[1-9]$|^[@*]$/.test(name)) {
      const frame = this.frames[this.frames.length - 1];
      if (!frame) return CLEAN;
      return name === '@' || name === '*' ? union(...frame.args) : (frame.args[Number(name) - 1] ?? CLEAN);
    }
    if (this.loopFrames.length) this.noteRead(name);
    return this.vars.get(name) ?? CLEAN;
  }

  private readonly origins = new Map<string, Origin>();
  /** One origin object per place, however often it is evaluated (unions compare origins by identity). */
  private originAt(kind: Origin['kind'], at: Node, label: () => string): Origin {
    const key = `${kind}:${at.id}`;
    let o = this.origins.get(key);
    if (!o) {
      o = { kind, range: rangeOf(at), label: label() };
      this.origins.set(key, o);
    }
    return o;
  }

  private selfTaint(at: Node): import('./taint').Taint {
    return { origin: this.originAt('self', at, () => at.text), steps: [] };
  }

  /** Literal text with known literal variable values substituted, or undefined. */
  private readonly staticLits = new Map<number, string | null>();
  /** The literal text of a word without expansions, computed once per node. */
  private staticLiteral(node: Node): string | undefined {
    let v = this.staticLits.get(node.id);
    if (v === undefined) {
      v = literalText(node) ?? null;
      this.staticLits.set(node.id, v);
    }
    return v ?? undefined;
  }

  private resolveLiteral(node: Node): string | undefined {
    const t = node.type;
    // Words without any expansion child are fully static.
    if (t === 'word' || t === 'number' || t === 'raw_string' || t === 'ansi_c_string') return this.staticLiteral(node);
    const lit = t === 'string' || t === 'concatenation' ? this.staticLiteral(node) : undefined;
    if (lit !== undefined) return lit;
    if (node.type === 'simple_expansion' || node.type === 'expansion') {
      const name = expansionName(node);
      if (!name) return undefined;
      if (name === '0' || name === 'BASH_SOURCE') return undefined;
      if (node.type === 'expansion' && node.namedChildCount > 1) {
        // `${RUN_AI:-llm -m gpt-4o-mini}`: the default, when nothing else is known
        const d = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=]([^$`"'{}]*)\}$/.exec(node.text);
        return this.values.get(name) ?? d?.[1];
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

  private fileTaint(key: string): Taints {
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

  // ---- assignments ----

  private assign(node: Node): void {
    const nameNode = this.nodes.field(node, 'name');
    const value = this.nodes.field(node, 'value');
    if (!nameNode) return;
    const name = nameNode.type === 'subscript' ? (this.nodes.field(nameNode, 'name')?.text ?? nameNode.text) : nameNode.text;
    const appending = node.children.some((c) => c?.type === '+=') || nameNode.type === 'subscript';
    const w = value ? this.word(value) : undefined;
    let t = w?.taint ?? CLEAN;
    t = extend(t, node, `assigned to ${name} here`);
    this.setVar(name, appending ? union(this.vars.get(name) ?? CLEAN, t) : t, appending ? undefined : w?.lit);
  }

  setVar(name: string, t: Taints, literal: string | undefined): void {
    const old = this.vars.get(name);
    if (t.length) this.noteWrite(name, old, t);
    this.vars.set(name, this.weak && old ? union(old, t) : t);
    if (literal !== undefined && !this.weak) this.values.set(name, literal);
    else if (literal !== undefined && !this.values.has(name)) this.values.set(name, literal);
    else if (literal === undefined && !this.weak) this.values.delete(name);
  }

  getVar(name: string): Taints {
    return this.vars.get(name) ?? CLEAN;
  }

  // ---- commands ----

  private command(node: Node, stdin: Taints): Taints {
    const redirects = this.shape(node).redirects;
    if (redirects.length) return this.withRedirects(redirects, stdin, node, (input) => this.plainCommand(node, input));
    return this.plainCommand(node, stdin);
  }

  private plainCommand(node: Node, stdin: Taints): Taints {
    const shape = this.shape(node);
    const nameNode = shape.name;
    for (const c of shape.assignments) {
      const v = this.nodes.field(c, 'value');
      if (v) this.word(v);
    }
    if (!nameNode) return CLEAN;
    const nameWord = this.word(nameNode);
    const args = shape.args.map((a) => this.word(a));
    let words: Word[] = [nameWord, ...args];

    // `$LLM prompt` where LLM="ollama run llama3": split the literal value into words.
    if (nameWord.lit !== undefined && /\s/.test(nameWord.lit.trim()) && nameNode.type !== 'word') {
      const parts = nameWord.lit.trim().split(/\s+/);
      words = [...parts.map((p) => ({ node: nameNode, lit: p, key: p, taint: CLEAN })), ...args];
    }
    // `env KEY="$x" sgpt ...`: an assignment word is skipped even when its value is not literal
    const lits = words.map((w) => w.lit ?? (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.key) ? w.key : undefined));
    const { index: start } = skipPrefixCommands(lits);
    const real = start >= 0 ? words.slice(start) : words;
    const name = real[0]?.lit;

    // A shell function defined in this file.
    if (name !== undefined && this.functions.has(name)) {
      const f = this.functions.get(name)!;
      const out = this.callFunction(name, f, real.slice(1).map((w) => w.taint), stdin, node);
      return extend(out, node, `returned by ${name}() here`);
    }

    const shown = nameNode.text;
    const completionSetup = shape.assignments.some((a) => /_COMPLETE=/.test(a.text));
    const match = real[0] && !completionSetup ? matchModelCall(real.map((w, i) => (i === 0 ? w.lit : (w.lit ?? w.key))), start > 0 ? (real[0].lit ?? shown) : shown, this.extraModelCommands) : undefined;
    let out: Taints = CLEAN;
    if (match) {
      let call = this.calls.get(node.id);
      if (!call) {
        call = { node, range: rangeOf(node), ...match };
        this.calls.set(node.id, call);
        for (const fr of this.frames) this.wrapperFunctions.add(fr.name);
      }
      // One origin per call, however often a loop or function body is evaluated again.
      let produced = this.callTaints.get(node.id);
      if (!produced) {
        produced = [{ origin: { kind: 'model', call, range: call.range, label: call.label }, steps: [{ range: call.range, message: `model output produced by ${call.label} here` }] }];
        this.callTaints.set(node.id, produced);
      }
      out = produced;
    }

    const base = name !== undefined ? basename(name) : undefined;
    this.builtins(base, real, stdin, node);
    this.recordEffects(classifyEffects({ kind: 'command', node, words: real, allWords: words, stdin, flow: this }));

    if (match) return out;
    if (base !== undefined && NO_DATA_OUTPUT.has(base)) return CLEAN;
    if (this.mentionsHostFiles && base !== undefined && real.some((w, i) => i > 0 && HOST_FILES.test(w.key))) {
      const hosts = this.originAt('hosts', node, () => real.map((w) => w.key).find((k) => HOST_FILES.test(k)) ?? 'host list');
      out = union(out, [{ origin: hosts, steps: [{ range: rangeOf(node), message: `host names read from ${hosts.label} here` }] }]);
    }
    // Unknown commands pass their input and arguments on to their output.
    let passed: Taints = union(out, stdin, nameWord.taint);
    for (let i = 1; i < real.length; i++) if (real[i]!.taint.length) passed = union(passed, real[i]!.taint);
    return passed;
  }

  /** Builtins that move data into variables or files. */
  private builtins(base: string | undefined, words: Word[], stdin: Taints, node: Node): void {
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

  callFunction(name: string, f: Node, args: Taints[], stdin: Taints, site: Node): Taints {
    this.evaluated.add(name);
    if (this.frames.some((fr) => fr.name === name)) return CLEAN;
    // Context-sensitive, but a body is evaluated once per combination of incoming origins.
    const memoKey = `${name}|${args.map(signature).join(',')}|${signature(stdin)}`;
    const memo = this.memo.get(memoKey);
    if (memo) return memo;
    const out = this.evalFunction(name, f, args, stdin, site);
    this.memo.set(memoKey, out);
    return out;
  }

  private evalFunction(name: string, f: Node, args: Taints[], stdin: Taints, site: Node): Taints {
    if (this.functionEvals++ > MAX_FUNCTION_EVALS) return CLEAN;
    const body = this.nodes.field(f, 'body');
    if (!body) return CLEAN;
    const steppedArgs = args.map((a, i) => extend(a, site, `passed to ${name}() as $${i + 1} here`));
    this.frames.push({ name, args: steppedArgs });
    try {
      return this.stmt(body, stdin);
    } finally {
      this.frames.pop();
    }
  }

  private recordEffects(list: Effect[]): void {
    for (const e of list) {
      const key = `${e.kind}:${e.node.id}`;
      const old = this.effects.get(key);
      if (!old) this.effects.set(key, e);
      else old.taint = union(old.taint, e.taint);
    }
  }

  isFunction(name: string): boolean {
    return this.functions.has(name);
  }

  fileTaintOf(key: string): Taints {
    return this.fileTaint(key);
  }

  get ownFileName(): string | undefined {
    return this.ownName;
  }

  inLoop(node: Node): boolean {
    for (let p = node.parent; p; p = p.parent) if (LOOP_TYPES.has(p.type)) return true;
    return false;
  }
}

const originIds = new WeakMap<object, number>();
let nextOriginId = 1;
function signature(t: Taints): string {
  if (t.length === 0) return '';
  return t
    .map((x) => {
      let id = originIds.get(x.origin);
      if (!id) originIds.set(x.origin, (id = nextOriginId++));
      return id;
    })
    .join('+');
}

interface LoopFrame {
  written: Set<string>;
  /** Read before written in the body: values that can come around from the previous turn. */
  readFirst: Set<string>;
  /** Gained an origin during the first pass. */
  grew: Set<string>;
}

interface CommandShape {
  name: Node | null;
  args: Node[];
  redirects: Node[];
  assignments: Node[];
}

export function isWordNode(n: Node): boolean {
  return [
    'word', 'string', 'raw_string', 'ansi_c_string', 'concatenation', 'simple_expansion', 'expansion',
    'command_substitution', 'process_substitution', 'number', 'array', 'arithmetic_expansion', 'heredoc_body',
  ].includes(n.type);
}

export function expansionName(node: Node): string | undefined {
  for (const c of namedChildren(node)) {
    if (c.type === 'variable_name' || c.type === 'special_variable_name') return c.text;
    if (c.type === 'subscript') return c.childForFieldName('name')?.text;
  }
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(node.text);
  return m?.[1];
}

export function normalizePath(p: string): string {
  if (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('"') || p.endsWith('"')) p = p.replace(/^"|"$/g, '');
  return p.includes('${') ? p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1') : p;
}

export { basename };
