/** The JavaScript dataflow, part 4: arguments, calls of this file's functions, constructors and tools handed to a model. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, concat, deepTaint, extend, NOTHING, union, type FnVal, type Ref, type Val } from './taint';
import { calleeLabel, functionName, rangeOf } from './tree';
import { isSdkPackage } from './modules';
import { refCall } from './calls';
import type { CallSite } from './results';
import { FlowExpr } from './flow-expr';
import { MAX_FUNCTION_EVALS, type Frame } from './flow-state';

/** Words without which a function can neither start a process nor read the program's own path. */
const SPAWN_TOKENS = /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|execa\w*|Worker|cluster|__filename|argv|require|setInterval|llm|sgpt|ollama|claude|gemini)\b|import\.meta|\$`|child_process/;

/** Invoking what a call resolved to: functions of this file, constructors, tools. */
export abstract class FlowInvoke extends FlowExpr {
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
    const env = new Env(this.moduleEnvOf(cls));
    env.vars.set('this', inst);
    const fields = this.fieldsOf(cls);
    for (const m of body ? this.nodes.kids(body) : []) {
      if (m.type !== 'field_definition' && m.type !== 'public_field_definition') continue;
      const name = (m.childForFieldName('property') ?? m.childForFieldName('name'))?.text;
      const value = m.childForFieldName('value');
      if (name && value) fields.set(name, join(fields.get(name) ?? NOTHING, this.expr(value, env)));
    }
    const ctor = this.methodOf(cls, 'constructor');
    if (ctor) this.callFunction({ node: ctor, env: this.moduleEnvOf(ctor), self: inst }, args, argNodes, site);
  }

  /**
   * Tools given to a model: at a model call (`generateText({ tools })`, `runTools`, a LangChain agent's
   * `invoke`) each tool function runs with arguments the model chose; agents built with tools remember them.
   */
  private readonly toolsRun = new Set<number>();

  /**
   * A function handed to a model as a tool (an MCP tool handler, an AI SDK/LangChain/llmist tool,
   * a tool object with a schema): it runs with arguments the model chose, whether or not the model
   * call is in sight. Each parameter carries them.
   */
  protected toolHandler(fn: FnVal, site: Node, name: string): void {
    if (this.toolsRun.has(fn.node.id)) return;
    this.toolsRun.add(fn.node.id);
    const range = rangeOf(site);
    const origin = this.origin(`tool${site.id}`, () => ({ kind: 'model', range, label: name, tool: name }));
    this.tainted = true;
    const params = fn.node.childForFieldName('parameters') ?? fn.node.childForFieldName('parameter');
    const n = Math.max(1, params ? this.nodes.kids(params).length : 1);
    const arg: Val = { t: [{ origin, steps: [{ range, message: `the model chooses the arguments of ${name} here` }] }] };
    this.callFunction(fn, Array.from({ length: n }, () => arg), [], site, undefined, 'received by the tool as');
  }

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
    if (this.stack.includes(node.id)) return { t: union(...args.map((a) => deepTaint(a))) };
    // Each function met once on its own, and MAX_FUNCTION_EVALS more at call sites (as in Bash).
    const limit = MAX_FUNCTION_EVALS + this.seenFns.length;
    const free = this.sweeping;
    this.sweeping = false;
    if (this.evals >= limit && !free) {
      if (!this.spawnOnly) this.budget.note('function-evaluations', site, `the dataflow stopped following functions here: it had evaluated ${limit} function bodies (function evaluations); \`${fname}\` and the functions after it were not followed`);
      return { t: union(...args.map((a) => deepTaint(a))) };
    }
    this.budget.tick(site);
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
