/** The Python dataflow, part 3: calls, functions of this file, classes, callbacks and pools. */
import type { Node } from 'web-tree-sitter';
import { refCall } from './calls';
import { FlowExpr } from './flow-expr';
import { MAX_FUNCTION_EVALS, type Frame } from './flow-state';
import { CLEAN_BUILTINS, CLEAN_METHODS, qualName, sdkCall } from './modules';
import type { CallSite } from './results';
import { idOf, Scope } from './scope';
import { calleeLabel, classOfMethod, functionName, rangeOf, unwrap } from './tree';
import { CLEAN, deepTaint, element, extend, join, modelOnly, NOTHING, union, type FnVal, type Ref, type Taints, type Val } from './values';

/** Words without which a function can neither start a process nor read the program's own path. */
const SPAWN_TOKENS = /\b(subprocess|Popen|system|popen|exec[lv]p?e?|spawn[lv]p?e?|fork|Process|Pool|Executor|submit|__file__|argv|pty|create_subprocess_\w+|pexpect|crontab|ssh|paramiko|llm|sgpt|ollama|claude|gemini)\b/;
const MUTATORS = /^(append|extend|insert|add|update|setdefault|put|put_nowait|appendleft|extendleft|write|writelines)$/;
/** Callbacks that run beside the caller. */
const CONCURRENT = /^(submit|map|imap|imap_unordered|starmap|map_async|starmap_async|apply_async|run_in_executor|to_thread|create_task|ensure_future|start_soon|Thread|Process|Timer)$/;
const POOL_CLASS = /^(ThreadPoolExecutor|ProcessPoolExecutor|Pool|ThreadPool)$/;

export abstract class FlowCalls extends FlowExpr {
  protected abstract block(stmts: Node[], env: Scope): void;

  protected callSite(node: Node, env: Scope, label: string): CallSite {
    const argsNode = node.childForFieldName('arguments');
    const args: Val[] = [];
    const argNodes: Node[] = [];
    const kwargs = new Map<string, Val>();
    let rest: Taints = CLEAN;
    if (argsNode?.type === 'generator_expression') {
      args.push(this.expr(argsNode, env));
      argNodes.push(argsNode);
    } else {
      for (const c of argsNode ? this.nodes.kids(argsNode) : []) {
        if (c.type === 'keyword_argument') {
          const name = c.childForFieldName('name')?.text;
          const value = c.childForFieldName('value');
          if (name && value) kwargs.set(name, this.expr(value, env));
        } else if (c.type === 'list_splat') {
          const v = this.expr(c, env);
          if (v.elems && !v.t.length && !v.fan) {
            for (const e of v.elems) {
              args.push(e);
              argNodes.push(c);
            }
          } else {
            args.push({ ...element(v), fan: v.fan });
            argNodes.push(c);
            rest = union(rest, deepTaint(v));
          }
        } else if (c.type === 'dictionary_splat') {
          const v = this.expr(c, env);
          for (const [k, pv] of v.props ?? []) if (k !== '[]') kwargs.set(k, pv);
          if (!v.props || v.props.has('[]')) rest = union(rest, deepTaint(v));
        } else {
          args.push(this.expr(c, env));
          argNodes.push(c);
        }
      }
    }
    return { node, range: rangeOf(node), label, args, argNodes, kwargs, rest };
  }

  protected call(node: Node, env: Scope): Val {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return NOTHING;
    const f = unwrap(fnNode);
    let recv: Val | undefined;
    let recvNode: Node | undefined;
    let method: string | undefined;
    let callee: Val;
    if (f.type === 'attribute') {
      recvNode = f.childForFieldName('object') ?? undefined;
      method = f.childForFieldName('attribute')?.text;
      recv = recvNode ? this.expr(recvNode, env) : NOTHING;
      callee = method ? this.member(recv, method, f) : NOTHING;
    } else if (f.type === 'subscript') {
      // `TOOLS[name](**args)`: a table of functions indexed by a key chosen at run time
      recvNode = f.childForFieldName('value') ?? undefined;
      recv = recvNode ? this.expr(recvNode, env) : NOTHING;
      const sub = f.childForFieldName('subscript');
      const key = sub && sub.type !== 'slice' ? this.expr(sub, env).str : undefined;
      callee = this.member(recv, key ?? '[]', f);
      if (key === undefined && !callee.fn) {
        const fns = [...(recv.props?.values() ?? []), ...(recv.elems ?? [])].filter((v) => v.fn || v.anyOf);
        if (fns.length) callee = { t: CLEAN, anyOf: fns };
      }
      recv = undefined;
    } else callee = this.expr(f, env);
    const site = this.callSite(node, env, calleeLabel(f));
    return this.apply(callee, site, recv, recvNode, method, env);
  }

  protected apply(callee: Val, site: CallSite, recv: Val | undefined, recvNode: Node | undefined, method: string | undefined, env: Scope): Val {
    const { args } = site;
    if (callee.anyOf) {
      let out: Val = NOTHING;
      for (const fn of callee.anyOf) out = join(out, this.apply(fn, site, undefined, undefined, undefined, env));
      return out;
    }
    // Either a function of this file or something else (`f = lambda: ...` then `f = client.chat.completions.create` in a branch): both.
    if (callee.fn && (callee.ref || callee.cls)) return join(this.apply({ ...callee, ref: undefined, cls: undefined }, site, recv, recvNode, method, env), this.apply({ ...callee, fn: undefined }, site, recv, recvNode, method, env));
    if (callee.fn) return this.invoke(callee.fn, site);
    if (callee.cls) {
      if (callee.ref?.pkg === '<classmethod>') return { t: this.inputs(site), instanceOf: callee.cls };
      return this.construct(callee.cls, site);
    }
    if (callee.instanceOf) {
      const m = this.member(callee, '__call__');
      return m.fn ? this.invoke(m.fn, site) : { t: union(callee.t, this.inputs(site)) };
    }
    const ref = callee.ref;
    let result: Val | undefined;
    if (ref) {
      result = this.builtin(ref, site) ?? this.callbacks(ref, site);
      if (!result) {
        const argHasModel = [...args, ...site.kwargs.values()].some((v) => v.ref?.hasModel || v.elems?.some((e) => e.ref?.hasModel));
        result = refCall(this, ref, site, argHasModel);
      }
    }
    // `p.communicate(code)`, `p.stdin.write(code)` where `p = Popen(['bash'], stdin=PIPE)`: the text runs in that interpreter.
    const interp = recv?.ref?.interpreter;
    if (interp && (method === 'communicate' || ((method === 'write' || method === 'writelines') && recv?.ref?.path[recv.ref.path.length - 1] === 'stdin'))) {
      this.effect('exec', site, `the standard input of \`${interp}\` (\`${site.label}\`)`, modelOnly(deepTaint(args[0] ?? site.kwargs.get('input') ?? NOTHING)));
    }
    // writes through an open file: `f.write(answer)`
    if (recv?.handle?.write && method && /^(write|writelines)$/.test(method)) {
      this.write(recv.handle.files, union(...args.map((a) => deepTaint(a))), site);
      return NOTHING;
    }
    // A store keyed by a literal: `session.set("chain", chain)` ... `session.get("chain")`.
    const key = args[0]?.str;
    if (recvNode && method && key !== undefined && (recv?.ref || !recv?.props)) {
      const slot = `${recvNode.text}|${key}`;
      if (/^(set|__setitem__|put|setdefault)$/.test(method) && args[1]) this.stores.set(slot, join(this.stores.get(slot) ?? NOTHING, args[1]));
      else if (/^(get|pop|__getitem__)$/.test(method) && this.stores.has(slot)) return this.stores.get(slot)!;
    }
    if (!result) result = this.generic(callee, site, recv, recvNode, method, env);
    return result;
  }

  private inputs(site: CallSite): Taints {
    return union(...site.args.filter((v) => !v.fn).map((v) => deepTaint(v)), ...[...site.kwargs.values()].filter((v) => !v.fn).map((v) => deepTaint(v)), site.rest);
  }

  /** Builtins that need the flow itself: getattr, globals(), super(), setattr. */
  private builtin(ref: Ref, site: CallSite): Val | undefined {
    if (ref.instance || ref.pkg !== 'builtins' || ref.path.length !== 1) return undefined;
    const [a0, a1, a2] = site.args;
    switch (ref.path[0]) {
      case 'getattr': {
        if (!a0) return NOTHING;
        if (a1?.str !== undefined) return this.member(a0, a1.str);
        // a name chosen at run time: any method of a class of this file
        const cls = a0.instanceOf ?? a0.cls;
        if (cls) {
          const fns = this.mro(cls).flatMap((c) => this.methodNames(c)).filter((n) => !n.startsWith('_')).map((n) => this.member(a0, n)).filter((v) => v.fn);
          if (fns.length) return { t: CLEAN, anyOf: fns };
        }
        return { t: deepTaint(a0) };
      }
      case 'setattr':
        if (a0 && a1?.str !== undefined && a2 && (a0.instanceOf || a0.cls)) this.fieldsOf((a0.instanceOf ?? a0.cls)!).set(a1.str, a2);
        return NOTHING;
      case 'globals':
      case 'locals':
        return { t: CLEAN, ref: { pkg: '<scope>', path: [] } };
      case 'vars':
        return a0 ?? { t: CLEAN, ref: { pkg: '<scope>', path: [] } };
      case 'super': {
        const frame = this.frames[this.frames.length - 1];
        return frame?.self?.instanceOf && frame.cls ? { t: CLEAN, instanceOf: frame.self.instanceOf, superOf: frame.cls } : NOTHING;
      }
      case 'map':
      case 'filter':
        if (a0?.fn) {
          const it = site.args.slice(1).map((a) => element(a));
          const r = this.invoke(a0.fn, { ...site, args: it, kwargs: new Map() }, 'received by the callback as');
          return a0 && ref.path[0] === 'map' ? { t: union(r.t, ...it.map((v) => v.t)) } : { t: union(...site.args.slice(1).map((a) => deepTaint(a))) };
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private methodNames(cls: Node): string[] {
    const body = cls.childForFieldName('body');
    const out: string[] = [];
    for (const s of body ? this.nodes.kids(body) : []) {
      const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
      const name = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
      if (name) out.push(name);
    }
    return out;
  }

  /** Threads, pools, executors and the event loop: the function they are given runs with the items or arguments given. */
  private callbacks(ref: Ref, site: CallSite): Val | undefined {
    const q = ref.instance ? `#${ref.cls ?? ''}.${ref.path.join('.')}` : qualName(ref);
    const last = ref.path[ref.path.length - 1] ?? '';
    const { args, kwargs } = site;
    if (!ref.instance && POOL_CLASS.test(last) && /^(concurrent\.futures|multiprocessing)/.test(qualName(ref))) {
      const n = kwargs.get('max_workers') ?? kwargs.get('processes') ?? args[0];
      const cap = n?.str !== undefined ? `${last}(${n.str})` : undefined;
      return { t: CLEAN, ref: { pkg: ref.pkg, path: [], instance: true, cls: last, cap } };
    }
    const run = (fn: Val | undefined, fnArgs: Val[], concurrent: boolean, how = 'received by the callback as'): Val => (fn ? this.callWith(fn, fnArgs, site, how, concurrent) : NOTHING);
    if (/^threading\.(Thread|Timer)$/.test(q)) {
      const target = kwargs.get('target') ?? (last === 'Timer' ? (kwargs.get('function') ?? args[1]) : args[1]);
      const targs = kwargs.get('args') ?? (last === 'Timer' ? args[2] : args[3]);
      run(target, targs?.elems ?? (targs ? [element(targs)] : []), true, 'passed to the thread as');
      return { t: CLEAN, ref: { pkg: 'threading', path: [], instance: true, cls: last } };
    }
    if (ref.instance && POOL_CLASS.test(ref.cls ?? '')) {
      if (/^(map|imap|imap_unordered|map_async|starmap|starmap_async)$/.test(last)) {
        const items = args.slice(1);
        const el = items.map((a) => (last.startsWith('starmap') ? element(element(a)) : element(a)));
        const r = run(args[0], el, true);
        this.poolFanout(site, args[0], items, ref, `\`${site.label}\``);
        return { t: union(r.t, ...el.map((v) => v.t)) };
      }
      if (/^(submit|apply_async|apply)$/.test(last)) {
        const fnArgs = last === 'submit' ? args.slice(1) : (args[1]?.elems ?? (args[1] ? [element(args[1])] : []));
        return { t: run(args[0], fnArgs, true).t };
      }
      return undefined;
    }
    if (q === 'asyncio.to_thread' || q === 'anyio.to_thread.run_sync') return run(args[0], args.slice(1), true);
    if (last === 'run_in_executor' && ref.instance !== undefined) return run(args[1], args.slice(2), true);
    if (/^asyncio\.(gather|wait|as_completed)$/.test(q)) {
      const fanned = args.find((a) => a.fan);
      if (fanned?.fan) this.addFanout(site, fanned.fan, `\`${site.label}(*...)\``);
      return { t: union(...args.map((a) => deepTaint(a))) };
    }
    if (/^functools\.partial$/.test(q) && args[0]) return args[0];
    return undefined;
  }

  private poolFanout(site: CallSite, fn: Val | undefined, items: Val[], pool: Ref, how: string): void {
    const taint = modelOnly(union(...items.map((a) => deepTaint(a))));
    const over = site.argNodes[1];
    if (!taint.length || !fn?.fn || !over) return;
    this.fanouts.set(site.node.id, { node: site.node, range: site.range, body: fn.fn.node, over, taint, how, cap: pool.cap });
  }

  protected addFanout(site: CallSite, fan: NonNullable<Val['fan']>, how: string): void {
    this.fanouts.delete(fan.node.id);
    this.fanouts.set(site.node.id, { node: site.node, range: site.range, body: fan.body, over: fan.over, taint: fan.taint, how });
  }

  /** Any other call: the result carries the inputs, function arguments are called back, mutators taint their receiver. */
  private generic(callee: Val, site: CallSite, recv: Val | undefined, recvNode: Node | undefined, method: string | undefined, env: Scope): Val {
    const { args } = site;
    const ref = callee.ref;
    const last = ref?.path[ref.path.length - 1] ?? '';
    // A wrapper of a model call: `cl.make_async(agent.run)`, `sync_to_async(chain.invoke)` give back what they wrap.
    const only = args.length === 1 && site.kwargs.size === 0 ? args[0] : undefined;
    if (only?.ref && !only.fn && ref?.pkg !== 'builtins' && sdkCall(only.ref, this.extraSdk, false)?.model) return only;
    const recvTaint = recv ? deepTaint(recv) : CLEAN;
    const clean = (!!method && CLEAN_METHODS.test(method)) || (ref?.pkg === 'builtins' && ref.path.length === 1 && CLEAN_BUILTINS.test(last));
    const inputs = clean ? CLEAN : union(recvTaint, this.inputs(site));
    const files = [...args.flatMap((v) => [...(v.files ?? []), ...(v.str !== undefined && /[/\\]|\.\w{1,4}$/.test(v.str) ? [v.str] : [])]), ...(recv && !recv.handle ? (recv.files ?? []) : [])];
    let result: Val = inputs.length || files.length ? { t: inputs, files: files.length ? files : undefined } : NOTHING;
    if (ref && !clean) {
      // A module's API stays resolvable after a call: `shlex.split(x)`, `client.models.list()`.
      result = { ...result, ref: { ...ref, path: ref.path.length ? [...ref.path.slice(0, -1), `${last}()`] : ['()'] } };
    }
    const fan = args.find((a) => a.fan)?.fan;
    if (fan && ref?.pkg === 'builtins' && /^(list|tuple|set|sorted)$/.test(last)) result = { ...result, fan };
    if (method && MUTATORS.test(method) && recvNode && !recv?.handle) {
      const added = union(...args.map((v) => deepTaint(v)));
      if (added.length) this.taintBinding(recvNode, extend(added, site.range, `added to \`${recvNode.text}\` here`), env);
    }
    // Callbacks receive the inputs: `sorted(items, key=f)`, `signal.signal(SIGALRM, handler)`.
    const cbInput = union(recvTaint, result.t);
    let cbResult: Val = NOTHING;
    for (const v of [...args, ...site.kwargs.values()]) {
      if (!v.fn) continue;
      const arg: Val = { t: cbInput, files: recv?.files };
      cbResult = join(cbResult, this.invoke(v.fn, { ...site, args: [arg, arg, arg], kwargs: new Map(), rest: CLEAN }, 'received by the callback as'));
    }
    return cbResult.t.length ? { ...result, t: union(result.t, cbResult.t) } : result;
  }

  /** Runs a function of this file with the call's arguments; memoized per function and argument taint. */
  protected invoke(fn: FnVal, site: CallSite, how = 'passed as', concurrent = false): Val {
    const node = fn.node;
    const args = fn.self ? [fn.self, ...site.args] : site.args;
    const sig = (a: Val) => `${a.t.map((t) => idOf(t.origin)).join(',')}${a.ref ? 'r' : ''}${a.instanceOf ? `i${a.instanceOf.id}` : ''}${a.fn ? `f${a.fn.node.id}` : ''}${a.elems ? `e${a.elems.length}` : ''}`;
    const key = `${node.id}:${args.map(sig).join('|')}|${[...site.kwargs].map(([k, a]) => `${k}=${sig(a)}`).join(',')}|${site.rest.length}`;
    const fname = functionName(node) ?? 'the function';
    const returned = (v: Val): Val => (v.t.length ? { ...v, t: extend(v.t, site.range, `returned by \`${fname}()\` here`) } : v);
    this.noteDispatch(site.node, node, concurrent);
    const cached = this.memo.get(key);
    if (cached) return returned(cached);
    if (this.stack.includes(node.id)) return { t: union(...args.map((a) => deepTaint(a)), ...[...site.kwargs.values()].map((a) => deepTaint(a))) };
    if (this.evals >= MAX_FUNCTION_EVALS) {
      if (!this.spawnOnly) this.budget.note('function-evaluations', site.node, `the dataflow stopped following functions here: it had evaluated ${MAX_FUNCTION_EVALS} function bodies (function evaluations); \`${fname}\` and the functions after it were not followed`);
      return { t: union(...args.map((a) => deepTaint(a))) };
    }
    this.budget.tick(site.node);
    if (this.spawnOnly && args.every((a) => a.t.length === 0 && !a.elems && !a.props) && site.kwargs.size === 0 && !SPAWN_TOKENS.test(node.text)) {
      // Nothing here can start a process or read the program's path, and nothing tainted comes in.
      this.evaluated.add(node.id);
      return NOTHING;
    }
    this.evals++;
    this.evaluated.add(node.id);
    this.stack.push(node.id);
    const env = new Scope(fn.env as Scope, 'function');
    this.bindParams(node, env, args, site, fname, how, fn.self);
    const frame: Frame = { returns: NOTHING, cls: classOfMethod(node), self: fn.self };
    this.frames.push(frame);
    const body = node.childForFieldName('body');
    try {
      if (node.type === 'lambda') frame.returns = body ? this.expr(body, env) : NOTHING;
      else if (body) this.block(this.nodes.kids(body), env);
    } finally {
      this.frames.pop();
      this.stack.pop();
    }
    this.memo.set(key, frame.returns);
    return returned(frame.returns);
  }

  private bindParams(node: Node, env: Scope, args: Val[], site: CallSite, fname: string, how: string, self: Val | undefined): void {
    const params = node.childForFieldName('parameters');
    const used = new Set<string>();
    let i = 0;
    const step = (name: string, v: Val, at: Node | undefined) => {
      if (v === self) return v;
      const msg = how === 'passed as' ? `passed to \`${fname}()\` as \`${name}\` here` : `${how} \`${name}\` here`;
      return { ...v, t: extend(v.t, rangeOf(at ?? node), msg) };
    };
    for (const p of params ? this.nodes.kids(params) : []) {
      let kind = p.type;
      let target: Node | null = p;
      if (p.type === 'typed_parameter') {
        target = this.nodes.kids(p)[0] ?? null;
        kind = target?.type ?? 'identifier';
      }
      if (kind === 'keyword_separator' || kind === 'positional_separator') continue;
      if (kind === 'list_splat_pattern') {
        const name = target ? this.nodes.kids(target)[0]?.text : undefined;
        const restArgs = args.slice(i);
        i = args.length;
        if (name) env.assign(name, step(name, { t: union(site.rest, ...restArgs.map((a) => deepTaint(a))), elems: restArgs }, site.argNodes[0]), false);
        continue;
      }
      if (kind === 'dictionary_splat_pattern') {
        const name = target ? this.nodes.kids(target)[0]?.text : undefined;
        const props = new Map([...site.kwargs].filter(([k]) => !used.has(k)));
        if (name) env.assign(name, step(name, { t: site.rest, props }, site.node), false);
        continue;
      }
      const nameNode = kind === 'identifier' ? target : p.childForFieldName('name');
      const name = nameNode?.text;
      if (!name) continue;
      used.add(name);
      const at = i - (self ? 1 : 0);
      let v = args[i] ?? site.kwargs.get(name);
      i++;
      if (!v) {
        const dflt = p.childForFieldName('value');
        v = dflt ? this.expr(dflt, fn_env(env)) : site.rest.length ? { t: site.rest } : NOTHING;
      }
      env.assign(name, step(name, v, (at >= 0 ? site.argNodes[at] : undefined) ?? site.node), false);
    }
  }

  /** `Cls(...)`: an instance; `__init__` runs, or (dataclasses, pydantic models) the arguments become its fields. */
  protected construct(cls: Node, site: CallSite): Val {
    const inst: Val = { t: CLEAN, instanceOf: cls };
    const init = this.methodOf(cls, '__init__');
    if (init) {
      this.invoke({ node: init, env: this.scopeOfNode(init), self: inst }, site);
      return inst;
    }
    const names = this.declaredFields(cls);
    const fields = this.fieldsOf(cls);
    const set = (name: string, v: Val) => fields.set(name, join(fields.get(name) ?? NOTHING, { ...v, t: extend(v.t, site.range, `stored in \`${name}\` of a \`${cls.childForFieldName('name')?.text}\` here`) }));
    site.args.forEach((a, i) => names[i] && set(names[i]!, a));
    for (const [k, v] of site.kwargs) set(k, v);
    // A class built on a library class holds what it was given.
    const foreign = cls.childForFieldName('superclasses') && this.mro(cls).length === 1;
    return foreign && names.length === 0 ? { ...inst, t: this.inputs(site) } : inst;
  }

  /** Annotated names of a class body (`name: str`, `name: str = ""`), bases first. */
  private declaredFields(cls: Node): string[] {
    const out: string[] = [];
    for (const c of [...this.mro(cls)].reverse()) {
      const body = c.childForFieldName('body');
      for (const s of body ? this.nodes.kids(body) : []) {
        const a = s.type === 'expression_statement' ? this.nodes.kids(s)[0] : undefined;
        if (a?.type === 'assignment' && a.childForFieldName('type')) {
          const name = a.childForFieldName('left')?.text;
          if (name && !out.includes(name)) out.push(name);
        }
      }
    }
    return out;
  }

  /** CallHost: calls a function value (callbacks, tools) with positional arguments. */
  callValue(fn: Val, args: Val[], site: CallSite, how = 'received by the callback as'): Val {
    return this.callWith(fn, args, site, how, CONCURRENT.test(site.label.replace(/^.*\./, '')));
  }

  private callWith(fn: Val, args: Val[], site: CallSite, how: string, concurrent: boolean): Val {
    if (fn.anyOf) {
      let out: Val = NOTHING;
      for (const f of fn.anyOf) out = join(out, this.callWith(f, args, site, how, concurrent));
      return out;
    }
    if (!fn.fn) return NOTHING;
    return this.invoke(fn.fn, { ...site, args, kwargs: new Map(), rest: CLEAN }, how, concurrent);
  }

  /** CallHost: the methods a framework runs on a tool object of this file. */
  toolMethods(v: Val): Val[] {
    if (!v.instanceOf) return [];
    return ['_run', '_arun', 'run', 'forward', '__call__', 'invoke'].map((n) => this.member(v, n)).filter((m) => m.fn).slice(0, 1);
  }
}

/** Defaults are evaluated where the function was defined; the parameters' scope's parent is that. */
function fn_env(env: Scope): Scope {
  return env.parent ?? env;
}
