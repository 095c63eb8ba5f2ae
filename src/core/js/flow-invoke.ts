/** The JavaScript dataflow: arguments, calls of this file's functions, constructors and tools handed to a model. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, concat, deepTaint, extend, NOTHING, union, type FnVal, type Ref, type Val } from './taint';
import { calleeLabel, functionName, rangeOf } from './tree';
import { bundledSdkClient, isSdkPackage } from './modules';
import { MODEL_CLIS } from '../catalog';
import { StateKeys } from './state-key';
import { refCall } from './calls';
import type { CallSite } from './results';
import { MAX_FUNCTION_EVALS, type Frame } from './flow-state';
import { block } from './flow-stmt';
import { bind } from './flow-bind';
import { expr, template } from './flow-expr';
import { typedValue } from './flow-types';
import type { FlowState } from './flow-state';

/** Words without which a function can neither start a process nor read the program's own path. */
const SPAWN_TOKENS = new RegExp(
  `\\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork|execa\\w*|Worker|cluster|__filename|argv|require|setInterval|${MODEL_CLIS.filter((c) => c.name.length > 2).map((c) => c.name.replace(/-/g, '\\-')).join('|')})\\b|import\\.meta|\\$\`|child_process`,
);
/** Words of a function that starts a process or sends a request: its call sites may each be a model call. */
const STARTS = /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|execa\w*|fetch|request|axios|got|post|\$)\b|\$`/;


export function evalArgs(w: FlowState, node: Node | null, env: Env): { vals: Val[]; nodes: Node[]; subs?: Val[] } {
  if (!node) return { vals: [], nodes: [] };
  if (node.type === 'template_string') {
    const subs = w.nodes.kids(node).filter((c) => c.type === 'template_substitution').map((c) => (w.nodes.kids(c)[0] ? expr(w, w.nodes.kids(c)[0]!, env) : NOTHING));
    return { vals: [template(w, node, env)], nodes: [node], subs };
  }
  const vals: Val[] = [];
  const nodes: Node[] = [];
  for (const n of w.nodes.kids(node)) {
    const v = expr(w, n, env);
    // `f(...args)` with the elements known: each is an argument in its place
    if (n.type === 'spread_element' && v.elems && v.elems.length <= 32) {
      for (const e of v.elems) {
        vals.push(e);
        nodes.push(n);
      }
    } else {
      vals.push(v);
      nodes.push(n);
    }
  }
  return { vals, nodes };
}

export function construct(w: FlowState, node: Node, env: Env): Val {
  const ctorNode = node.childForFieldName('constructor');
  const ctor = ctorNode ? expr(w, ctorNode, env) : NOTHING;
  const { vals, nodes } = evalArgs(w, node.childForFieldName('arguments'), env);
  const site: CallSite = { node, range: rangeOf(node), label: ctorNode ? calleeLabel(ctorNode) : 'new', args: vals, argNodes: nodes, isNew: true };
  if (ctor.cls) {
    // a copy of an SDK bundled into the file: its client, not the bundled code, is what the flow follows
    const name = ctor.cls.childForFieldName('name')?.text;
    const pkg = bundledSdkClient(name, w.methodOf(ctor.cls, 'constructor')?.text);
    if (pkg) return { t: CLEAN, ref: { pkg, path: [], instance: true, cls: name } };
    const inst: Val = { t: CLEAN, instanceOf: ctor.cls };
    initClass(w, ctor.cls, inst, vals, nodes, node);
    return inst;
  }
  if (ctor.ref) {
    const path = ctor.ref.path.join('.');
    if (ctor.ref.pkg === '<global>' && path === 'Promise' && vals[0]?.fn) {
      const holder: Val = { t: CLEAN };
      callFunction(w, vals[0].fn, [{ t: CLEAN, resolves: holder }, NOTHING], [], node);
      return holder;
    }
    if (ctor.ref.pkg === '<global>' && path === 'URL') {
      // `new URL('./worker.js', import.meta.url)` names a sibling file, not the program itself.
      const base = vals[1] && vals[0]?.str && /[\w-]\.\w+$/.test(vals[0].str) ? { ...vals[1], t: vals[1].t.filter((t) => t.origin.kind !== 'self') } : vals[1];
      return concat([base ?? { t: CLEAN, str: '' }, vals[0] ?? NOTHING]);
    }
    if (isSdkPackage(ctor.ref.pkg, w.extraSdk) && /^Dynamic(Structured)?Tool$/.test(ctor.ref.path[ctor.ref.path.length - 1] ?? '')) return vals[0] ?? NOTHING;
    const r = refCall(w, ctor.ref, site, vals.some((v) => v.ref?.hasModel));
    if (r) return agentTools(w, ctor.ref, r, vals, node);
  }
  for (const v of vals) if (v.fn) callFunction(w, v.fn, [], [], node);
  return { t: union(...vals.map((v) => deepTaint(v))) };
}

export function initClass(w: FlowState, cls: Node, inst: Val, args: Val[], argNodes: Node[], site: Node): void {
  const body = cls.childForFieldName('body');
  const env = new Env(w.moduleEnvOf(cls));
  env.vars.set('this', inst);
  const fields = w.fieldsOf(cls);
  for (const m of body ? w.nodes.kids(body) : []) {
    if (m.type !== 'field_definition' && m.type !== 'public_field_definition') continue;
    const name = (m.childForFieldName('property') ?? m.childForFieldName('name'))?.text;
    const value = m.childForFieldName('value');
    // `client: OpenAI;` or `client: OpenAI = make()`: the annotation says what it holds
    const typed = typedValue(w, m.childForFieldName('type'), env);
    if (name && (value || typed)) fields.set(name, join(fields.get(name) ?? NOTHING, join(value ? expr(w, value, env) : NOTHING, typed ?? NOTHING)));
  }
  // Built with something worth knowing (a client, a callback, a string, model output): its methods,
  // even in another file, run once more with this instance at the end of the pass (see dataflow.ts).
  if (args.some((a) => a.ref || a.fn || a.cls || a.instanceOf || a.str !== undefined || a.hint || a.t.length || a.props || a.elems)) w.constructed.set(cls.id, cls);
  const ctor = w.methodOf(cls, 'constructor');
  if (ctor) callFunction(w, { node: ctor, env: w.moduleEnvOf(ctor), self: inst }, args, argNodes, site);
}

/**
 * A function handed to a model as a tool (an MCP tool handler, an AI SDK/LangChain/llmist tool,
 * a tool object with a schema): it runs with arguments the model chose, whether or not the model
 * call is in sight. Each parameter carries them.
 */
export function toolHandler(w: FlowState, fn: FnVal, site: Node, name: string): void {
  if (w.toolsRun.has(fn.node.id)) return;
  w.toolsRun.add(fn.node.id);
  const range = rangeOf(site);
  const origin = w.origin(`tool${site.id}`, () => ({ kind: 'model', range, label: name, tool: name }));
  w.tainted = true;
  const params = fn.node.childForFieldName('parameters') ?? fn.node.childForFieldName('parameter');
  const n = Math.max(1, params ? w.nodes.kids(params).length : 1);
  const arg: Val = { t: [{ origin, steps: [{ range, message: `the model chooses the arguments of ${name} here` }] }] };
  callFunction(w, fn, Array.from({ length: n }, () => arg), [], site, undefined, 'received by the tool as');
}

/**
 * Tools given to a model: at a model call (`generateText({ tools })`, `runTools`, a LangChain agent's
 * `invoke`) each tool function runs with arguments the model chose; agents built with tools remember them.
 */
export function agentTools(w: FlowState, ref: Ref, result: Val, args: Val[], site: Node): Val {
  const fns = collectFns(args);
  if (w.calls.has(site.id)) {
    for (const tool of [...fns, ...(ref.tools ?? [])]) {
      if (!tool.fn) continue;
      const arg: Val = { t: extend(result.t, rangeOf(site), 'tool arguments chosen by the model here') };
      callFunction(w, tool.fn, [arg, arg], [], site, undefined, 'received by the tool as');
    }
    return result;
  }
  if (result.ref && (result.ref.hasModel || ref.hasModel) && (fns.length || ref.tools?.length)) {
    return { ...result, ref: { ...result.ref, hasModel: true, tools: [...(ref.tools ?? []), ...fns] } };
  }
  return result;
}

/** Runs a function of this file with argument values; memoized per function and argument taint. */
export function callFunction(w: FlowState, fn: FnVal, args: Val[], argNodes: Node[], site: Node, self?: Val, how = 'passed as'): Val {
  const node = fn.node;
  // per function and what its arguments are (origins, strings, clients, classes, objects): `__importDefault(require('./a'))`
  // and `__importDefault(require('./b'))` are two results, as are `run('codex', ...)` and `run('git', ...)`
  // A string handed to a function remembers the first call it was handed at (a wrapper's call site).
  const call = site.type === 'call_expression' || site.type === 'new_expression';
  const tagged = args.map((a) => (call && (a.str !== undefined || a.hint !== undefined) && !(a.via && w.sites.some((s) => s.id === a.via!.id)) ? { ...a, via: site } : a));
  // each call of a function that starts processes or requests with strings of its own is its own evaluation
  const perSite = call && tagged.some((a, i) => a !== args[i]) && STARTS.test(node.text) ? `@${site.id}` : '';
  // a closure is evaluated per scope it was made in (`new Promise((resolve) => spawn(file))` in each call of its wrapper)
  const key = `${node.id}${perSite}e${StateKeys.idOf(fn.env as object)}:${args.map((a) => `${a.t.map((t) => t.origin.range.start.line).join(',')}${a.resolves ? 'p' : ''}:${w.keys.val(a, 1)}`).join('|')}`;
  const fname = functionName(node) ?? 'the function';
  // A variable's identity (`#id`) names one file only inside its function: a path helper
  // (`validatePath(p)`) returns it to every caller, whose files are not the same.
  const returned = (r: Val): Val => {
    const v = r.files?.some((f) => f.startsWith('#')) ? { ...r, files: r.files.filter((f) => !f.startsWith('#')) } : r;
    return v.t.length ? { ...v, t: extend(v.t, rangeOf(site), `returned by \`${fname}()\` here`) } : v;
  };
  const cached = w.memo.get(key);
  if (cached) return returned(cached);
  if (w.stack.includes(node.id)) return { t: union(...args.map((a) => deepTaint(a))) };
  // Each function met once on its own, and MAX_FUNCTION_EVALS more at call sites (as in Bash).
  const limit = MAX_FUNCTION_EVALS + w.seenFns.length;
  const free = w.sweeping;
  w.sweeping = false;
  if (w.evals >= limit && !free) {
    if (!w.spawnOnly) w.budget.note('function-evaluations', site, `the dataflow stopped following functions here: it had evaluated ${limit} function bodies (function evaluations); \`${fname}\` and the functions after it were not followed`);
    return { t: union(...args.map((a) => deepTaint(a))) };
  }
  w.budget.tick(site);
  if (w.spawnOnly && args.every((a) => a.t.length === 0 && !a.elems && !a.props) && !SPAWN_TOKENS.test(node.text)) {
    // Nothing here can start a process or read the program's path, and nothing tainted comes in.
    w.evaluated.add(node.id);
    return NOTHING;
  }
  w.evals++;
  w.evaluated.add(node.id);
  w.stack.push(node.id);
  w.sites.push(site);
  const env = new Env(fn.env as Env);
  const thisVal = fn.self ?? self;
  if (thisVal) env.vars.set('this', thisVal);
  const params = node.childForFieldName('parameters') ?? node.childForFieldName('parameter');
  const list = params ? (params.type === 'formal_parameters' ? w.nodes.kids(params) : [params]) : [];
  list.forEach((p, i) => {
    // `...args` keeps the arguments as its elements (`fetch(...args)` passes them on in place)
    const a = p.type === 'rest_pattern' ? { t: union(...tagged.slice(i).map((x) => deepTaint(x))), elems: tagged.slice(i) } : (tagged[i] ?? NOTHING);
    const at = argNodes[i] ? rangeOf(argNodes[i]!) : rangeOf(p);
    const t = extend(a.t, at, how === 'passed as' ? `passed to \`${fname}()\` as \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here` : `${how} \`${p.text.replace(/[:=?].*$/s, '').trim()}\` here`);
    bind(w, p, { ...a, t }, env, true);
  });
  const frame: Frame = { returns: NOTHING };
  w.frames.push(frame);
  const body = node.childForFieldName('body');
  try {
    if (body?.type === 'statement_block') block(w, w.nodes.kids(body), env);
    else if (body) frame.returns = expr(w, body, env);
  } finally {
    w.frames.pop();
    w.stack.pop();
    w.sites.pop();
  }
  w.memo.set(key, frame.returns);
  return returned(frame.returns);
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
