/** The JavaScript dataflow, part 4: calls of local functions, callbacks, modules and constructors. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, concat, deepTaint, extend, NOTHING, union, type FnVal, type Ref, type Val } from './taint';
import { calleeLabel, functionName, rangeOf, unwrap } from './tree';
import { CLEAN_METHODS, isSdkPackage, normalizePkg } from './modules';
import { refCall, requireOrImport } from './calls';
import type { CallSite } from './results';
import { FlowExpr } from './flow-expr';
import { MAX_FUNCTION_EVALS, type Frame } from './flow-state';

/** Words without which a function can neither start a process nor read the program's own path. */
const SPAWN_TOKENS = /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|execa\w*|Worker|cluster|__filename|argv|require|setInterval|llm|sgpt|ollama|claude|gemini)\b|import\.meta|\$`|child_process/;
const VALIDATORS = new Set(['zod', 'valibot', 'yup', 'joi', 'ajv', '@sinclair/typebox', 'superstruct', 'arktype']);
const SHELL_ESCAPERS = new Set(['shell-quote', 'shell-escape', 'shescape', 'any-shell-escape', 'shell-escape-tag']);
/** Helpers that wrap a function as a tool for a model and return it. */
const TOOL_HELPERS = /^(tool|dynamicTool|createTool|betaZodTool|zodFunction)$/;
const MUTATORS = /^(push|unshift|splice|set|add|append|concat|assign|write|appendChild)$/;
const ITERATING = /^(map|flatMap|forEach|filter|find|reduce|some|every|then|catch|finally|on|once|addListener|subscribe)$/;

/** Calls: functions of this file, callbacks, module references, constructors. */
export abstract class FlowCalls extends FlowExpr {
  protected abstract block(stmts: Node[], env: Env): void;

  protected args(node: Node | null, env: Env): { vals: Val[]; nodes: Node[]; subs?: Val[] } {
    if (!node) return { vals: [], nodes: [] };
    if (node.type === 'template_string') {
      const subs = this.nodes.kids(node).filter((c) => c.type === 'template_substitution').map((c) => (this.nodes.kids(c)[0] ? this.expr(this.nodes.kids(c)[0]!, env) : NOTHING));
      return { vals: [this.template(node, env)], nodes: [node], subs };
    }
    const nodes = this.nodes.kids(node);
    return { vals: nodes.map((n) => this.expr(n, env)), nodes };
  }

  protected call(node: Node, env: Env): Val {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return NOTHING;
    const f = unwrap(fnNode);
    let recv: Val | undefined;
    let recvNode: Node | undefined;
    let method: string | undefined;
    let callee: Val;
    if (f.type === 'import') callee = { t: CLEAN, ref: { pkg: '<global>', path: ['import'] } };
    else if (f.type === 'member_expression') {
      recvNode = f.childForFieldName('object') ?? undefined;
      method = f.childForFieldName('property')?.text;
      recv = recvNode ? this.expr(recvNode, env) : NOTHING;
      callee = method ? this.member(recv, method, f) : NOTHING;
    } else if (f.type === 'subscript_expression') {
      // `tools[name](args)`: a table of functions indexed by a computed key
      recvNode = f.childForFieldName('object') ?? undefined;
      recv = recvNode ? this.expr(recvNode, env) : NOTHING;
      const idx = f.childForFieldName('index');
      const key = idx ? this.expr(idx, env).str : undefined;
      callee = this.member(recv, key ?? '[]', f);
      if (key === undefined && recv.props && !callee.fn) {
        const { vals, nodes } = this.args(node.childForFieldName('arguments'), env);
        // Any entry may be chosen (by the model, in a tool-calling agent): follow each function.
        let out: Val = NOTHING;
        for (const v of recv.props.values()) if (v.fn) out = join(out, this.callFunction(v.fn, vals, nodes, node, recv));
        return out;
      }
    } else callee = this.expr(f, env);
    let { vals, nodes, subs } = this.args(node.childForFieldName('arguments'), env);
    // `eval.call(null, code)`, `exec.apply(cp, [cmd])`: the same call with the arguments moved.
    if ((method === 'call' || method === 'apply') && callee.ref && recv?.ref && callee.ref.path.length > 0) {
      callee = recv;
      vals = method === 'call' ? vals.slice(1) : (vals[1]?.elems ?? []);
      nodes = method === 'call' ? nodes.slice(1) : [];
      recv = undefined;
      method = undefined;
    }
    const site: CallSite = { node, range: rangeOf(node), label: calleeLabel(f), args: vals, argNodes: nodes, isNew: false, substitutions: subs };

    let result: Val | undefined;
    if (callee.fn) return this.callFunction(callee.fn, vals, nodes, node, recv && (recv.props || recv.instanceOf) ? recv : undefined);
    if (callee.resolves) {
      const holder = callee.resolves;
      holder.t = union(holder.t, extend(vals[0]?.t ?? CLEAN, site.range, 'resolved as the promise value here'));
      return NOTHING;
    }
    if (callee.ref) {
      const ref = callee.ref;
      // require('x') / import('x') with a literal: a module reference
      if (ref.pkg === '<global>' && (ref.path[0] === 'require' || ref.path[0] === 'import') && ref.path.length === 1) {
        const spec = vals[0]?.str;
        if (spec !== undefined && !this.writtenTaint(vals[0]!).length) return { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } };
        result = requireOrImport(this, site, ref.path[0] === 'import' ? '`import()`' : '`require`');
      } else if (SHELL_ESCAPERS.has(ref.pkg)) {
        result = NOTHING; // quoted for the shell: one argument, not code
      } else if (VALIDATORS.has(ref.pkg) && method && /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|assert)$/.test(method)) {
        // A schema checks the shape, not the content: a validated string is still model text.
        // Enums, literals, numbers and booleans leave nothing free to run.
        const schema = ref.path.join('.');
        if (/(^|\.)(enum|nativeEnum|literal|number|boolean|bigint|int)\(\)/.test(schema) && !/(^|\.)(string|object|array|record|any|unknown|union)\(\)/.test(schema)) result = NOTHING;
      } else if (ref.pkg === '<global>' && ref.path.join('.') === 'process.argv.slice' && Number(vals[0]?.str ?? '0') <= 1) {
        // `process.argv.slice(1)` starts with the program's own path.
        return { t: [{ origin: this.selfOrigin(node, `\`${calleeLabel(node)}\``), steps: [] }] };
      } else if (ref.pkg === '<global>' && ref.path.join('.') === 'Object.getPrototypeOf' && vals[0]?.fn) {
        return vals[0]; // its `.constructor` is the AsyncFunction/GeneratorFunction constructor
      } else if (ref.pkg === 'module' && ref.path.join('.') === 'createRequire') {
        return { t: CLEAN, ref: { pkg: '<global>', path: ['require'] } };
      } else if (ref.pkg === 'util' && ref.path[ref.path.length - 1] === 'promisify' && vals[0]) {
        return vals[0];
      } else if (isSdkPackage(ref.pkg, this.extraSdk) && TOOL_HELPERS.test(ref.path[ref.path.length - 1] ?? '')) {
        return vals[0] ?? NOTHING; // `tool({ execute })`, `tool(fn, { schema })`: the tool itself
      } else {
        const argHasModel = vals.some((v) => v.ref?.hasModel || v.elems?.some((e) => e.ref?.hasModel));
        result = refCall(this, ref, site, argHasModel);
        if (result) result = this.agentTools(ref, result, vals, node);
      }
    }
    if (recv && (method === 'map' || method === 'flatMap')) this.mapReceivers.set(node.id, recv);
    // `sh.stdin.write(answer)` where `sh = spawn('bash')`: the answer runs in that shell.
    if (recv?.ref?.interpreter && recv.ref.path[recv.ref.path.length - 1] === 'stdin' && (method === 'write' || method === 'end') && vals[0]) {
      this.effect('exec', site, `the standard input of \`${recv.ref.interpreter}\` (\`${calleeLabel(f)}\`)`, deepTaint(vals[0]).filter((t) => t.origin.kind === 'model'));
    }
    const isPromiseAll = callee.ref?.pkg === '<global>' && /^Promise\.(all|allSettled|any|race)$/.test(callee.ref.path.join('.'));
    if (isPromiseAll) this.fanoutOf(node, nodes[0]);

    // Generic: the result carries the inputs; callbacks receive them.
    const recvTaint = recv ? deepTaint(recv) : CLEAN;
    if (!result) {
      const clean = !!method && CLEAN_METHODS.test(method);
      const inputs = clean ? CLEAN : union(recvTaint, ...vals.filter((v) => !v.fn).map((v) => deepTaint(v)));
      const files = vals.flatMap((v) => [...(v.files ?? []), ...(v.str !== undefined && /[/\\]|\.\w{1,4}$/.test(v.str) ? [v.str] : [])]);
      result = inputs.length || files.length ? { t: inputs, files: files.length ? files : undefined } : NOTHING;
      // A module's builder API stays resolvable: `z.enum([...])` then `.parse(...)`.
      if (callee.ref && !callee.ref.instance) {
        const path = callee.ref.path;
        result = { ...result, ref: { ...callee.ref, path: [...path.slice(0, -1), `${path[path.length - 1] ?? ''}()`] } };
      }
      if (method && MUTATORS.test(method) && recvNode && !callee.ref) {
        const added = union(...vals.map((v) => deepTaint(v)));
        if (added.length) this.taintBinding(recvNode, extend(added, site.range, `added to \`${recvNode.text}\` here`), env);
      }
    }
    if (callee.ref?.pkg === 'path' && result.t.length) {
      // `path.dirname(__filename)`, `path.join(__dirname, 'worker.js')`: a directory or a sibling, not the program.
      const last = callee.ref.path[callee.ref.path.length - 1];
      const lastArg = vals[vals.length - 1]?.str;
      if (last === 'dirname' || (vals.length > 1 && lastArg && /[\w-]\.\w+$/.test(lastArg))) result = { ...result, t: result.t.filter((t) => t.origin.kind !== 'self') };
    }
    const cbInput = union(recvTaint, result.t);
    let cbResult: Val = NOTHING;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (!v.fn) continue;
      const cbArgs = v.fn.node.childForFieldName('parameters') ?? v.fn.node.childForFieldName('parameter');
      const n = cbArgs ? Math.max(1, this.nodes.kids(cbArgs).length) : 1;
      const arg: Val = { t: cbInput, files: recv?.files };
      cbResult = join(cbResult, this.callFunction(v.fn, Array.from({ length: n }, () => arg), [], node, undefined, 'received by the callback as'));
      if (method && /^(map|flatMap|forEach)$/.test(method) && recvNode && !isPromiseAll) {
        const model = recvTaint.filter((t) => t.origin.kind === 'model');
        if (model.length) this.fanouts.set(node.id, { node, range: site.range, body: v.fn.node, over: recvNode, taint: model, how: `\`${calleeLabel(f)}\`` });
      }
    }
    if (method && ITERATING.test(method)) return cbResult.t.length ? { ...result, t: union(result.t, cbResult.t) } : result;
    return result;
  }

  /** `Promise.all(items.map(cb))` over model output: remember it for js-unbounded-fanout. */
  protected fanoutOf(node: Node, arg: Node | undefined): void {
    const a = arg ? unwrap(arg) : undefined;
    if (a?.type !== 'call_expression') return;
    const f = a.childForFieldName('function');
    if (f?.type !== 'member_expression' || !/^(map|flatMap)$/.test(f.childForFieldName('property')?.text ?? '')) return;
    const over = f.childForFieldName('object');
    const cb = this.nodes.kids(a.childForFieldName('arguments') ?? a)[0];
    if (!over || !cb) return;
    this.fanouts.delete(a.id);
    const overVal = this.mapReceivers.get(a.id);
    const taint = overVal ? deepTaint(overVal).filter((t) => t.origin.kind === 'model') : CLEAN;
    if (taint.length) this.fanouts.set(node.id, { node, range: rangeOf(node), body: cb, over, taint, how: `\`Promise.${node.childForFieldName('function')?.childForFieldName('property')?.text ?? 'all'}(${calleeLabel(f)}(...))\`` });
  }

  protected construct(node: Node, env: Env): Val {
    const ctorNode = node.childForFieldName('constructor');
    const ctor = ctorNode ? this.expr(ctorNode, env) : NOTHING;
    const { vals, nodes } = this.args(node.childForFieldName('arguments'), env);
    const site: CallSite = { node, range: rangeOf(node), label: ctorNode ? calleeLabel(ctorNode) : 'new', args: vals, argNodes: nodes, isNew: true };
    if (ctor.cls) {
      const inst: Val = { t: CLEAN, instanceOf: ctor.cls };
      this.initClass(ctor.cls, inst, vals, nodes, node);
      return inst;
    }
    if (ctor.ref) {
      const path = ctor.ref.path.join('.');
      if (ctor.ref.pkg === '<global>' && path === 'Promise' && vals[0]?.fn) {
        const holder: Val = { t: CLEAN };
        this.callFunction(vals[0].fn, [{ t: CLEAN, resolves: holder }, NOTHING], [], node);
        return holder;
      }
      if (ctor.ref.pkg === '<global>' && path === 'URL') {
        // `new URL('./worker.js', import.meta.url)` names a sibling file, not the program itself.
        const base = vals[1] && vals[0]?.str && /[\w-]\.\w+$/.test(vals[0].str) ? { ...vals[1], t: vals[1].t.filter((t) => t.origin.kind !== 'self') } : vals[1];
        return concat([base ?? { t: CLEAN, str: '' }, vals[0] ?? NOTHING]);
      }
      if (isSdkPackage(ctor.ref.pkg, this.extraSdk) && /^Dynamic(Structured)?Tool$/.test(ctor.ref.path[ctor.ref.path.length - 1] ?? '')) return vals[0] ?? NOTHING;
      const r = refCall(this, ctor.ref, site, vals.some((v) => v.ref?.hasModel));
      if (r) return this.agentTools(ctor.ref, r, vals, node);
    }
    for (const v of vals) if (v.fn) this.callFunction(v.fn, [], [], node);
    return { t: union(...vals.map((v) => deepTaint(v))) };
  }

  protected initClass(cls: Node, inst: Val, args: Val[], argNodes: Node[], site: Node): void {
    const body = cls.childForFieldName('body');
    const env = new Env(this.root);
    env.vars.set('this', inst);
    const fields = this.fieldsOf(cls);
    for (const m of body ? this.nodes.kids(body) : []) {
      if (m.type !== 'field_definition' && m.type !== 'public_field_definition') continue;
      const name = (m.childForFieldName('property') ?? m.childForFieldName('name'))?.text;
      const value = m.childForFieldName('value');
      if (name && value) fields.set(name, join(fields.get(name) ?? NOTHING, this.expr(value, env)));
    }
    const ctor = this.methodOf(cls, 'constructor');
    if (ctor) this.callFunction({ node: ctor, env: this.root, self: inst }, args, argNodes, site);
  }

  /**
   * Tools given to a model: at a model call (`generateText({ tools })`, `runTools`, a LangChain agent's
   * `invoke`) each tool function runs with arguments the model chose; agents built with tools remember them.
   */
  protected agentTools(ref: Ref, result: Val, args: Val[], site: Node): Val {
    const fns = collectFns(args);
    if (this.calls.has(site.id)) {
      for (const tool of [...fns, ...(ref.tools ?? [])]) {
        if (!tool.fn) continue;
        const arg: Val = { t: extend(result.t, rangeOf(site), 'tool arguments chosen by the model here') };
        this.callFunction(tool.fn, [arg, arg], [], site, undefined, 'received by the tool as');
      }
      return result;
    }
    if (result.ref && (result.ref.hasModel || ref.hasModel) && (fns.length || ref.tools?.length)) {
      return { ...result, ref: { ...result.ref, hasModel: true, tools: [...(ref.tools ?? []), ...fns] } };
    }
    return result;
  }

  /** Runs a function of this file with argument values; memoized per function and argument taint. */
  callFunction(fn: FnVal, args: Val[], argNodes: Node[], site: Node, self?: Val, how = 'passed as'): Val {
    const node = fn.node;
    const key = `${node.id}:${args.map((a) => `${a.t.map((t) => t.origin.range.start.line).join(',')}${a.ref ? 'r' : ''}${a.resolves ? 'p' : ''}`).join('|')}`;
    const fname = functionName(node) ?? 'the function';
    const returned = (v: Val): Val => (v.t.length ? { ...v, t: extend(v.t, rangeOf(site), `returned by \`${fname}()\` here`) } : v);
    const cached = this.memo.get(key);
    if (cached) return returned(cached);
    if (this.stack.includes(node.id) || this.evals >= MAX_FUNCTION_EVALS) return { t: union(...args.map((a) => deepTaint(a))) };
    if (this.spawnOnly && args.every((a) => a.t.length === 0 && !a.elems && !a.props) && !SPAWN_TOKENS.test(node.text)) {
      // Nothing here can start a process or read the program's path, and nothing tainted comes in.
      this.evaluated.add(node.id);
      return NOTHING;
    }
    this.evals++;
    this.evaluated.add(node.id);
    this.stack.push(node.id);
    const env = new Env(fn.env as Env);
    const thisVal = fn.self ?? self;
    if (thisVal) env.vars.set('this', thisVal);
    const params = node.childForFieldName('parameters') ?? node.childForFieldName('parameter');
    const list = params ? (params.type === 'formal_parameters' ? this.nodes.kids(params) : [params]) : [];
    list.forEach((p, i) => {
      const a = p.type === 'rest_pattern' ? { t: union(...args.slice(i).map((x) => deepTaint(x))) } : (args[i] ?? NOTHING);
      const at = argNodes[i] ? rangeOf(argNodes[i]!) : rangeOf(p);
      const t = extend(a.t, at, how === 'passed as' ? `passed to \`${fname}()\` as \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here` : `${how} \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here`);
      this.bind(p, { ...a, t }, env, true);
    });
    const frame: Frame = { returns: NOTHING };
    this.frames.push(frame);
    const body = node.childForFieldName('body');
    try {
      if (body?.type === 'statement_block') this.block(this.nodes.kids(body), env);
      else if (body) frame.returns = this.expr(body, env);
    } finally {
      this.frames.pop();
      this.stack.pop();
    }
    this.memo.set(key, frame.returns);
    return returned(frame.returns);
  }
}

/** Function values inside arguments: `{ tools: { shell: { execute } } }`, `[tool1, tool2]`. */
function collectFns(vals: Val[], depth = 4): Val[] {
  const out: Val[] = [];
  const visit = (v: Val, d: number) => {
    if (v.fn) out.push(v);
    if (d === 0) return;
    for (const p of v.props?.values() ?? []) visit(p, d - 1);
    for (const e of v.elems ?? []) visit(e, d - 1);
    for (const t of v.ref?.tools ?? []) out.push(t);
  };
  for (const v of vals) visit(v, depth);
  return out;
}
