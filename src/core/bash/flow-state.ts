/**
 * The state of one run of the Bash dataflow, explicit: variables (with their literal values),
 * files written, positional parameters, the loops and functions being walked, and what is
 * recorded (model calls, effects, wrappers). The walk is functions over it that dispatch on node
 * types: flow-stmt.ts (statements, redirects, loops), flow-words.ts (words and expansions),
 * flow-command.ts (commands), flow-invoke.ts (functions, sourced and run scripts); dataflow.ts
 * runs it. The methods here only read and record state; none walks the tree.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, extend, union, type ModelCall, type Origin, type Taint, type Taints } from './taint';
import { literalText, namedChildren, rangeOf } from './tree';
import { NodeCache } from '../tree-util';
import { classifyEffects, type Effect } from './effects';
import { Budget } from '../budget';
import type { ProjectContext } from '../analysers';

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

/** A function (or project script) being evaluated: its arguments' taint and, where literal, their text. */
export interface CallFrame {
  name: string;
  args: Taints[];
  lits: (string | undefined)[];
  keys: string[];
}

export interface CommandShape {
  name: Node | null;
  args: Node[];
  redirects: Node[];
  assignments: Node[];
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

export interface FlowOptions {
  root: Node;
  extraModelCommands: readonly string[];
  ownName: string | undefined;
  /** The text mentions known_hosts, shell history or ~/.ssh/config. */
  mentionsHostFiles?: boolean;
  /** Function definitions when the caller already found them. */
  functionDefs?: readonly Node[];
  budget?: Budget;
  /** The project: `source`d files and scripts run by path are followed into its files. */
  project?: ProjectContext;
}

/** Normalises a file key: `./x` and `x`, `"x"` and x, `${D}` and `$D` name the same file. */
export function normalizePath(p: string): string {
  if (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('"') || p.endsWith('"')) p = p.replace(/^"|"$/g, '');
  return p.includes('${') ? p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1') : p;
}

export class FlowState {
  readonly root: Node;
  readonly extraModelCommands: readonly string[];
  readonly ownFileName: string | undefined;
  readonly mentionsHostFiles: boolean;
  readonly functionDefs: readonly Node[] | undefined;
  readonly budget: Budget;
  readonly project: ProjectContext | undefined;

  constructor(o: FlowOptions) {
    this.root = o.root;
    this.extraModelCommands = o.extraModelCommands;
    this.ownFileName = o.ownName;
    this.mentionsHostFiles = o.mentionsHostFiles ?? true;
    this.functionDefs = o.functionDefs;
    this.budget = o.budget ?? Budget.unlimited();
    this.project = o.project;
  }

  // ---- the environment ----
  readonly vars = new Map<string, Taints>();
  /** Literal values of variables, for resolving `$RUN_AI` and `$SCRIPT`. */
  readonly values = new Map<string, string>();
  /** Values known in part (`url="$BASE/v1/chat/completions"`, an array of curl arguments), for matching, not as commands. */
  readonly partialValues = new Map<string, string>();
  readonly files = new Map<string, Taints>();
  /** Functions defined in the file (and in project files sourced or run), by name. */
  readonly functions = new Map<string, Node>();
  /** Function calls being evaluated, innermost last. */
  readonly frames: CallFrame[] = [];
  /** Inside a branch or loop: assignments join the old value instead of replacing it. */
  weak = 0;
  /** Set once model output was written to a file whose name is only known at run time. */
  dynamicModelWrite: Taints = CLEAN;
  readonly loopFrames: LoopFrame[] = [];
  /** Project files being sourced or run, to stop at cycles. */
  readonly following = new Set<string>();

  // ---- what has been evaluated ----
  readonly evaluated = new Set<string>();
  functionEvals = 0;
  /** Function results by name, incoming origins and literal arguments. */
  readonly memo = new Map<string, Taints>();

  // ---- what is recorded ----
  readonly calls = new Map<number, ModelCall>();
  /** One model-output taint per call node. */
  readonly callTaints = new Map<number, Taints>();
  readonly effects = new Map<string, Effect>();
  readonly wrapperFunctions = new Set<string>();
  /** For each wrapper function, the first model call found in it. */
  readonly wrapperInner = new Map<string, ModelCall>();
  readonly wrapperCalls = new Map<number, WrapperCall>();
  /** What each loop iterates over, where that is model output. */
  readonly loopInputs = new Map<number, Taints>();

  // ---- caches of the tree ----
  /** Children and fields of nodes, read once. */
  readonly nodes = new NodeCache(namedChildren);
  readonly origins = new Map<string, Origin>();
  private readonly staticLits = new Map<number, string | null>();
  private readonly shapes = new Map<number, CommandShape>();

  noteLoopInput(node: Node, t: Taints): void {
    const m = t.filter((x) => x.origin.kind === 'model');
    if (m.length) this.loopInputs.set(node.id, union(this.loopInputs.get(node.id) ?? CLEAN, m));
  }

  /** Records a read of a variable or file (`@path`) for the loops around it. */
  noteRead(name: string): void {
    for (const f of this.loopFrames) if (!f.written.has(name)) f.readFirst.add(name);
  }

  /** Records a write, and whether it brought an origin the old value did not have. */
  noteWrite(name: string, old: Taints | undefined, next: Taints): void {
    if (this.loopFrames.length === 0) return;
    const grew = next.some((t) => !old || !old.some((o) => o.origin === t.origin));
    for (const f of this.loopFrames) {
      f.written.add(name);
      if (grew) f.grew.add(name);
    }
  }

  /** One origin object per place, however often it is evaluated (unions compare origins by identity). */
  originAt(kind: Origin['kind'], at: Node, label: () => string): Origin {
    const key = `${kind}:${at.id}`;
    let o = this.origins.get(key);
    if (!o) {
      o = { kind, range: rangeOf(at), label: label() };
      this.origins.set(key, o);
    }
    return o;
  }

  selfTaint(at: Node): Taint {
    return { origin: this.originAt('self', at, () => at.text), steps: [] };
  }

  /** The literal text of a word without expansions, computed once per node. */
  staticLiteral(node: Node): string | undefined {
    let v = this.staticLits.get(node.id);
    if (v === undefined) {
      v = literalText(node) ?? null;
      this.staticLits.set(node.id, v);
    }
    return v ?? undefined;
  }

  /** A command's parts from one read of its children: name, arguments, redirects, prefix assignments. */
  shape(cmd: Node): CommandShape {
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

  weakly<T>(f: () => T): T {
    this.weak++;
    try {
      return f();
    } finally {
      this.weak--;
    }
  }

  /** What a file holds, by the key a word names it with (a read, for the loops around it). */
  fileTaintOf(key: string): Taints {
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

  recordEffects(list: Effect[]): void {
    for (const e of list) {
      const key = `${e.kind}:${e.node.id}`;
      const old = this.effects.get(key);
      if (!old) this.effects.set(key, e);
      else old.taint = union(old.taint, e.taint);
    }
  }

  /** Every function being evaluated calls a model through `call`: each is a wrapper. */
  markWrappers(call: ModelCall): void {
    for (const fr of this.frames) {
      this.wrapperFunctions.add(fr.name);
      if (!this.wrapperInner.has(fr.name)) this.wrapperInner.set(fr.name, call);
    }
  }
}
