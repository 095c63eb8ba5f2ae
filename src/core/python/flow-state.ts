/** The Python dataflow, part 1: its state and what it records (the CallHost side). */
import type { Node } from 'web-tree-sitter';
import { Budget } from '../budget';
import type { ProjectContext } from '../analysers';
import type { PyProjectModules } from './project-modules';
import { NodeCache } from '../tree-util';
import type { CallHost } from './calls';
import { HOST_FILES, PERSIST_PATH } from './modules';
import type { CallSite, Dispatch, PyEffect, PyEffectKind, PyFanout, PyLeave, PySpawn } from './results';
import { Scope, StateKeys } from './scope';
import { named, rangeOf } from './tree';
import { CLEAN, extend, modelOnly, modelOrSelf, union, type Origin, type PyModelCall, type Taints, type Val } from './values';

export const MAX_FUNCTION_EVALS = 2000;

export interface Frame {
  returns: Val;
  /** The class whose method runs (for `super()`). */
  cls?: Node;
  self?: Val;
}

/** `./a.py`, `a.py`, `$HOME/a.py` and `~/a.py` name the same file. */
export const fileKey = (f: string) => f.replace(/^\.\//, '').replace(/^(\$HOME|\$\{HOME\}|\$USERPROFILE)(?=\/|$)/, '~');

export abstract class FlowState implements CallHost {
  protected readonly root = new Scope(undefined, 'module');
  protected readonly calls = new Map<number, PyModelCall>();
  protected readonly effects = new Map<string, PyEffect>();
  protected readonly spawns = new Map<number, PySpawn>();
  protected readonly leaves = new Map<number, PyLeave>();
  protected readonly fanouts = new Map<number, PyFanout>();
  /** Files written, by name: what was written (model output, the program's own path). */
  protected readonly written = new Map<string, Taints>();
  protected readonly classFields = new Map<number, Map<string, Val>>();
  protected readonly memo = new Map<string, Val>();
  protected readonly evaluated = new Set<number>();
  protected readonly stack: number[] = [];
  protected readonly frames: Frame[] = [];
  protected readonly origins = new Map<string, Origin>();
  protected readonly seenFns: { node: Node; env: Scope; self?: Val }[] = [];
  protected readonly seenIds = new Set<number>();
  /** Modules imported with `from m import *`. */
  protected readonly starModules: string[] = [];
  readonly responses = new Map<string, Val>();
  /** Functions run from each call site, by call node id. */
  protected readonly dispatch = new Map<number, Dispatch[]>();
  protected readonly callers = new Map<number, Node[]>();
  /**
   * Values kept in a store outside the file's own objects under a literal key, by the store's
   * expression and the key: `cl.user_session.set("chain", chain)`, `st.session_state["chain"] = chain`.
   */
  protected readonly stores = new Map<string, Val>();
  protected weak = 0;
  protected secondPass = false;
  protected evals = 0;
  /** Set once anything is tainted: loops then run until their state settles. */
  protected tainted = false;
  protected readonly keys = new StateKeys();
  protected readonly loopStates = new Map<number, Set<string>>();

  /** Named children (comments left out), read once per node: bodies are evaluated more than once. */
  protected readonly nodes = new NodeCache(named);

  constructor(
    protected readonly program: Node,
    readonly extraSdk: readonly string[],
    readonly extraCli: readonly string[],
    /** The file names no model SDK or endpoint: only processes and the program's own path matter. */
    protected readonly spawnOnly = false,
    protected readonly budget: Budget = Budget.unlimited(),
    /** The project, when the entry's imports of other project files are followed. */
    protected readonly project?: ProjectContext & { follows?: (path: string) => boolean },
  ) {}

  /** Project modules run by this flow (set when it runs in a project). */
  protected modules: PyProjectModules | undefined;

  /** The module scope a node belongs to: the entry's, or an imported project module's. */
  protected scopeOfNode(node: Node): Scope {
    return this.modules?.scopeOf(node) ?? this.root;
  }

  abstract callValue(fn: Val, args: Val[], site: CallSite, how?: string): Val;
  abstract toolMethods(v: Val): Val[];

  protected noteFn(node: Node, env: Scope, self?: Val): void {
    if (!this.seenIds.has(node.id)) {
      this.seenIds.add(node.id);
      this.seenFns.push({ node, env, self });
    }
  }

  protected noteDispatch(call: Node, fn: Node, concurrent: boolean): void {
    let list = this.dispatch.get(call.id);
    if (!list) this.dispatch.set(call.id, (list = []));
    const old = list.find((d) => d.fn.id === fn.id);
    if (!old) {
      list.push({ fn, concurrent });
      let sites = this.callers.get(fn.id);
      if (!sites) this.callers.set(fn.id, (sites = []));
      sites.push(call);
    } else if (concurrent) old.concurrent = true;
  }

  protected weakly(f: () => void): void {
    this.weak++;
    try {
      f();
    } finally {
      this.weak--;
    }
  }

  protected fieldsOf(cls: Node): Map<string, Val> {
    let m = this.classFields.get(cls.id);
    if (!m) {
      m = new Map();
      this.classFields.set(cls.id, m);
    }
    return m;
  }

  protected origin(key: string, make: () => Origin): Origin {
    let o = this.origins.get(key);
    if (!o) {
      o = make();
      this.origins.set(key, o);
    }
    return o;
  }

  protected selfOrigin(node: Node, label: string): Val {
    const o = this.origin(`s${node.id}`, () => ({ kind: 'self', range: rangeOf(node), label }));
    return { t: [{ origin: o, steps: [] }] };
  }

  // ---- CallHost -------------------------------------------------------------------

  modelCall(site: CallSite, kind: PyModelCall['kind'], reason: string, confidence: 'high' | 'low', inputs: Taints): Val {
    let call = this.calls.get(site.node.id);
    if (!call) {
      call = { node: site.node, range: site.range, label: `\`${site.label}\``, kind, reason, confidence };
      this.calls.set(site.node.id, call);
    }
    const c = call;
    const origin = this.origin(`m${site.node.id}`, () => ({ kind: 'model', call: c, range: site.range, label: originLabel(c) }));
    this.tainted = true;
    return { t: union([{ origin, steps: [] }], modelOnly(inputs)) };
  }

  effect(kind: PyEffectKind, site: CallSite, label: string, taint: Taints): void {
    if (taint.length === 0) return;
    const key = `${kind}:${site.node.id}`;
    const old = this.effects.get(key);
    this.effects.set(key, { kind, node: site.node, range: site.range, label: old?.label ?? label, taint: old ? union(old.taint, taint) : taint });
  }

  spawn(site: CallSite, s: Omit<PySpawn, 'node' | 'range' | 'label'>): void {
    const old = this.spawns.get(site.node.id);
    this.spawns.set(site.node.id, { ...s, node: site.node, range: site.range, label: `\`${site.label}\``, self: old ? union(old.self, s.self) : s.self, detached: s.detached || !!old?.detached });
  }

  write(files: readonly string[], taint: Taints, site: CallSite): void {
    const kept = modelOrSelf(taint);
    if (kept.length === 0) return;
    const t = extend(kept, site.range, `written to a file here by \`${site.label}\``);
    for (const f of files) {
      const k = fileKey(f);
      this.written.set(k, union(this.written.get(k) ?? CLEAN, t));
      if (PERSIST_PATH.test(k)) this.effect('persist', site, `a write to ${f}`, kept);
    }
  }

  writtenTaint(v: Val): Taints {
    if (this.written.size === 0) return CLEAN;
    const parts: Taints[] = [];
    const visit = (x: Val, depth: number) => {
      for (const f of [...(x.files ?? []), ...(x.handle?.files ?? []), ...(x.str !== undefined ? [x.str] : [])]) {
        const w = this.written.get(fileKey(f));
        if (w) parts.push(w);
      }
      const s = x.str ?? x.hint;
      // a command line that names the file: `python3 gen.py`, `bash ./fix.sh`
      if (s && /\s/.test(s)) for (const [k, w] of this.written) if (!k.startsWith('#') && k.length > 2 && s.includes(k)) parts.push(w);
      if (depth > 0) for (const e of x.elems ?? []) visit(e, depth - 1);
    };
    visit(v, 1);
    return modelOnly(union(...parts));
  }

  readTaint(v: Val, site: CallSite): Taints {
    const files = [...(v.str !== undefined ? [v.str] : []), ...(v.hint !== undefined ? [v.hint] : []), ...(v.files ?? []), ...(v.handle?.files ?? [])];
    const parts: Taints[] = [];
    for (const f of files) {
      const w = this.written.get(fileKey(f));
      if (w) parts.push(extend(modelOnly(w), site.range, 'read back from the file here'));
    }
    const hosts = files.find((f) => HOST_FILES.test(f));
    if (hosts) {
      const o = this.origin(`h${site.node.id}`, () => ({ kind: 'hosts', range: site.range, label: `host names read from \`${hosts}\`` }));
      parts.push([{ origin: o, steps: [] }]);
    }
    return union(...parts);
  }

  leave(site: CallSite, taint: Taints): void {
    this.leaves.set(site.node.id, { node: site.node, range: site.range, label: `\`${site.label}\``, taint });
  }
}

/** How a model call reads as a source: "`requests.post` to api.openai.com", "`subprocess.run` running `llm`". */
function originLabel(call: PyModelCall): string {
  if (call.kind === 'http') {
    const host = /^a request to (.+?) \([\w.]+\)$/.exec(call.reason)?.[1];
    return host ? `${call.label} to ${host}` : call.label;
  }
  if (call.kind === 'cli') {
    const cli = /`[^`]+`/.exec(call.reason)?.[0];
    return cli && cli !== call.label ? `${call.label} running ${cli}` : call.label;
  }
  return call.label;
}
