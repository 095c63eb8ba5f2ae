/** Scopes of the JavaScript dataflow: a chain of maps from names to values. */
import { NOTHING, union, type Val } from './taint';

/** Bindings of one scope; `version` counts the writes, so a fingerprint of the scope is kept until the next one. */
class Vars extends Map<string, Val> {
  version = 0;
  override set(name: string, v: Val): this {
    this.version++;
    return super.set(name, v);
  }
  override delete(name: string): boolean {
    this.version++;
    return super.delete(name);
  }
}

export class Env {
  readonly vars = new Vars();
  constructor(readonly parent?: Env) {}

  lookup(name: string): Val | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      const v = e.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  /** Sets where the name is bound (or here when it is new); `weak` joins with the old value. */
  assign(name: string, v: Val, weak: boolean, declare: boolean): void {
    let target: Env = this;
    if (!declare) {
      for (let e: Env | undefined = this; e; e = e.parent) {
        if (e.vars.has(name)) {
          target = e;
          break;
        }
      }
    }
    const old = target.vars.get(name);
    target.vars.set(name, weak && old ? join(old, v) : v);
  }
}

/** The value of "either a or b" (branches, `||`, several returns). */
export function join(a: Val, b: Val): Val {
  if (a === b || b === NOTHING) return a;
  if (a === NOTHING) return b;
  const files = a.files || b.files ? [...new Set([...(a.files ?? []), ...(b.files ?? [])])] : undefined;
  return {
    t: union(a.t, b.t),
    ref: a.ref ?? b.ref,
    str: a.str === b.str ? a.str : undefined,
    hint: a.hint ?? b.hint,
    fn: a.fn ?? b.fn,
    props: a.props && b.props ? joinProps(a.props, b.props) : (a.props ?? b.props),
    elems: a.elems ?? b.elems,
    files,
    resolves: a.resolves ?? b.resolves,
    cls: a.cls ?? b.cls,
    instanceOf: a.instanceOf ?? b.instanceOf,
  };
}

/**
 * Properties of either object; for one both have, the later value unless only the earlier one
 * is something known (`c ? mod : { default: mod }` keeps the class `mod.default` names).
 */
function joinProps(a: Map<string, Val>, b: Map<string, Val>): Map<string, Val> {
  const out = new Map(a);
  for (const [k, v] of b) {
    const old = out.get(k);
    out.set(k, old && known(old) && !known(v) ? old : v);
  }
  return out;
}

const known = (v: Val) => !!(v.cls || v.fn || v.ref || v.instanceOf) || v.str !== undefined;
