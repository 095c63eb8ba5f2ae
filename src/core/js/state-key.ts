/**
 * Fingerprints of the JavaScript dataflow's state. A loop walked again from a state it has
 * already reached its fixpoint from can add nothing (every update inside a loop is a join), so
 * the dataflow skips it: nested loops then cost one walk per distinct entry state instead of one
 * per round of every enclosing loop (which was exponential in the nesting depth).
 *
 * A fingerprint covers what a walk reads: the values in scope (their origins, known strings,
 * references, functions, classes, properties and elements, two levels deep), the fields of
 * local classes and the files written. Paths (steps) are left out: a join keeps the first path,
 * so they add nothing a walk could act on.
 */
import type { Env } from './env';
import type { Taints, Val } from './taint';

const ids = new WeakMap<object, number>();
let nextId = 1;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** 53-bit FNV-1a of a string, as base 36: fingerprints stay short whatever the state's size. */
function hash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return ((h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff)).toString(36);
}

function taintKey(t: Taints): string {
  if (t.length === 0) return '';
  if (t.length === 1) return String(idOf(t[0]!.origin));
  return t
    .map((x) => idOf(x.origin))
    .sort((a, b) => a - b)
    .join('+');
}

export class StateKeys {
  /**
   * Bumped whenever the dataflow changes a value in place (an object's property); cached
   * fingerprints of values and scopes older than the last bump are computed again.
   */
  epoch = 0;
  private readonly vals = new WeakMap<Val, { epoch: number; key: string }>();
  private readonly envs = new WeakMap<Env, { version: number; epoch: number; key: string }>();

  val(v: Val, depth = 2): string {
    const cached = depth === 2 ? this.vals.get(v) : undefined;
    if (cached && cached.epoch === this.epoch) return cached.key;
    let k = taintKey(v.t);
    if (v.str !== undefined) k += `"${v.str.length > 64 ? hash(v.str) : v.str}`;
    if (v.hint !== undefined) k += `~${v.hint.length > 64 ? hash(v.hint) : v.hint}`;
    const r = v.ref;
    if (r) k += `@${r.pkg}:${r.path.join('.')}${r.instance ? '!' : ''}${r.cls ?? ''}${r.hasModel ? 'M' : ''}${r.base ?? ''}${r.interpreter ?? ''}${r.tools?.length ?? ''}`;
    if (v.fn) k += `f${v.fn.node.id}${v.fn.self ? 's' : ''}`;
    if (v.cls) k += `c${v.cls.id}`;
    if (v.instanceOf) k += `i${v.instanceOf.id}`;
    if (v.files?.length) k += `[${[...v.files].sort().join('|')}]`;
    if (depth > 0) {
      if (v.resolves) k += `r(${this.val(v.resolves, depth - 1)})`;
      if (v.props?.size) {
        k += '{';
        for (const [name, p] of v.props) k += `${name}:${this.val(p, depth - 1)},`;
        k += '}';
      }
      if (v.elems?.length) k += `<${v.elems.map((e) => this.val(e, depth - 1)).join(',')}>`;
    } else if (v.props?.size || v.elems?.length || v.resolves) {
      k += `#${v.props?.size ?? 0}.${v.elems?.length ?? 0}`;
    }
    if (k.length > 128) k = hash(k);
    if (depth === 2) this.vals.set(v, { epoch: this.epoch, key: k });
    return k;
  }

  /** One scope's bindings (its own, not its parents'). */
  scope(e: Env): string {
    const version = e.vars.version;
    const cached = this.envs.get(e);
    if (cached && cached.version === version && cached.epoch === this.epoch) return cached.key;
    let k = '';
    for (const [name, v] of e.vars) k += `${name}=${this.val(v)};`;
    const key = hash(k);
    this.envs.set(e, { version, epoch: this.epoch, key });
    return key;
  }

  /** The scopes from `e` up to the program's, and the state outside them (`rest`). */
  state(e: Env, rest: string): string {
    let k = rest;
    for (let s: Env | undefined = e; s; s = s.parent) k += `/${this.scope(s)}`;
    return k;
  }

  /** Fields of local classes and files written: state the scopes do not hold. */
  outside(fields: ReadonlyMap<number, ReadonlyMap<string, Val>>, written: ReadonlyMap<string, Taints>): string {
    if (fields.size === 0 && written.size === 0) return '';
    let k = '';
    for (const [cls, m] of fields) {
      k += `${cls}{`;
      for (const [name, v] of m) k += `${name}:${this.val(v)},`;
      k += '}';
    }
    for (const [file, t] of written) k += `${file}>${taintKey(t)};`;
    return hash(k);
  }

  /** A number per object (a frame), stable for its life. */
  static idOf(o: object): number {
    return idOf(o);
  }
}
