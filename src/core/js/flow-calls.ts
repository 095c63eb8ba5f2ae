/** The JavaScript dataflow: calls of callbacks, module references and SDKs, and what they return. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, deepTaint, extend, NOTHING, union, type Val } from './taint';
import { calleeLabel, rangeOf, unwrap } from './tree';
import { CLEAN_METHODS, isSdkPackage, normalizePkg } from './modules';
import { refCall, requireOrImport } from './calls';
import type { CallSite } from './results';
import { taintBinding } from './flow-bind';
import { expr, member } from './flow-expr';
import { agentTools, evalArgs, callFunction, toolHandler } from './flow-invoke';
import type { FlowState } from './flow-state';

const VALIDATORS = new Set(['zod', 'valibot', 'yup', 'joi', 'ajv', '@sinclair/typebox', 'superstruct', 'arktype']);
const SHELL_ESCAPERS = new Set(['shell-quote', 'shell-escape', 'shescape', 'any-shell-escape', 'shell-escape-tag']);
/** Helpers that wrap a function as a tool for a model and return it. */
const TOOL_HELPERS = /^(tool|dynamicTool|createTool|betaZodTool|zodFunction)$/;
/** Functions named for quoting their argument for a shell or a script. */
const ESCAPERS = /^(shell_?(quote|escape)\w*|(escape|quote)(Shell|Arg|Cmd|Command|AppleScript|Bash|Sh|PowerShell|Posix)\w*|\w*(ShellArg|ShellQuote|ShellEscape)\w*)$/i;
const MUTATORS = /^(push|unshift|splice|set|add|append|concat|assign|write|appendChild)$/;
/** String methods whose result still names the same endpoint or command. */
const STRING_KEEP = /^(replace|replaceAll|trim|trimEnd|trimStart|toString|toLowerCase|normalize)$/;
const ITERATING = /^(map|flatMap|forEach|filter|find|reduce|some|every|then|catch|finally|on|once|addListener|subscribe)$/;

/** Calls: functions of this file, callbacks, module references, constructors. */
export function call(w: FlowState, node: Node, env: Env): Val {
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
    recv = recvNode ? expr(w, recvNode, env) : NOTHING;
    callee = method ? member(w, recv, method, f) : NOTHING;
  } else if (f.type === 'subscript_expression') {
    // `tools[name](args)`: a table of functions indexed by a computed key
    recvNode = f.childForFieldName('object') ?? undefined;
    recv = recvNode ? expr(w, recvNode, env) : NOTHING;
    const idx = f.childForFieldName('index');
    const key = idx ? expr(w, idx, env).str : undefined;
    callee = member(w, recv, key ?? '[]', f);
    if (key === undefined && recv.props && !callee.fn) {
      const { vals, nodes } = evalArgs(w, node.childForFieldName('arguments'), env);
      // Any entry may be chosen (by the model, in a tool-calling agent): follow each function.
      let out: Val = NOTHING;
      for (const v of recv.props.values()) if (v.fn) out = join(out, callFunction(w, v.fn, vals, nodes, node, recv));
      return out;
    }
  } else callee = expr(w, f, env);
  const args = evalArgs(w, node.childForFieldName('arguments'), env);
  let { vals, nodes } = args;
  const { subs } = args;
  // `eval.call(null, code)`, `exec.apply(cp, [cmd])`: the same call with the arguments moved.
  if ((method === 'call' || method === 'apply') && callee.ref && recv?.ref && callee.ref.path.length > 0) {
    callee = recv;
    vals = method === 'call' ? vals.slice(1) : (vals[1]?.elems ?? []);
    nodes = method === 'call' ? nodes.slice(1) : [];
    recv = undefined;
    method = undefined;
  }
  const site: CallSite = { node, range: rangeOf(node), label: calleeLabel(f), args: vals, argNodes: nodes, isNew: false, substitutions: subs };
  toolRegistration(w, method, vals, nodes, node);

  let result: Val | undefined;
  // `escapeShellArg(x)`, `shellQuote(x)`, `escapeAppleScriptString(x)`: quoted as data, not code
  if (ESCAPERS.test(method ?? (f.type === 'identifier' ? f.text : ''))) {
    if (callee.fn) callFunction(w, callee.fn, vals, nodes, node);
    return NOTHING;
  }
  if (callee.fn) return callFunction(w, callee.fn, vals, nodes, node, recv && (recv.props || recv.instanceOf) ? recv : undefined);
  if (callee.resolves) {
    const holder = callee.resolves;
    holder.t = union(holder.t, extend(vals[0]?.t ?? CLEAN, site.range, 'resolved as the promise value here'));
    w.keys.epoch++; // changed in place: cached fingerprints are stale
    return NOTHING;
  }
  if (callee.ref) {
    const ref = callee.ref;
    // require('x') / import('x') with a literal: a module reference
    if (ref.pkg === '<global>' && (ref.path[0] === 'require' || ref.path[0] === 'import') && ref.path.length === 1) {
      const spec = vals[0]?.str;
      const local = spec !== undefined ? w.loadModule(node, spec) : undefined;
      if (local) return local; // a project file: its exports (`import()` resolves to the same)
      if (spec !== undefined && !w.writtenTaint(vals[0]!).length) return { t: CLEAN, ref: { pkg: normalizePkg(spec), path: [] } };
      result = requireOrImport(w, site, ref.path[0] === 'import' ? '`import()`' : '`require`');
    } else if (SHELL_ESCAPERS.has(ref.pkg)) {
      result = NOTHING; // quoted for the shell: one argument, not code
    } else if (VALIDATORS.has(ref.pkg) && method && /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|assert)$/.test(method)) {
      // A schema checks the shape, not the content: a validated string is still model text.
      // Enums, literals, numbers and booleans leave nothing free to run.
      const schema = ref.path.join('.');
      if (/(^|\.)(enum|nativeEnum|literal|number|boolean|bigint|int)\(\)/.test(schema) && !/(^|\.)(string|object|array|record|any|unknown|union)\(\)/.test(schema)) result = NOTHING;
    } else if (ref.pkg === '<global>' && ref.path.join('.') === 'process.argv.slice' && Number(vals[0]?.str ?? '0') <= 1) {
      // `process.argv.slice(1)` starts with the program's own path.
      return { t: [{ origin: w.selfOrigin(node, `\`${calleeLabel(node)}\``), steps: [] }] };
    } else if (ref.pkg === '<global>' && ref.path.join('.') === 'Object.getPrototypeOf' && vals[0]?.fn) {
      return vals[0]; // its `.constructor` is the AsyncFunction/GeneratorFunction constructor
    } else if (ref.pkg === 'module' && ref.path.join('.') === 'createRequire') {
      return { t: CLEAN, ref: { pkg: '<global>', path: ['require'] } };
    } else if (ref.pkg === 'util' && ref.path[ref.path.length - 1] === 'promisify' && vals[0]) {
      return vals[0];
    } else if (isSdkPackage(ref.pkg, w.extraSdk) && TOOL_HELPERS.test(ref.path[ref.path.length - 1] ?? '')) {
      // `tool(fn, { name, schema })` (LangChain): the function is the tool
      if (vals[0]?.fn && vals[1]?.props) toolHandler(w, vals[0].fn, node, vals[1].props.get('name')?.str ? `the tool \`${vals[1].props.get('name')!.str}\`` : 'a tool');
      return vals[0] ?? NOTHING; // `tool({ execute })`, `tool(fn, { schema })`: the tool itself
    } else {
      const argHasModel = vals.some((v) => v.ref?.hasModel || v.elems?.some((e) => e.ref?.hasModel));
      result = refCall(w, ref, site, argHasModel);
      if (result) result = agentTools(w, ref, result, vals, node);
    }
  }
  if (recv && (method === 'map' || method === 'flatMap')) w.mapReceivers.set(node.id, recv);
  // `sh.stdin.write(answer)` where `sh = spawn('bash')`: the answer runs in that shell.
  if (recv?.ref?.interpreter && recv.ref.path[recv.ref.path.length - 1] === 'stdin' && (method === 'write' || method === 'end') && vals[0]) {
    w.effect('exec', site, `the standard input of \`${recv.ref.interpreter}\` (\`${calleeLabel(f)}\`)`, deepTaint(vals[0]).filter((t) => t.origin.kind === 'model'));
  }
  const isPromiseAll = callee.ref?.pkg === '<global>' && /^Promise\.(all|allSettled|any|race)$/.test(callee.ref.path.join('.'));
  if (isPromiseAll) fanoutOf(w, node, nodes[0]);

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
    // `args.push('--full-auto')`: the array may hold it from here on (a may-analysis keeps both)
    if ((method === 'push' || method === 'unshift') && recv?.elems && vals.length && vals.every((v) => !v.fn)) {
      if (method === 'push') recv.elems.push(...vals);
      else recv.elems.unshift(...vals);
    }
    // `url.trim()`, `String(base).replace(/\/$/, '')`: the same text, as far as endpoints go
    const text = method && STRING_KEEP.test(method) ? recv : !method && f.type === 'identifier' && f.text === 'String' ? vals[0] : undefined;
    if (text && (text.str !== undefined || text.hint)) result = { ...result, hint: text.str ?? text.hint };
    if (method && MUTATORS.test(method) && recvNode && !callee.ref) {
      const added = union(...vals.map((v) => deepTaint(v)));
      if (added.length) taintBinding(w, recvNode, extend(added, site.range, `added to \`${recvNode.text}\` here`), env);
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
    const n = cbArgs ? Math.max(1, w.nodes.kids(cbArgs).length) : 1;
    const arg: Val = { t: cbInput, files: recv?.files };
    cbResult = join(cbResult, callFunction(w, v.fn, Array.from({ length: n }, () => arg), [], node, undefined, 'received by the callback as'));
    if (method && /^(map|flatMap|forEach)$/.test(method) && recvNode && !isPromiseAll) {
      const model = recvTaint.filter((t) => t.origin.kind === 'model');
      if (model.length) w.fanouts.set(node.id, { node, range: site.range, body: v.fn.node, over: recvNode, taint: model, how: `\`${calleeLabel(f)}\`` });
    }
  }
  if (method && ITERATING.test(method)) return cbResult.t.length ? { ...result, t: union(result.t, cbResult.t) } : result;
  return result;
}

/**
 * Tools registered with an MCP server: `setRequestHandler(CallToolRequestSchema, handler)`,
 * `server.tool(name, ..., handler)`, `server.registerTool(name, config, handler)`. The client's
 * model chooses the arguments each handler receives.
 */
export function toolRegistration(w: FlowState, method: string | undefined, vals: Val[], nodes: Node[], node: Node): void {
  if (!method) return;
  const last = vals[vals.length - 1];
  if (method === 'setRequestHandler' && /CallToolRequest/.test(nodes[0]?.text ?? '') && last?.fn) {
    toolHandler(w, last.fn, node, 'the MCP tool call');
  } else if (/^(tool|registerTool|addTool)$/.test(method) && vals.length >= 2 && vals[0]?.str !== undefined && last?.fn) {
    toolHandler(w, last.fn, node, `the MCP tool \`${vals[0].str}\``);
  }
}

/** `Promise.all(items.map(cb))` over model output: remember it for js-unbounded-fanout. */
export function fanoutOf(w: FlowState, node: Node, arg: Node | undefined): void {
  const a = arg ? unwrap(arg) : undefined;
  if (a?.type !== 'call_expression') return;
  const f = a.childForFieldName('function');
  if (f?.type !== 'member_expression' || !/^(map|flatMap)$/.test(f.childForFieldName('property')?.text ?? '')) return;
  const over = f.childForFieldName('object');
  const cb = w.nodes.kids(a.childForFieldName('arguments') ?? a)[0];
  if (!over || !cb) return;
  w.fanouts.delete(a.id);
  const overVal = w.mapReceivers.get(a.id);
  const taint = overVal ? deepTaint(overVal).filter((t) => t.origin.kind === 'model') : CLEAN;
  if (taint.length) w.fanouts.set(node.id, { node, range: rangeOf(node), body: cb, over, taint, how: `\`Promise.${node.childForFieldName('function')?.childForFieldName('property')?.text ?? 'all'}(${calleeLabel(f)}(...))\`` });
}

