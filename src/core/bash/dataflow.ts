/**
 * The Bash dataflow: walks statements in order with an environment of variables, files and
 * functions, and records where model output (and host lists, and the script's own path) goes.
 * It over-approximates: branches join, loops run twice, unknown commands pass their input on.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, extend, union, type ModelCall, type Taints } from './taint';
import { rangeOf } from './tree';
import { basename, matchModelCall, skipPrefixCommands, NO_DATA_OUTPUT, HOST_FILES } from './commands';
import { classifyEffects, type Effect } from './effects';
import type { ProjectContext } from '../analysers';
import type { ProjectSource } from '../project';
import { fileOfNode } from '../tree-util';
import { BashFlowState, isWordNode, type LoopFrame, type Word } from './flow-state';
import { Budget } from '../budget';
import { scanText } from './scan';

export interface FlowResult {
  modelCalls: ModelCall[];
  effects: Effect[];
  /** Functions defined in the file, by name. */
  functions: Map<string, Node>;
  /** Function names whose body calls a model (directly or through other functions). */
  wrapperFunctions: Set<string>;
  /** Calls of those functions: each is a model call by what the function does. */
  wrapperCalls: WrapperCall[];
  /** What each loop iterates over, where that is model output: `llm ... | while read`, `for x in $(llm ...)`. */
  loopInputs: Map<number, Taints>;
}

export interface WrapperCall {
  node: Node;
  range: Range;
  name: string;
  /** A script of the project run by path (`./bin/query-model`), not a function. */
  script?: boolean;
  /** The model call the function makes (directly or through another wrapper). */
  inner: ModelCall;
}

const MAX_FUNCTION_EVALS = 400;
/** Project files followed at once through source and runs. */
const MAX_FOLLOWED = 16;
/** Programs whose first operand is a script they run. */
const SCRIPT_RUNNERS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'source', '.']);

export class BashFlow extends BashFlowState {
  private readonly calls = new Map<number, ModelCall>();
  private readonly callTaints = new Map<number, Taints>();
  private readonly functions = new Map<string, Node>();
  private readonly wrapperFunctions = new Set<string>();
  /** For each wrapper function, the first model call found in it. */
  private readonly wrapperInner = new Map<string, ModelCall>();
  private readonly wrapperCalls = new Map<number, WrapperCall>();
  private readonly evaluated = new Set<string>();
  private functionEvals = 0;
  private readonly memo = new Map<string, Taints>();

  constructor(
    private readonly root: Node,
    private readonly extraModelCommands: readonly string[],
    ownName: string | undefined,
    /** The text mentions known_hosts, shell history or ~/.ssh/config. */
    private readonly mentionsHostFiles = true,
    /** Function definitions when the caller already found them. */
    private readonly functionDefs?: readonly Node[],
    private readonly budget: Budget = Budget.unlimited(),
    /** The project: `source`d files and scripts run by path are followed into its files. */
    private readonly project?: ProjectContext,
  ) {
    super(ownName);
  }

  /** Project files being sourced or run, to stop at cycles. */
  private readonly following = new Set<string>();

  /** The project's Bash file that `ref` names from the file of `at`, or undefined. */
  private projectScript(at: Node, ref: string): ProjectSource | undefined {
    if (!this.project || !ref || ref.startsWith('-')) return undefined;
    const path = this.project.view.resolveScript(fileOfNode(at) ?? this.project.path, ref);
    const src = path ? this.project.view.source(path) : undefined;
    return src?.language === 'bash' && !this.following.has(src.path) && this.following.size < MAX_FOLLOWED ? src : undefined;
  }

  /** `source FILE`: its definitions and statements run here, in this shell. */
  private sourceFile(src: ProjectSource, stdin: Taints): Taints {
    this.following.add(src.path);
    try {
      this.defineFunctions(src.tree.rootNode);
      return this.sequence(this.nodes.kids(src.tree.rootNode), stdin);
    } finally {
      this.following.delete(src.path);
    }
  }

  private defineFunctions(root: Node): void {
    for (const f of root.descendantsOfType('function_definition')) {
      const name = f ? this.nodes.field(f, 'name')?.text : undefined;
      if (f && name && !this.functions.has(name)) this.functions.set(name, f);
    }
  }


  run(): FlowResult {
    for (const f of this.functionDefs ?? this.root.descendantsOfType('function_definition').filter((n): n is Node => !!n)) {
      const name = this.nodes.field(f, 'name')?.text;
      if (name) this.functions.set(name, f);
    }
    try {
      this.stmt(this.root, CLEAN);
      // Bodies of functions never called still hold model calls worth reporting.
      for (const [name, f] of this.functions) {
        if (!this.evaluated.has(name) && this.mayMatterUncalled(f)) this.callFunction(name, f, [], CLEAN, f);
      }
    } catch (e) {
      // Out of time or stack: what was found so far stands, and the note says where the walk stopped.
      this.budget.noteStop(e, 'the Bash dataflow');
    }
    return {
      modelCalls: [...this.calls.values()].sort((a, b) => a.node.startIndex - b.node.startIndex),
      effects: [...this.effects.values()],
      functions: this.functions,
      wrapperFunctions: this.wrapperFunctions,
      wrapperCalls: [...this.wrapperCalls.values()].sort((a, b) => a.node.startIndex - b.node.startIndex),
      loopInputs: this.loopInputs,
    };
  }

  /**
   * Whether walking a function nobody calls (with no arguments and no input) can record
   * anything. Effects need taint, so a body can only matter if it names a model, the script
   * itself, host lists or persistence, reads a variable or file that holds taint or a literal
   * value (`$cmd` where cmd=llm), calls another function of the file, or the script has written
   * model output to a file named at run time. A 1,000-line script of ordinary functions then
   * costs what its few model-related functions cost.
   */
  private mayMatterUncalled(f: Node): boolean {
    if (this.dynamicModelWrite.length) return true;
    const text = f.text;
    const scan = scanText(text, this.ownFileName);
    if (scan.strong || scan.weak || scan.host || scan.persist || scan.selfMentions.length) return true;
    if (this.extraModelCommands.some((c) => text.includes(c.trim().split(/\s+/)[0]!))) return true;
    for (const [name, t] of this.vars) if (t.length && mentions(text, name)) return true;
    for (const [name, v] of this.values) if (mentions(text, name) && valueMayMatter(v)) return true;
    for (const [key, t] of this.files) if (t.length && text.includes(key.replace(/^.*\//, ''))) return true;
    const own = this.nodes.field(f, 'name')?.text;
    for (const name of this.functions.keys()) if (name !== own && mentions(text, name)) return true;
    return false;
  }

  // ---- statements: each returns the taint of what it writes to stdout ----

  private stmt(node: Node, stdin: Taints): Taints {
    this.budget.tick(node);
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

  protected sequence(nodes: Node[], stdin: Taints): Taints {
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

  // ---- assignments ----

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

    // `source lib.sh` / `. "$DIR/lib.sh"` of a project file: it runs in this shell.
    if ((name === 'source' || name === '.') && real[1]) {
      const src = this.projectScript(node, real[1].key);
      if (src) return this.sourceFile(src, stdin);
    }
    // `./tool.sh args`, `bash tools/x.sh args`: another script of the project, run with these arguments.
    const runs = real.some((w) => /^-[a-z]*c$/.test(w.key)) ? -1 : name !== undefined && SCRIPT_RUNNERS.has(basename(name)) ? real.findIndex((w, i) => i > 0 && !w.key.startsWith('-')) : real[0] && /\/|\.(sh|bash)$/.test(real[0].key) ? 0 : -1;
    const script = runs >= 0 ? this.projectScript(node, real[runs]!.key) : undefined;
    if (script) return this.runScript(script, real.slice(runs + 1), stdin, node);
    // A shell function defined in this file.
    if (name !== undefined && this.functions.has(name)) {
      const f = this.functions.get(name)!;
      const out = this.callFunction(name, f, real.slice(1).map((w) => w.taint), stdin, node, real.slice(1).map((w) => w.lit), real.slice(1).map((w) => w.key));
      // A function whose body calls a model is a model wrapper by what it does: this call asks the model.
      const inner = this.wrapperInner.get(name);
      if (inner) {
        this.markWrappers(inner);
        if (!this.wrapperCalls.has(node.id)) this.wrapperCalls.set(node.id, { node, range: rangeOf(node), name, inner });
      }
      return extend(out, node, `returned by ${name}() here`);
    }

    // `eval $llm` where $llm names a model client or wrapper (not model output): that command runs
    const evalLine = name === 'eval' && real.length > 1 && !real.some((w) => w.taint.some((t) => t.origin.kind === 'model'))
      ? real.slice(1).map((w) => w.key).join(' ').trim().split(/\s+/)
      : undefined;
    const shown = nameNode.text;
    const completionSetup = shape.assignments.some((a) => /_COMPLETE=/.test(a.text));
    const match = evalLine && !completionSetup
      ? matchModelCall(evalLine.map((w) => w.replace(/^["']|["']$/g, '')), `eval ${evalLine.join(' ')}`.slice(0, 60), this.extraModelCommands)
      : real[0] && !completionSetup ? matchModelCall(real.map((w, i) => (i === 0 ? w.lit : (w.lit ?? w.key))), start > 0 ? (real[0].lit ?? shown) : shown, this.extraModelCommands) : undefined;
    let out: Taints = CLEAN;
    if (match) {
      let call = this.calls.get(node.id);
      if (!call) {
        call = { node, range: rangeOf(node), ...match };
        this.calls.set(node.id, call);
      }
      this.markWrappers(call);
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

  /** Another script of the project run as a command: a function call with its own name, in effect. */
  private runScript(src: ProjectSource, args: Word[], stdin: Taints, site: Node): Taints {
    const name = src.path.replace(/^.*\//, '');
    this.following.add(src.path);
    let out: Taints;
    try {
      this.defineFunctions(src.tree.rootNode);
      if (this.functionEvals++ > MAX_FUNCTION_EVALS) return CLEAN;
      this.frames.push({ name, args: args.map((a, i) => extend(a.taint, site, `passed to ${name} as $${i + 1} here`)), lits: args.map((a) => a.lit), keys: args.map((a) => a.key) });
      try {
        out = this.sequence(this.nodes.kids(src.tree.rootNode), stdin);
      } finally {
        this.frames.pop();
      }
    } finally {
      this.following.delete(src.path);
    }
    // a script that calls a model is a model wrapper by what it does, like a function
    const inner = this.wrapperInner.get(name);
    if (inner) {
      this.markWrappers(inner);
      if (!this.wrapperCalls.has(site.id)) this.wrapperCalls.set(site.id, { node: site, range: rangeOf(site), name, script: true, inner });
    }
    return extend(out, site, `printed by ${name} here`);
  }

  /** Every function being evaluated calls a model through `call`: each is a wrapper. */
  private markWrappers(call: ModelCall): void {
    for (const fr of this.frames) {
      this.wrapperFunctions.add(fr.name);
      if (!this.wrapperInner.has(fr.name)) this.wrapperInner.set(fr.name, call);
    }
  }

  callFunction(name: string, f: Node, args: Taints[], stdin: Taints, site: Node, lits: (string | undefined)[] = [], keys: string[] = []): Taints {
    this.evaluated.add(name);
    if (this.frames.some((fr) => fr.name === name)) return CLEAN;
    // Context-sensitive, but a body is evaluated once per combination of incoming origins and literal arguments.
    const memoKey = `${name}|${args.map(signature).join(',')}|${signature(stdin)}|${lits.map((l) => l ?? '?').join('\0')}|${keys.join('\0')}`;
    const memo = this.memo.get(memoKey);
    if (memo) return memo;
    const out = this.evalFunction(name, f, args, stdin, site, lits, keys);
    this.memo.set(memoKey, out);
    return out;
  }

  private evalFunction(name: string, f: Node, args: Taints[], stdin: Taints, site: Node, lits: (string | undefined)[], keys: string[]): Taints {
    // Each definition once on its own, and MAX_FUNCTION_EVALS more at call sites.
    const limit = MAX_FUNCTION_EVALS + this.functions.size;
    if (this.functionEvals++ >= limit) {
      this.budget.note('function-evaluations', site === f ? f : site, `the Bash dataflow stopped following functions here: it had evaluated ${limit} function bodies (function evaluations); ${name}() and the functions after it were not followed`);
      return CLEAN;
    }
    const body = this.nodes.field(f, 'body');
    if (!body) return CLEAN;
    const steppedArgs = args.map((a, i) => extend(a, site, `passed to ${name}() as $${i + 1} here`));
    this.frames.push({ name, args: steppedArgs, lits, keys });
    try {
      return this.stmt(body, stdin);
    } finally {
      this.frames.pop();
    }
  }

}

/** `name` as a whole word of `text` (names may hold `-` and `.`, which end no word here). */
function mentions(text: string, name: string): boolean {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = text[i - 1];
    const after = text[i + name.length];
    if ((!before || !/[\w.-]/.test(before)) && (!after || !/[\w.-]/.test(after))) return true;
  }
  return false;
}

/** A literal value that could make a command a model call: a model client, a wrapper's name, an endpoint. */
function valueMayMatter(value: string): boolean {
  const scan = scanText(value, undefined);
  return scan.strong || scan.weak || scan.host || scan.persist;
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
