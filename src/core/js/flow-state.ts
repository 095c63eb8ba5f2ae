/** The JavaScript dataflow: its state and what it records (the dataflow is in dataflow.ts and the flow-*.ts files). */
import type { Node } from 'web-tree-sitter';
import { Env } from './env';
import { CLEAN, extend, union, type JsModelCall, type Origin, type Taints, type Val } from './taint';
import { calleeLabel, functionName, isFunction, named, rangeOf } from './tree';
import { NodeCache } from '../tree-util';
import type { ProcessApi } from './modules';
import type { CallHost } from './calls';
import { Budget } from '../budget';
import type { ProjectContext } from '../analysers';
import type { ModuleRecord, ProjectModules } from './project-modules';
import { StateKeys } from './state-key';
import type { CallSite, JsEffect, JsEffectKind, JsFanout, JsLeave, JsSpawn } from './results';

export const MAX_FUNCTION_EVALS = 2000;

export interface Frame {
  returns: Val;
}

/** Self origins that name one module's file rather than the program's (`process.argv[1]`). */
const MODULE_PATH = /__filename|import\.meta/;

/** `./a.js` and `a.js` name the same file. */
const fileKey = (f: string) => f.replace(/^\.\//, '');

/** The state of the JavaScript dataflow and what it records (the CallHost side). */
/**
 * The state of one run of the JavaScript dataflow, explicit: scopes, what has been evaluated, and
 * what is recorded (the CallHost side). The walk itself is functions over it: flow-stmt.ts
 * (statements), flow-expr.ts (expressions), flow-bind.ts (patterns), flow-invoke.ts (functions,
 * constructors, tools), flow-calls.ts (calls); dataflow.ts runs the passes.
 */
export class FlowState implements CallHost {
  readonly root = new Env();
  readonly calls = new Map<number, JsModelCall>();
  readonly effects = new Map<string, JsEffect>();
  readonly spawns = new Map<number, JsSpawn>();
  readonly leaves = new Map<number, JsLeave>();
  readonly fanouts = new Map<number, JsFanout>();
  readonly written = new Map<string, Taints>();
  readonly classFields = new Map<number, Map<string, Val>>();
  /** Classes constructed in this flow with arguments: their methods run with the instance, in whichever file they are. */
  readonly constructed = new Map<number, Node>();
  readonly memo = new Map<string, Val>();
  readonly evaluated = new Set<number>();
  readonly stack: number[] = [];
  /** The call sites of the functions being evaluated, outermost first. */
  readonly sites: Node[] = [];
  readonly frames: Frame[] = [];
  readonly origins = new Map<string, Origin>();
  readonly seenFns: { node: Node; env: Env }[] = [];
  readonly seenIds = new Set<number>();
  weak = 0;
  secondPass = false;
  evals = 0;
  /** Set for the one evaluation of a function no call reached (bounded by the number of functions, so not counted against the budget). */
  sweeping = false;
  /** Set once anything is tainted: loops then run a second time to carry values around. */
  tainted = false;

  /** Fingerprints of the state, for loops (see state-key.ts). */
  readonly keys = new StateKeys();
  /** Per loop node: the states it has reached its fixpoint from. */
  readonly loopStates = new Map<number, Set<string>>();

  /** Receivers of `.map`/`.flatMap` calls, by call node, for fan-out detection. */
  readonly mapReceivers = new Map<number, Val>();

  constructor(
    readonly program: Node,
    readonly extraSdk: readonly string[],
    readonly extraCli: readonly string[],
    /**
     * The file names no model SDK or endpoint: only processes and the program's own path matter,
     * and functions that name no process API are not followed, until a model CLI answers.
     */
    public spawnOnly = false,
    readonly budget: Budget = Budget.unlimited(),
    /** The project, when the entry's imports of other project files are followed. */
    readonly project?: ProjectContext,
  ) {}

  /** Functions already run as tools handed to a model. */
  readonly toolsRun = new Set<number>();
  /** The entry file's module record, in a project. */
  entryRecord: ModuleRecord | undefined;

  /** Project modules loaded by this flow (set by the flow when it runs in a project). */
  modules: ProjectModules | undefined;

  /** Exports of the project module `spec` names from the file of `at`, evaluating it first; undefined when it is not one. */
  loadModule(at: Node, spec: string): Val | undefined {
    if (!this.modules) return undefined;
    const path = this.modules.resolve(at, spec);
    return path ? this.modules.load(path) : undefined;
  }

  /** The module scope of a node's file: a class body or method of an imported module sees that module's names. */
  moduleEnvOf(node: Node): Env {
    return this.modules?.envOf(node) ?? this.root;
  }

  /** Named children (comments left out), read once per node: functions are evaluated more than once. */
  readonly nodes = new NodeCache(named);

  noteFn(node: Node, env: Env): void {
    if (!this.seenIds.has(node.id)) {
      this.seenIds.add(node.id);
      this.seenFns.push({ node, env });
    }
  }

  noteClass(node: Node, env: Env): void {
    const body = node.childForFieldName('body');
    for (const m of body ? this.nodes.kids(body) : []) if (m.type === 'method_definition') this.noteFn(m, env);
  }

  weakly(f: () => void): void {
    this.weak++;
    try {
      f();
    } finally {
      this.weak--;
    }
  }

  fieldsOf(cls: Node): Map<string, Val> {
    let m = this.classFields.get(cls.id);
    if (!m) {
      m = new Map();
      this.classFields.set(cls.id, m);
    }
    return m;
  }

  methodOf(cls: Node, name: string): Node | undefined {
    const body = cls.childForFieldName('body');
    for (const m of body ? this.nodes.kids(body) : []) if (m.type === 'method_definition' && m.childForFieldName('name')?.text === name) return m;
    return undefined;
  }

  selfOrigin(node: Node, label: string): Origin {
    return this.origin(`s${node.id}`, () => ({ kind: 'self', range: rangeOf(node), label }));
  }

  origin(key: string, make: () => Origin): Origin {
    let o = this.origins.get(key);
    if (!o) {
      o = make();
      this.origins.set(key, o);
    }
    return o;
  }

  // ---- CallHost -------------------------------------------------------------------

  /**
   * The call site to report a model call at: the call of a wrapper that was handed the program or
   * URL (`executeCommand('codex', args)` for the `spawn(file, args)` inside it), while that call
   * is being evaluated; else the call itself.
   */
  outerSite(site: CallSite, decisive: (Val | undefined)[]): CallSite {
    for (const v of decisive) {
      const via = v?.via;
      if (!via || via.id === site.node.id || !this.sites.some((s) => s.id === via.id)) continue;
      const fn = via.childForFieldName('function') ?? via.childForFieldName('constructor');
      const inFn = enclosingName(site.node) ?? 'the function';
      return { ...site, node: via, range: rangeOf(via), label: fn ? calleeLabel(fn) : 'call', through: { range: site.range, message: `\`${site.label}\` in \`${inFn}\` starts it here` } };
    }
    return site;
  }

  modelCall(site: CallSite, kind: JsModelCall['kind'], reason: string, confidence: 'high' | 'low', inputs: Taints, approvalsOff?: string): Val {
    let call = this.calls.get(site.node.id);
    if (!call) {
      call = { node: site.node, range: site.range, label: `\`${site.label}\``, kind, reason, confidence, through: site.through };
      this.calls.set(site.node.id, call);
    }
    // the same call site may start the agent with approvals off in one context: that is what it does
    if (approvalsOff && !call.approvalsOff) call.approvalsOff = approvalsOff;
    const origin = this.origin(`m${site.node.id}`, () => ({ kind: 'model', call, range: site.range, label: originLabel(call) }));
    this.tainted = true;
    return { t: union([{ origin, steps: [] }], inputs) };
  }

  effect(kind: JsEffectKind, site: CallSite, label: string, taint: Taints): void {
    if (taint.length === 0) return;
    const key = `${kind}:${site.node.id}`;
    const old = this.effects.get(key);
    this.effects.set(key, { kind, node: site.node, range: site.range, label: old?.label ?? label, taint: old ? union(old.taint, taint) : taint });
  }

  spawn(site: CallSite, api: ProcessApi, sync: boolean, selfTaint: Taints, detached: boolean): void {
    // `__filename` (or `import.meta.url`) names the module it is read in: spawned from another
    // module, it is that module's file run as a program, not the spawning code again
    const self = selfTaint.filter((t) => !MODULE_PATH.test(t.origin.label) || t.origin.range.file === site.range.file);
    const old = this.spawns.get(site.node.id);
    this.spawns.set(site.node.id, { node: site.node, range: site.range, label: `\`${site.label}\``, api, sync, self: old ? union(old.self, self) : self, detached });
  }

  write(files: string[], taint: Taints, site: CallSite): void {
    const t = extend(taint, site.range, `written to a file here by \`${site.label}\``);
    for (const f of files) this.written.set(fileKey(f), union(this.written.get(fileKey(f)) ?? CLEAN, t));
  }

  writtenTaint(v: Val): Taints {
    if (this.written.size === 0) return CLEAN;
    const parts: Taints[] = [];
    const visit = (x: Val, depth: number) => {
      for (const f of [...(x.files ?? []), ...(x.str !== undefined ? [x.str] : [])]) {
        const w = this.written.get(fileKey(f));
        if (w) parts.push(w);
      }
      const s = x.str ?? x.hint;
      if (s) for (const [k, w] of this.written) if (!k.startsWith('#') && k.length > 2 && s.includes(k)) parts.push(w);
      if (depth > 0) for (const e of x.elems ?? []) visit(e, depth - 1);
    };
    visit(v, 1);
    return union(...parts);
  }

  leave(site: CallSite, taint: Taints): void {
    this.leaves.set(site.node.id, { node: site.node, range: site.range, label: `\`${site.label}\``, taint });
  }
}

/** How a model call reads as a source: "`fetch` to api.openai.com", "`execSync` running `llm`". */
function originLabel(call: JsModelCall): string {
  if (call.kind === 'http') {
    const host = /^a request to (.+?) \(\w+\)$/.exec(call.reason)?.[1];
    return host ? `${call.label} to ${host}` : call.label;
  }
  if (call.kind === 'cli') {
    const cli = /`[^`]+`/.exec(call.reason)?.[0];
    return cli && cli !== call.label ? `${call.label} running ${cli}` : call.label;
  }
  return call.label;
}

/** The name of the nearest named function around a node (a callback inside `executeCommand` is in `executeCommand`). */
function enclosingName(n: Node): string | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunction(p) && functionName(p)) return functionName(p);
  return undefined;
}
