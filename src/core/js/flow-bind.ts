/** The JavaScript dataflow: binding values to patterns, variables and fields. */
import type { Node } from 'web-tree-sitter';
import { Env, join } from './env';
import { CLEAN, deepTaint, extend, NOTHING, union, type Taints, type Val } from './taint';
import { calleeLabel, rangeOf, stringValue, unwrap } from './tree';
import { expr, member } from './flow-expr';
import type { FlowState } from './flow-state';
import { isParameterProperty, typedValue } from './flow-types';


export function bind(w: FlowState, pattern: Node, v: Val, env: Env, declare: boolean): void {
  const p = unwrap(pattern);
  switch (p.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern': {
      // A variable names the file its value stands for; a parameter does not (every caller's value
      // passes through it, so its name would join unrelated files).
      const files = v.str === undefined && !v.fn && !isParameter(p) ? [...(v.files ?? []), `#${p.id}`] : v.files;
      const t = extend(v.t, rangeOf(p), `assigned to \`${p.text}\` here`);
      // Second pass: a top-level declaration joins with the value the first pass ended with.
      const join2 = w.secondPass && declare && env === w.root;
      env.assign(p.text, { ...v, t, files }, (w.weak > 0 && !declare) || join2, declare && !join2);
      return;
    }
    case 'object_pattern':
      for (const c of w.nodes.kids(p)) {
        if (c.type === 'shorthand_property_identifier_pattern') bind(w, c, member(w, v, c.text), env, declare);
        else if (c.type === 'pair_pattern') {
          const key = c.childForFieldName('key');
          const value = c.childForFieldName('value');
          if (key && value) bind(w, value, member(w, v, stringValue(key) ?? key.text), env, declare);
        } else if (c.type === 'object_assignment_pattern') {
          const left = c.childForFieldName('left');
          const right = c.childForFieldName('right');
          if (left) bind(w, left, join(member(w, v, left.text), right ? expr(w, right, env) : NOTHING), env, declare);
        } else if (c.type === 'rest_pattern') {
          const inner = w.nodes.kids(c)[0];
          if (inner) bind(w, inner, v, env, declare);
        }
      }
      return;
    case 'array_pattern': {
      let i = 0;
      for (const c of w.nodes.kids(p)) {
        if (c.type === 'rest_pattern') {
          const inner = w.nodes.kids(c)[0];
          // `[cmd, ...args] = argv`: the rest keeps its elements where they are known
          if (inner) bind(w, inner, v.elems ? { t: CLEAN, elems: v.elems.slice(i) } : { t: deepTaint(v) }, env, declare);
        } else bind(w, c, member(w, v, String(i)), env, declare);
        i++;
      }
      return;
    }
    case 'assignment_pattern': {
      const left = p.childForFieldName('left');
      const right = p.childForFieldName('right');
      if (left) bind(w, left, join(v, right ? expr(w, right, env) : NOTHING), env, declare);
      return;
    }
    case 'required_parameter':
    case 'optional_parameter': {
      const pat = p.childForFieldName('pattern');
      const value = p.childForFieldName('value');
      // `client: OpenAI`: whatever the caller passed, the parameter holds such a client
      const typed = typedValue(w, p.childForFieldName('type'), env);
      const pv = join(value ? join(v, expr(w, value, env)) : v, typed ?? NOTHING);
      if (pat) bind(w, pat, pv, env, declare);
      // `constructor(private client: OpenAI)` stores the parameter in a field too
      const self = env.lookup('this');
      if (pat?.type === 'identifier' && self?.instanceOf && isParameterProperty(p)) {
        const fields = w.fieldsOf(self.instanceOf);
        fields.set(pat.text, join(fields.get(pat.text) ?? NOTHING, { ...pv, t: extend(pv.t, rangeOf(pat), `stored in \`this.${pat.text}\` here`) }));
      }
      return;
    }
    case 'rest_pattern': {
      const inner = w.nodes.kids(p)[0];
      if (inner) bind(w, inner, v, env, declare);
      return;
    }
    case 'member_expression': {
      const obj = p.childForFieldName('object');
      const prop = p.childForFieldName('property')?.text;
      if (!obj || !prop) return;
      const ov = expr(w, obj, env);
      const t = extend(v.t, rangeOf(p), `stored in \`${calleeLabel(p)}\` here`);
      if (ov.instanceOf) {
        const fields = w.fieldsOf(ov.instanceOf);
        const old = fields.get(prop);
        fields.set(prop, old && w.weak > 0 ? join(old, { ...v, t }) : { ...v, t });
      } else if (ov.props) {
        ov.props.set(prop, { ...v, t });
        w.keys.epoch++; // changed in place: cached fingerprints are stale
      }
      else if (obj.type === 'identifier' && t.length) taintBinding(w, obj, t, env);
      return;
    }
    case 'subscript_expression': {
      const obj = p.childForFieldName('object');
      if (obj && v.t.length) taintBinding(w, obj, extend(v.t, rangeOf(p), `stored in \`${calleeLabel(p)}\` here`), env);
      return;
    }
    default:
      return;
  }
}

/** Joins taint into whatever `target` (an identifier or `this.x`) is bound to: `arr.push(x)`. */
export function taintBinding(w: FlowState, target: Node, t: Taints, env: Env): void {
  const n = unwrap(target);
  if (n.type === 'identifier') {
    const old = env.lookup(n.text) ?? NOTHING;
    env.assign(n.text, { ...old, t: union(old.t, t) }, false, false);
  } else if (n.type === 'member_expression' && n.childForFieldName('object')?.type === 'this') {
    const self = env.lookup('this');
    const prop = n.childForFieldName('property')?.text;
    if (self?.instanceOf && prop) {
      const fields = w.fieldsOf(self.instanceOf);
      const old = fields.get(prop) ?? NOTHING;
      fields.set(prop, { ...old, t: union(old.t, t) });
    }
  }
}

const PARAMETER_TYPES = new Set(['formal_parameters', 'required_parameter', 'optional_parameter']);

function isParameter(n: Node): boolean {
  for (let p = n.parent, up = 0; p && up < 4; p = p.parent, up++) {
    if (PARAMETER_TYPES.has(p.type)) return true;
    if (p.type === 'arrow_function' && p.childForFieldName('parameter')?.id === n.id) return true;
    if (!/pattern|parameter|assignment_pattern/.test(p.type)) return false;
  }
  return false;
}
