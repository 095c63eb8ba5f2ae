/** The Python dataflow, part 2: expressions, members and binding values to targets. */
import type { Node } from 'web-tree-sitter';
import { pathVal } from './calls';
import { FlowState } from './flow-state';
import { BUILTINS, CLEAN_FIELDS, codeSink, httpCall, processCall, sdkCall } from './modules';
import { Scope } from './scope';
import { calleeLabel, decoratorsOf, rangeOf, stringPrefix, unescapePy, unwrap } from './tree';
import { CLEAN, concat, deepTaint, element, extend, join, NOTHING, union, type Taints, type Val } from './values';

const CLEAN_OPS = /^(==|!=|<|>|<=|>=|in|not in|is|is not|not)$/;
const LITERALS = new Set(['string', 'concatenated_string', 'integer', 'float', 'true', 'false', 'none', 'tuple']);

export abstract class FlowExpr extends FlowState {
  protected abstract call(node: Node, env: Scope): Val;

  protected expr(node: Node, env: Scope): Val {
    switch (node.type) {
      case 'identifier':
        return this.identifier(node, env);
      case 'string':
        return this.string(node, env);
      case 'concatenated_string':
        // a long text written in pieces: nothing a process start needs (unless a piece interpolates)
        if (this.spawnOnly && node.endIndex - node.startIndex > 512 && !/(^|[^\w'"])[rRbBuU]?[fF][rR]?['"]/.test(node.text)) return NOTHING;
        return concat(this.nodes.kids(node).map((c) => this.expr(c, env)));
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
        return { t: CLEAN, str: node.text };
      case 'none':
      case 'ellipsis':
        return NOTHING;
      case 'parenthesized_expression': {
        const inner = unwrap(node);
        return inner === node ? NOTHING : this.expr(inner, env);
      }
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'type':
        return this.nodes.kids(node)[0] ? this.expr(this.nodes.kids(node)[0]!, env) : NOTHING;
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const attr = node.childForFieldName('attribute');
        if (!obj || !attr) return NOTHING;
        const ov = this.expr(obj, env);
        const stored = ov.ref ? this.stores.get(`${obj.text}|${attr.text}`) : undefined;
        return stored ?? this.member(ov, attr.text, node);
      }
      case 'subscript':
        return this.subscript(node, env);
      case 'call':
        return this.call(node, env);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return this.sequence(node, env);
      case 'dictionary':
        return this.dictionary(node, env);
      case 'binary_operator':
        return this.binary(node, env);
      case 'boolean_operator': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        return join(l ? this.expr(l, env) : NOTHING, r ? this.expr(r, env) : NOTHING);
      }
      case 'comparison_operator':
      case 'not_operator':
      case 'unary_operator':
        for (const c of this.nodes.kids(node)) this.expr(c, env);
        return NOTHING;
      case 'conditional_expression': {
        const [a, cond, b] = this.nodes.kids(node);
        if (cond) this.expr(cond, env);
        return join(a ? this.expr(a, env) : NOTHING, b ? this.expr(b, env) : NOTHING);
      }
      case 'lambda':
        this.noteFn(node, env);
        return { t: CLEAN, fn: { node, env } };
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
        return this.comprehension(node, env);
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        const v = value ? this.expr(value, env) : NOTHING;
        if (name) this.bind(name, v, env);
        return v;
      }
      case 'assignment':
      case 'augmented_assignment':
        return this.assignment(node, env);
      case 'yield': {
        const inner = this.nodes.kids(node)[0];
        const v = inner ? this.expr(inner, env) : NOTHING;
        const f = this.frames[this.frames.length - 1];
        if (f) f.returns = join(f.returns, /^yield\s+from\b/.test(node.text) ? element(v) : v);
        return NOTHING;
      }
      default: {
        // Anything else: evaluate the parts (calls inside still happen), pass the taint on.
        let t: Taints = CLEAN;
        for (const c of this.nodes.kids(node)) t = union(t, this.expr(c, env).t);
        return t.length ? { t } : NOTHING;
      }
    }
  }

  protected assignment(node: Node, env: Scope): Val {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const v = right ? this.expr(right, env) : NOTHING;
    if (!left) return v;
    if (node.type === 'augmented_assignment') {
      if (deepTaint(v).length === 0 && !v.elems) return v;
      const lv = this.expr(left, env);
      const op = node.childForFieldName('operator')?.text;
      const joined: Val = op === '+=' && (lv.elems || v.elems) ? { t: union(lv.t, v.elems ? CLEAN : deepTaint(v)), elems: [...(lv.elems ?? []), ...(v.elems ?? [])] } : concat([lv, v]);
      this.bind(left, { ...joined, t: union(lv.t, extend(joined.t, rangeOf(node), `appended to \`${left.text}\` here`)) }, env);
      return v;
    }
    this.bind(left, v, env);
    return v;
  }

  protected identifier(node: Node, env: Scope): Val {
    const name = node.text;
    const local = env.lookup(name);
    if (local) return local;
    if (name === '__file__') return this.selfOrigin(node, '`__file__`');
    if (name === '__builtins__') return { t: CLEAN, ref: { pkg: 'builtins', path: [] } };
    if (name === '__name__') return { t: CLEAN, str: '__main__' };
    if (BUILTINS.has(name)) return { t: CLEAN, ref: { pkg: 'builtins', path: [name] } };
    for (const m of this.starModules) {
      const ref = { pkg: m, path: [name] };
      if (processCall(ref) || httpCall(ref) || codeSink(ref) || sdkCall(ref, this.extraSdk, false)) return { t: CLEAN, ref };
    }
    return NOTHING;
  }

  protected string(node: Node, env: Scope): Val {
    // Where only processes matter, a long literal (a docstring, a help text, a data table) names no program or path.
    if (this.spawnOnly && node.endIndex - node.startIndex > 512 && !/^[rbu]*f/i.test(stringPrefix(node))) return NOTHING;
    const raw = stringPrefix(node).includes('r');
    const parts: Val[] = [];
    let interpolated = false;
    for (const c of this.nodes.kids(node)) {
      if (c.type === 'string_content') parts.push({ t: CLEAN, str: raw ? c.text : unescapePy(c.text) });
      else if (c.type === 'interpolation') {
        interpolated = true;
        const e = c.childForFieldName('expression');
        parts.push(e ? this.expr(e, env) : NOTHING);
      }
    }
    if (!interpolated) return { t: CLEAN, str: parts.map((p) => p.str ?? '').join('') };
    return concat(parts);
  }

  protected sequence(node: Node, env: Scope): Val {
    const kids = this.nodes.kids(node);
    // Where only processes matter, a long table of literals (keywords, codes) holds nothing to follow.
    if (this.spawnOnly && kids.length > 64 && kids.every((c) => LITERALS.has(c.type))) return NOTHING;
    const elems: Val[] = [];
    let t: Taints = CLEAN;
    for (const c of this.nodes.kids(node)) {
      const v = this.expr(c, env);
      if (c.type === 'list_splat') {
        if (v.elems) elems.push(...v.elems);
        else t = union(t, deepTaint(v));
      } else elems.push(v);
    }
    return { t, elems };
  }

  protected dictionary(node: Node, env: Scope): Val {
    const props = new Map<string, Val>();
    let t: Taints = CLEAN;
    for (const c of this.nodes.kids(node)) {
      if (c.type === 'pair') {
        const k = c.childForFieldName('key');
        const v = c.childForFieldName('value');
        const key = k ? (this.expr(k, env).str ?? '[]') : '[]';
        if (v) props.set(key, join(props.get(key) ?? NOTHING, this.expr(v, env)));
      } else if (c.type === 'dictionary_splat') {
        const v = this.expr(c, env);
        for (const [k, pv] of v.props ?? []) props.set(k, pv);
        if (!v.props) t = union(t, deepTaint(v));
      }
    }
    return { t, props };
  }

  protected binary(node: Node, env: Scope): Val {
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    const op = node.childForFieldName('operator')?.text;
    const lv = l ? this.expr(l, env) : NOTHING;
    const rv = r ? this.expr(r, env) : NOTHING;
    switch (op) {
      case '+':
        if (lv.elems || rv.elems) return { t: union(lv.elems ? lv.t : deepTaint(lv), rv.elems ? rv.t : deepTaint(rv)), elems: [...(lv.elems ?? []), ...(rv.elems ?? [])] };
        return concat([lv, rv]);
      case '%':
        return concat([lv, rv]);
      case '/':
        if (lv.ref?.cls === 'Path') return pathVal(concat([{ ...lv, str: lv.ref.base !== undefined && lv.str === undefined ? undefined : lv.str, hint: lv.ref.base }, { t: CLEAN, str: '/' }, rv]));
        return NOTHING;
      case '|': {
        // LangChain: `prompt | llm | parser` is a chain that holds the model.
        if (lv.ref?.hasModel || rv.ref?.hasModel) {
          const tools = [...(lv.ref?.tools ?? []), ...(rv.ref?.tools ?? [])];
          return { t: union(lv.t, rv.t), ref: { pkg: 'langchain_core', path: [], instance: true, cls: 'RunnableSequence', hasModel: true, tools: tools.length ? tools : undefined } };
        }
        if (lv.props || rv.props) return { t: union(lv.t, rv.t), props: new Map([...(lv.props ?? []), ...(rv.props ?? [])]) };
        return { t: union(lv.t, rv.t) };
      }
      case '*':
        return lv.str !== undefined || lv.elems ? { ...lv, str: undefined, t: deepTaint(lv) } : NOTHING;
      default:
        return op && CLEAN_OPS.test(op) ? NOTHING : NOTHING;
    }
  }

  protected subscript(node: Node, env: Scope): Val {
    const obj = node.childForFieldName('value');
    if (!obj) return NOTHING;
    const ov = this.expr(obj, env);
    const subs = node.childrenForFieldName('subscript').filter((s): s is Node => !!s);
    const sub = subs[0];
    if (sub?.type === 'slice') {
      for (const c of this.nodes.kids(sub)) this.expr(c, env);
      // `sys.argv[1:]` is the arguments, `sys.argv[:]` the whole list with the program first.
      if (ov.ref && ov.ref.pkg === 'sys' && ov.ref.path.join('.') === 'argv') {
        const start = sub.text.split(':')[0]!.trim();
        return start === '' || start === '0' ? ov : NOTHING;
      }
      return ov.str !== undefined ? { ...ov, str: undefined, hint: ov.str } : ov;
    }
    const key = sub ? this.expr(sub, env) : NOTHING;
    const stored = ov.ref && key.str !== undefined ? this.stores.get(`${obj.text}|${key.str}`) : undefined;
    return stored ?? this.member(ov, key.str ?? '[]', node);
  }

  /** `obj.name` (and `obj[name]`): a module member, a field, a method, an item, or the object's own taint. */
  protected member(obj: Val, name: string, node?: Node): Val {
    const p = obj.props?.get(name);
    if (p) return p;
    if (obj.module) {
      const v = obj.module.scope.vars.get(name);
      if (v) return v;
      // a submodule of a project package: `pkg.tools` after `import pkg.tools`
      const sub = this.modules && obj.module.path.endsWith('__init__.py') ? this.modules.resolve(node ?? this.program, name, 1) : undefined;
      const rec = sub && this.modules!.load(sub);
      return rec ? { t: CLEAN, module: { path: rec.path, scope: rec.scope } } : NOTHING;
    }
    if (obj.instanceOf) {
      const cls = obj.instanceOf;
      if (!obj.superOf) {
        const f = this.classFields.get(cls.id)?.get(name);
        // An instance made from model output (`Plan.model_validate_json(answer)`): each field is that output too.
        if (f && !f.fn) return obj.t.length ? { ...f, t: union(f.t, obj.t) } : f;
      }
      const m = this.methodOf(cls, name, obj.superOf);
      if (m) {
        const self: Val = obj.superOf ? { ...obj, superOf: undefined } : obj;
        if (decoratorsOf(m).some((d) => /^@\s*(property|cached_property|functools\.cached_property)\b/.test(d.text))) return this.callValue({ t: CLEAN, fn: { node: m, env: this.scopeOfNode(m), self } }, [], siteFor(m, node));
        return { t: CLEAN, fn: { node: m, env: this.scopeOfNode(m), self: decoratorsOf(m).some((d) => /^@\s*staticmethod\b/.test(d.text)) ? undefined : self } };
      }
      const f = this.classFields.get(cls.id)?.get(name);
      if (f) return f;
    }
    if (obj.cls) {
      const m = this.methodOf(obj.cls, name);
      if (m) return { t: CLEAN, fn: { node: m, env: this.scopeOfNode(m), self: decoratorsOf(m).some((d) => /^@\s*classmethod\b/.test(d.text)) ? obj : undefined } };
      const f = this.classFields.get(obj.cls.id)?.get(name);
      if (f) return f;
      // a constructor inherited from a library class: `Model.model_validate_json(text)`
      return { t: CLEAN, cls: obj.cls, ref: { pkg: '<classmethod>', path: [name] } };
    }
    if (obj.elems && /^-?\d+$/.test(name)) {
      const i = Number(name);
      const e = obj.elems[i < 0 ? obj.elems.length + i : i];
      if (e) return obj.t.length ? { ...e, t: union(e.t, obj.t) } : e;
    }
    if (obj.ref) return this.refMember(obj, name, node);
    if (obj.fn) return NOTHING;
    // Bookkeeping fields of an answer (ids, counts, status, roles) are not text the model wrote.
    if (CLEAN_FIELDS.has(name)) return NOTHING;
    const t = obj.elems || obj.props ? deepTaint(obj) : obj.t;
    return t.length || obj.files ? { t, files: obj.files } : NOTHING;
  }

  private refMember(obj: Val, name: string, node?: Node): Val {
    const ref = obj.ref!;
    if (ref.pkg === '<scope>') {
      // `globals()['name']`, `vars(builtins)['exec']`
      if (name === '__builtins__') return { t: CLEAN, ref: { pkg: 'builtins', path: [] } };
      return this.root.vars.get(name) ?? (BUILTINS.has(name) ? { t: CLEAN, ref: { pkg: 'builtins', path: [name] } } : NOTHING);
    }
    if (name === '__dict__') return obj;
    const path = [...ref.path, name];
    if (!ref.instance) {
      const q = [ref.pkg, ...path].join('.');
      if (q === 'sys.argv' || q === 'sys.orig_argv') return { ...this.selfOrigin(node ?? this.program, `\`${q}\``), ref: { pkg: 'sys', path: ['argv'] } };
      if (q === 'sys.argv.0' || q === 'sys.orig_argv.1') return obj.t.length ? { t: obj.t } : this.selfOrigin(node ?? this.program, `\`${q}\``);
      if (/^sys\.(argv|orig_argv)\./.test(q)) return NOTHING;
      if (q === 'sys.executable') return { t: CLEAN, str: 'python3' };
      if (q === 'sys.modules.__main__.__file__') return this.selfOrigin(node ?? this.program, '`__main__.__file__`');
      if (/^os\.environ\.[A-Za-z_]\w*$/.test(q) && name !== 'get' && name !== 'copy') return { t: CLEAN, hint: `$${name}` };
      if (q === 'os.sep') return { t: CLEAN, str: '/' };
    }
    if (ref.cls === 'Path' && ref.instance) {
      if (name === 'parent' || name === 'parents') return pathVal({ t: obj.t.filter((t) => t.origin.kind !== 'self'), str: ref.base?.replace(/\/[^/]*$/, '') });
      if (/^(name|stem|suffix)$/.test(name)) return { t: obj.t.filter((t) => t.origin.kind !== 'self') };
    }
    return { t: obj.t, ref: { ...ref, path }, files: obj.files };
  }

  /** Binds a value to an assignment target: a name, a tuple of targets, an attribute, an item. */
  protected bind(target: Node, v: Val, env: Scope): void {
    const p = unwrap(target);
    const weak = this.weak > 0 || (this.secondPass && env === this.root);
    switch (p.type) {
      case 'identifier': {
        const files = v.str === undefined && !v.fn && !v.cls ? [...(v.files ?? []), `#${p.id}`] : v.files;
        env.assign(p.text, { ...v, t: extend(v.t, rangeOf(p), `assigned to \`${p.text}\` here`), files }, weak);
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const kids = this.nodes.kids(p);
        kids.forEach((c, i) => {
          if (c.type === 'list_splat_pattern' || c.type === 'list_splat') {
            const inner = this.nodes.kids(c)[0];
            if (inner) this.bind(inner, { t: deepTaint(v), elems: v.elems?.slice(i, v.elems.length - (kids.length - i - 1)) }, env);
          } else this.bind(c, this.member(v, String(v.elems && i >= v.elems.length ? -1 : i)), env);
        });
        return;
      }
      case 'list_splat_pattern':
      case 'as_pattern_target': {
        const inner = this.nodes.kids(p)[0];
        if (inner) this.bind(inner, v, env);
        return;
      }
      case 'attribute': {
        const obj = p.childForFieldName('object');
        const attr = p.childForFieldName('attribute')?.text;
        if (!obj || !attr) return;
        const ov = this.expr(obj, env);
        const t = extend(v.t, rangeOf(p), `stored in \`${calleeLabel(p)}\` here`);
        const holder = ov.instanceOf ?? ov.cls;
        if (holder) {
          const fields = this.fieldsOf(holder);
          const old = fields.get(attr);
          fields.set(attr, old && this.weak > 0 ? join(old, { ...v, t }) : { ...v, t });
        } else if (ov.props) {
          ov.props.set(attr, { ...v, t });
          this.keys.epoch++;
        } else if (ov.ref) this.stores.set(`${obj.text}|${attr}`, { ...v, t });
        else if (t.length) this.taintBinding(obj, t, env);
        return;
      }
      case 'subscript': {
        const obj = p.childForFieldName('value');
        if (!obj) return;
        const ov = this.expr(obj, env);
        const sub = p.childForFieldName('subscript');
        const key = sub && sub.type !== 'slice' ? this.expr(sub, env).str : undefined;
        const t = extend(deepTaint(v), rangeOf(p), `stored in \`${calleeLabel(p)}\` here`);
        if (ov.props && key !== undefined) {
          ov.props.set(key, { ...v, t });
          this.keys.epoch++;
        } else if (ov.ref && key !== undefined) this.stores.set(`${obj.text}|${key}`, { ...v, t });
        else if (t.length) this.taintBinding(obj, t, env);
        return;
      }
      default:
        return;
    }
  }

  /** Joins taint into whatever `target` (a name or `self.x`) is bound to: `items.append(x)`. */
  protected taintBinding(target: Node, t: Taints, env: Scope): void {
    const n = unwrap(target);
    if (n.type === 'identifier') {
      const old = env.lookup(n.text) ?? NOTHING;
      const holder = env.vars.has(n.text) ? env : findHolder(env, n.text) ?? env;
      holder.vars.set(n.text, { ...old, t: union(old.t, t) });
    } else if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text;
      const ov = obj ? this.expr(obj, env) : NOTHING;
      const holder = ov.instanceOf ?? ov.cls;
      if (holder && attr) {
        const fields = this.fieldsOf(holder);
        const old = fields.get(attr) ?? NOTHING;
        fields.set(attr, { ...old, t: union(old.t, t) });
      } else if (obj) this.taintBinding(obj, t, env);
    } else if (n.type === 'subscript') {
      const obj = n.childForFieldName('value');
      if (obj) this.taintBinding(obj, t, env);
    }
  }

  protected comprehension(node: Node, env: Scope): Val {
    const inner = new Scope(env, 'comprehension');
    let over: { node: Node; taint: Taints } | undefined;
    for (const c of this.nodes.kids(node)) {
      if (c.type === 'for_in_clause') {
        const left = c.childForFieldName('left');
        const right = c.childForFieldName('right');
        const iter = right ? this.expr(right, inner) : NOTHING;
        const el = element(iter);
        if (left) this.bind(left, { ...el, t: extend(el.t, rangeOf(left), `iterated as \`${left.text}\` here`) }, inner);
        const model = deepTaint(iter).filter((t) => t.origin.kind === 'model');
        if (right && model.length && !over) over = { node: right, taint: model };
      } else if (c.type === 'if_clause') {
        for (const x of this.nodes.kids(c)) this.expr(x, inner);
      }
    }
    const body = node.childForFieldName('body');
    // One item per item of model output: a fan-out when each starts work (see py-unbounded-fanout).
    const fan = over && body ? { node, over: over.node, taint: over.taint, body } : undefined;
    if (fan) this.fanouts.set(node.id, { node, range: rangeOf(node), body: fan.body, over: fan.over, taint: fan.taint, how: `a comprehension over \`${calleeLabel(fan.over)}\`` });
    if (node.type === 'dictionary_comprehension') {
      const k = body?.childForFieldName('key');
      const v = body?.childForFieldName('value');
      const kv = k ? this.expr(k, inner) : NOTHING;
      return { t: kv.t, props: new Map([['[]', v ? this.expr(v, inner) : NOTHING]]), fan };
    }
    const bv = body ? this.expr(body, inner) : NOTHING;
    return { t: CLEAN, elems: [bv], fan };
  }

  /** A method of a class of this file, through its bases of this file; `after`: the class `super()` was called in. */
  protected methodOf(cls: Node, name: string, after?: Node): Node | undefined {
    const order = this.mro(cls);
    const start = after ? order.findIndex((c) => c.id === after.id) + 1 : 0;
    for (const c of order.slice(start)) {
      const body = c.childForFieldName('body');
      for (const s of body ? this.nodes.kids(body) : []) {
        const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
        if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
      }
    }
    return undefined;
  }

  /** The class and its bases defined in this file, depth first (enough for the usual single chains). */
  protected mro(cls: Node, depth = 0): Node[] {
    const out = [cls];
    if (depth > 8) return out;
    const bases = cls.childForFieldName('superclasses');
    for (const b of bases ? this.nodes.kids(bases) : []) {
      if (b.type !== 'identifier' && b.type !== 'attribute') continue;
      const v = b.type === 'identifier' ? this.scopeOfNode(cls).lookup(b.text) : this.expr(b, this.scopeOfNode(cls));
      if (v?.cls && v.cls.id !== cls.id) for (const c of this.mro(v.cls, depth + 1)) if (!out.some((o) => o.id === c.id)) out.push(c);
    }
    return out;
  }
}

function findHolder(env: Scope, name: string): Scope | undefined {
  for (let s: Scope | undefined = env; s; s = s.parent) if (s.vars.has(name)) return s;
  return undefined;
}

/** A call site for a property read: the access itself. */
function siteFor(m: Node, at: Node | undefined) {
  const node = at ?? m;
  return { node, range: rangeOf(node), label: calleeLabel(node), args: [], argNodes: [], kwargs: new Map<string, Val>(), rest: CLEAN };
}
