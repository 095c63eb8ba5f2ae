/**
 * Scopes of the Python dataflow (module, function, class body, comprehension) and fingerprints
 * of the state, so a loop entered again from a state it already reached its fixpoint from is not
 * walked again (nested loops then cost one walk per distinct entry state, not one per round of
 * every enclosing loop). A fingerprint covers what a walk reads: origins, known strings,
 * references, functions, classes, entries and items two levels deep, fields of local classes and
 * files written. Paths (steps) are left out: a join keeps the first path.
 */
import { join, type Taints, type Val } from './values';

/** Bindings of one scope; `version` counts the writes. */
class Vars extends Map<string, Val> {
  version = 0;
  override set(name: string, v: Val): this {
    this.version++;
    return super.set(name, v);
  }
}

export class Scope {
  readonly vars = new Vars();
  /** Names declared `global` (or `nonlocal`) here: assignments go to the scope that holds them. */
  readonly outer = new Set<string>();
  /** `kind` 'class': a class body, whose names functions inside do not see. */
  constructor(
    readonly parent?: Scope,
    readonly kind: 'module' | 'function' | 'class' | 'comprehension' = 'function',
  ) {}

  lookup(name: string): Val | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s !== this && s.kind === 'class') continue;
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }

  module(): Scope {
    let s: Scope = this;
    while (s.parent) s = s.parent;
    return s;
  }

  /** Binds `name` where Python would: here, unless declared global/nonlocal; `weak` joins with the old value. */
  assign(name: string, v: Val, weak: boolean): void {
    let target: Scope = this;
    if (this.outer.has(name)) {
      for (let s = this.parent; s; s = s.parent) {
        if (s.kind !== 'class' && (s.vars.has(name) || !s.parent)) {
          target = s;
          break;
        }
      }
    }
    const old = target.vars.get(name);
    target.vars.set(name, weak && old ? join(old, v) : v);
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** 53-bit FNV-1a of a string, as base 36. */
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

const taintKey = (t: Taints) => (t.length === 0 ? '' : t.map((x) => idOf(x.origin)).sort((a, b) => a - b).join('+'));

export class StateKeys {
  /** Bumped when the dataflow changes a value in place (a dict entry, a list item): cached keys are stale. */
  epoch = 0;
  private readonly vals = new WeakMap<Val, { epoch: number; key: string }>();
  private readonly scopes = new WeakMap<Scope, { version: number; epoch: number; key: string }>();

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
    if (v.module) k += `m${v.module.path}`;
    if (v.handle) k += `h${v.handle.write ? 'w' : 'r'}${v.handle.files.join('|')}`;
    if (v.files?.length) k += `[${[...v.files].sort().join('|')}]`;
    if (depth > 0) {
      if (v.props?.size) {
        k += '{';
        for (const [name, p] of v.props) k += `${name}:${this.val(p, depth - 1)},`;
        k += '}';
      }
      if (v.elems?.length) k += `<${v.elems.map((e) => this.val(e, depth - 1)).join(',')}>`;
    } else if (v.props?.size || v.elems?.length) {
      k += `#${v.props?.size ?? 0}.${v.elems?.length ?? 0}`;
    }
    if (k.length > 128) k = hash(k);
    if (depth === 2) this.vals.set(v, { epoch: this.epoch, key: k });
    return k;
  }

  private scope(s: Scope): string {
    const version = s.vars.version;
    const cached = this.scopes.get(s);
    if (cached && cached.version === version && cached.epoch === this.epoch) return cached.key;
    let k = '';
    for (const [name, v] of s.vars) k += `${name}=${this.val(v)};`;
    const key = hash(k);
    this.scopes.set(s, { version, epoch: this.epoch, key });
    return key;
  }

  /** The scopes from `s` up to the module's, and the state outside them (`rest`). */
  state(s: Scope, rest: string): string {
    let k = rest;
    for (let c: Scope | undefined = s; c; c = c.parent) k += `/${this.scope(c)}`;
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
}
