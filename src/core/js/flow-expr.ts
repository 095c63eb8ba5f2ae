/** The JavaScript dataflow: expressions, members and module references. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, concat, deepTaint, extend, NOTHING, union, type FnVal, type Taints, type Val } from './taint';
import { FUNCTION_TYPES, rangeOf, stringValue, unwrap } from './tree';
import { GLOBALS } from './modules';
import { bind } from './flow-bind';
import { call } from './flow-calls';
import { construct, toolHandler } from './flow-invoke';
import type { FlowState } from './flow-state';

const CLEAN_FIELDS = new Set(['length', 'usage', 'id', 'created', 'created_at', 'system_fingerprint', 'finish_reason', 'stop_reason', 'role', 'index', 'status', 'statusCode', 'ok', 'headers', 'exitCode', 'pid']);

/** Properties that hold a tool's function, and those that describe its arguments to a model. */
const TOOL_FN_KEYS = ['execute', 'handler', 'func', 'invoke', 'run', 'call', 'callback'];
const TOOL_SCHEMA_KEYS = ['inputSchema', 'input_schema', 'parameters', 'schema', 'argsSchema', 'paramsSchema'];
/** Route and command definitions share the shape: they have a method, a URL or a command line. */
const NOT_TOOL_KEYS = ['method', 'url', 'path', 'route', 'command', 'builder', 'routes'];

/** A tool definition: a function and a schema for its arguments, and nothing that makes it a route or a CLI command. */
export function toolShape(props: Map<string, Val>): { fn: FnVal; name: string } | undefined {
  const fnKey = TOOL_FN_KEYS.find((k) => props.get(k)?.fn);
  if (!fnKey || !TOOL_SCHEMA_KEYS.some((k) => props.has(k)) || NOT_TOOL_KEYS.some((k) => props.has(k))) return undefined;
  const name = props.get('name')?.str;
  return { fn: props.get(fnKey)!.fn!, name: name ? `the tool \`${name}\`` : 'a tool' };
}

const LITERALS = new Set(['string', 'number', 'true', 'false', 'null', 'comment', 'template_string', 'regex']);

/** An array whose elements are all literals (or arrays and objects of literals, one level down). */
function isLiteralTable(node: Node): boolean {
  for (const c of node.namedChildren) {
    if (!c || LITERALS.has(c.type)) continue;
    if ((c.type === 'array' || c.type === 'object') && c.namedChildren.every((g) => !!g && (LITERALS.has(g.type) || (g.type === 'pair' && LITERALS.has(g.childForFieldName('value')?.type ?? ''))))) continue;
    return false;
  }
  return true;
}


export function expr(w: FlowState, node: Node, env: Env): Val {
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier':
      return identifier(w, node, env);
    case 'this':
      return env.lookup('this') ?? NOTHING;
    case 'string':
      return { t: CLEAN, str: stringValue(node) ?? '' };
    case 'number':
    case 'true':
    case 'false':
      return { t: CLEAN, str: node.text };
    case 'template_string':
      return template(w, node, env);
    case 'parenthesized_expression':
    case 'as_expression':
    case 'satisfies_expression':
    case 'non_null_expression':
    case 'type_assertion': {
      const inner = unwrap(node);
      return inner === node ? NOTHING : expr(w, inner, env);
    }
    case 'sequence_expression': {
      let last: Val = NOTHING;
      for (const c of w.nodes.kids(node)) last = expr(w, c, env);
      return last;
    }
    case 'await_expression':
    case 'spread_element': {
      const inner = w.nodes.kids(node)[0];
      return inner ? expr(w, inner, env) : NOTHING;
    }
    case 'yield_expression': {
      const inner = w.nodes.kids(node)[0];
      const v = inner ? expr(w, inner, env) : NOTHING;
      const f = w.frames[w.frames.length - 1];
      if (f) f.returns = join(f.returns, node.text.startsWith('yield*') ? element(w, v) : v);
      return NOTHING;
    }
    case 'member_expression': {
      const obj = node.childForFieldName('object');
      const prop = node.childForFieldName('property');
      if (!obj || !prop) return NOTHING;
      return member(w, expr(w, obj, env), prop.text, node);
    }
    case 'subscript_expression': {
      const obj = node.childForFieldName('object');
      const idx = node.childForFieldName('index');
      if (!obj) return NOTHING;
      const ov = expr(w, obj, env);
      const iv = idx ? expr(w, idx, env) : NOTHING;
      return member(w, ov, iv.str ?? '[]', node);
    }
    case 'meta_property':
      return node.text === 'import.meta' ? { t: CLEAN, ref: { pkg: '<global>', path: ['import.meta'] } } : NOTHING;
    case 'call_expression':
      return call(w, node, env);
    case 'new_expression':
      return construct(w, node, env);
    case 'assignment_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const v = right ? expr(w, right, env) : NOTHING;
      if (left) bind(w, left, v, env, false);
      return v;
    }
    case 'augmented_assignment_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const v = right ? expr(w, right, env) : NOTHING;
      if (left && v.t.length) {
        const lv = expr(w, left, env);
        bind(w, left, { ...concat([lv, v]), t: union(lv.t, extend(v.t, rangeOf(node), `appended to \`${left.text}\` here`)) }, env, false);
      }
      return v;
    }
    case 'binary_expression': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text;
      const lv = l ? expr(w, l, env) : NOTHING;
      const rv = r ? expr(w, r, env) : NOTHING;
      if (op === '+') return concat([lv, rv]);
      if (op === '||' || op === '??' || op === '&&') return join(lv, rv);
      return NOTHING;
    }
    case 'ternary_expression': {
      const c = node.childForFieldName('condition');
      if (c) expr(w, c, env);
      const a = node.childForFieldName('consequence');
      const b = node.childForFieldName('alternative');
      return join(a ? expr(w, a, env) : NOTHING, b ? expr(w, b, env) : NOTHING);
    }
    case 'unary_expression':
    case 'update_expression':
      for (const c of w.nodes.kids(node)) expr(w, c, env);
      return NOTHING;
    case 'arrow_function':
    case 'function_expression':
    case 'function':
    case 'generator_function':
      w.noteFn(node, env);
      return { t: CLEAN, fn: { node, env } };
    case 'class':
    case 'class_expression':
      w.noteClass(node, env);
      return { t: CLEAN, cls: node };
    case 'object':
      return object(w, node, env);
    case 'array': {
      // A large table of literals (generated data) carries nothing to follow.
      if (node.namedChildCount > 64 && isLiteralTable(node)) return NOTHING;
      const elems: Val[] = [];
      for (const c of w.nodes.kids(node)) {
        const v = expr(w, c, env);
        // `[...args, command]`: a spread of a known array adds its elements in place
        if (c.type === 'spread_element' && v.elems) elems.push(...v.elems);
        else elems.push(v);
      }
      return { t: CLEAN, elems };
    }
    case 'regex':
    case 'null':
    case 'undefined':
    case 'super':
      return NOTHING;
    default: {
      // JSX and anything else: evaluate the parts (calls inside still happen), pass the taint on.
      let t: Taints = CLEAN;
      for (const c of w.nodes.kids(node)) {
        if (FUNCTION_TYPES.includes(c.type)) continue;
        t = union(t, expr(w, c, env).t);
      }
      return t.length ? { t } : NOTHING;
    }
  }
}

export function identifier(w: FlowState, node: Node, env: Env): Val {
  const name = node.text;
  const local = env.lookup(name);
  if (local) return local;
  if (name === '__filename') return { t: [{ origin: w.selfOrigin(node, '`__filename`'), steps: [] }] };
  if (name === 'require') return { t: CLEAN, ref: { pkg: '<global>', path: ['require'] } };
  if (GLOBALS.has(name)) return { t: CLEAN, ref: { pkg: '<global>', path: [name] } };
  return NOTHING;
}

export function template(w: FlowState, node: Node, env: Env): Val {
  const parts: Val[] = [];
  for (const c of w.nodes.kids(node)) {
    if (c.type === 'template_substitution') {
      const inner = w.nodes.kids(c)[0];
      parts.push(inner ? expr(w, inner, env) : NOTHING);
    } else parts.push({ t: CLEAN, str: c.text });
  }
  return concat(parts);
}

export function object(w: FlowState, node: Node, env: Env): Val {
  const props = new Map<string, Val>();
  let t: Taints = CLEAN;
  for (const c of w.nodes.kids(node)) {
    if (c.type === 'pair') {
      const k = c.childForFieldName('key');
      const v = c.childForFieldName('value');
      const key = k ? (stringValue(k) ?? (k.type === 'computed_property_name' ? '[]' : k.text)) : '[]';
      if (v) props.set(key, expr(w, v, env));
    } else if (c.type === 'shorthand_property_identifier') props.set(c.text, identifier(w, c, env));
    else if (c.type === 'method_definition') {
      const k = c.childForFieldName('name')?.text;
      if (k) props.set(k, { t: CLEAN, fn: { node: c, env } });
      w.noteFn(c, env);
    } else if (c.type === 'spread_element') {
      const inner = w.nodes.kids(c)[0];
      const v = inner ? expr(w, inner, env) : NOTHING;
      for (const [k, pv] of v.props ?? []) props.set(k, pv);
      t = union(t, v.t);
    }
  }
  // `{ name, description, inputSchema, execute(args) { ... } }`: a tool, whoever hands it to a model
  const tool = toolShape(props);
  if (tool) toolHandler(w, tool.fn, node, tool.name);
  return { t, props };
}


/** `obj.name`: a module member, a field, an element, or the object's own taint. */
export function member(w: FlowState, obj: Val, name: string, node?: Node): Val {
  const p = obj.props?.get(name);
  if (p) return p;
  if (obj.instanceOf) {
    const f = w.classFields.get(obj.instanceOf.id)?.get(name);
    if (f) return f;
    const m = w.methodOf(obj.instanceOf, name);
    if (m) return { t: CLEAN, fn: { node: m, env: w.moduleEnvOf(m), self: obj } };
  }
  if (obj.elems && /^\d+$/.test(name)) {
    const e = obj.elems[Number(name)];
    if (e) return e;
  }
  if (obj.ref) {
    const ref = obj.ref;
    if (name === 'default' && ref.path.length === 0 && ref.pkg !== '<global>') return obj; // `require('x').default`
    const path = ref.pkg === '<global>' && ref.path.length === 1 && /^(globalThis|window|global|self)$/.test(ref.path[0]!) ? [name] : [...ref.path, name];
    if (ref.pkg === '<global>') {
      const full = path.join('.');
      if (full === 'process.argv.1' || full === 'import.meta.url' || full === 'import.meta.filename' || full === 'process.argv.[]') {
        if (full !== 'process.argv.[]' && node) return { t: [{ origin: w.selfOrigin(node, `\`${node.text}\``), steps: [] }] };
      }
      if (path[0] === 'process' && path[1] === 'env' && path.length === 3) return { t: CLEAN, hint: `$${name}` };
      if (full === 'process.execPath' || full === 'process.argv0') return { t: CLEAN, str: 'node' };
      if (path.length > 3) return { t: obj.t };
    }
    return { t: obj.t, ref: { ...ref, path } };
  }
  if (obj.cls) {
    // static methods of a class of this file: `Agent.run()`
    const m = w.methodOf(obj.cls, name);
    return m ? { t: CLEAN, fn: { node: m, env: w.moduleEnvOf(m) } } : NOTHING;
  }
  // `(async () => {}).constructor` is the (Async)Function constructor: a code sink.
  if (obj.fn) return name === 'constructor' ? { t: CLEAN, ref: { pkg: '<global>', path: ['Function'] } } : NOTHING;
  // Bookkeeping fields of an answer (ids, counts, status, roles) are not text the model wrote.
  if (CLEAN_FIELDS.has(name)) return NOTHING;
  const t = obj.elems || obj.props ? deepTaint(obj) : obj.t;
  return t.length || obj.files ? { t, files: obj.files } : NOTHING;
}

/** The value of one element of an iterable (arrays, streams, async iterators). */
export function element(w: FlowState, v: Val): Val {
  if (v.elems?.length) return v.elems.reduce((a, b) => join(a, b), NOTHING);
  return { t: deepTaint(v), files: v.files };
}
