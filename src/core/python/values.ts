/** Values and taint carried by the Python dataflow. */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { capPath, MAX_PATH_STEPS, unionByOrigin, type Traced } from '../origins';
import type { Scope } from './scope';

export type PyModelCallKind = 'sdk' | 'http' | 'cli' | 'wrapper';

export interface PyModelCall {
  node: Node;
  range: Range;
  /** The call as written, for messages: "`client.chat.completions.create`". */
  label: string;
  kind: PyModelCallKind;
  /** Why it counts, e.g. "the `openai` SDK", "a request to api.openai.com (requests)", "the `llm` CLI". */
  reason: string;
  confidence: 'high' | 'low';
}

/** model: text a model produced; self: the program's own path (`__file__`, `sys.argv[0]`); hosts: host names read from SSH files or shell history. */
export type OriginKind = 'model' | 'self' | 'hosts';

export interface Origin {
  kind: OriginKind;
  call?: PyModelCall;
  range: Range;
  label: string;
}

export type Taint = Traced<Origin>;
export type Taints = readonly Taint[];
export const CLEAN: Taints = Object.freeze([]) as Taints;

/** A reference into a module, a builtin or an instance of a module's class: `subprocess.run`, an `OpenAI()` client's `chat.completions`. */
export interface Ref {
  /** The dotted module name as imported (`subprocess`, `google.genai`, `.llm`), or `builtins`. */
  pkg: string;
  /** Member path from the module (or from the instance when `instance` is set); `()` marks a call result. */
  path: string[];
  /** Created by calling a class of the module; `cls` is the class's name. */
  instance?: boolean;
  cls?: string;
  /** A LangChain runnable (or another agent framework's object) that holds a chat model. */
  hasModel?: boolean;
  /** Base URL known from a client's constructor (`httpx.Client(base_url=...)`, `HTTPSConnection(host)`). */
  base?: string;
  /** Functions handed to an agent as tools: the model calls them with arguments it chooses. */
  tools?: Val[];
  /** Tools that run code given to an agent (`PythonREPLTool`, `ShellTool`). */
  codeTools?: string[];
  /** A process running this interpreter that reads its code from standard input (`Popen(['bash'], stdin=PIPE)`). */
  interpreter?: string;
  /** A pool or executor created with a bound on its workers: the text of the bound (`max_workers=4`). */
  cap?: string;
}

export interface FnVal {
  node: Node;
  env: unknown;
  /** For methods: the instance (or class) bound to the first parameter. */
  self?: Val;
}

/** An open file (`open(p, 'w')`, `Path(p)`): the names it stands for and whether it writes. */
export interface Handle {
  files: readonly string[];
  write: boolean;
}

/** The abstract value of an expression. Everything is optional; `{ t: CLEAN }` is "nothing known". */
export interface Val {
  t: Taints;
  ref?: Ref;
  /** The full string value when it is known. */
  str?: string;
  /** Known fragments of a string built from parts (URLs, commands); unknown parts as `…`. */
  hint?: string;
  fn?: FnVal;
  /** Entries of a dict (string keys; `[]` for computed ones) or keyword arguments. */
  props?: Map<string, Val>;
  /** Items of a list or tuple. */
  elems?: Val[];
  /** Names of files this value stands for (a literal path or the identity of a variable). */
  files?: readonly string[];
  handle?: Handle;
  /** A class of this file, or an instance of one. */
  cls?: Node;
  instanceOf?: Node;
  /** `super()` inside a method of this class: lookups start after it. */
  superOf?: Node;
  /** One of these functions, chosen at run time (`TOOLS[name]`, `getattr(self, name)`). */
  anyOf?: Val[];
  /** A module of the project: its names, read from its scope when used. */
  module?: { path: string; scope: Scope };
  /** Items made per item of model output (a comprehension over it): where, and what runs per item. */
  fan?: { node: Node; over: Node; taint: Taints; body: Node };
}

export const NOTHING: Val = Object.freeze({ t: CLEAN }) as Val;

export function union(...sets: Taints[]): Taints {
  return unionByOrigin(CLEAN, sets);
}

/** Adds a step to each taint, once per place; past MAX_PATH_STEPS the path ends in a truncated step (a path-length note). */
export function extend(ts: Taints, range: Range, message: string): Taints {
  if (ts.length === 0) return ts;
  return ts.map((t) => {
    const last = t.steps[t.steps.length - 1];
    // One step per place (`iterated as x` then `assigned to x`: the first tells more), except a
    // value returned by one call and passed straight to another (`run(ask(q))`): both calls matter.
    const passedOn = last?.message.startsWith('returned by') && message.startsWith('passed to');
    if (last && !passedOn && last.range.file === range.file && last.range.start.line === range.start.line && last.range.start.column === range.start.column) return t;
    if (t.steps.some((s) => s.range.start.line === range.start.line && s.range.start.column === range.start.column && s.message === message)) return t;
    if (t.steps.length >= MAX_PATH_STEPS) return capPath(t, range);
    return { origin: t.origin, steps: [...t.steps, { range, message }] };
  });
}

export const ofKind = (ts: Taints, kind: OriginKind): Taints => ts.filter((t) => t.origin.kind === kind);
export const modelOnly = (ts: Taints): Taints => ofKind(ts, 'model');
export const modelOrSelf = (ts: Taints): Taints => ts.filter((t) => t.origin.kind === 'model' || t.origin.kind === 'self');

/** Taint of a value including its items and entries (two levels deep). */
export function deepTaint(v: Val, depth = 2): Taints {
  if (depth === 0 || (!v.elems && !v.props)) return v.t;
  const parts: Taints[] = [v.t];
  for (const e of v.elems ?? []) parts.push(deepTaint(e, depth - 1));
  for (const p of v.props?.values() ?? []) parts.push(deepTaint(p, depth - 1));
  return union(...parts);
}

/** The file names a value stands for, its items' included. */
export function deepFiles(v: Val, depth = 2): string[] {
  const out = [...(v.files ?? []), ...(v.handle?.files ?? [])];
  if (v.str !== undefined) out.push(v.str);
  if (depth > 0) {
    for (const e of v.elems ?? []) out.push(...deepFiles(e, depth - 1));
    for (const p of v.props?.values() ?? []) out.push(...deepFiles(p, depth - 1));
  }
  return out;
}

const looksLikePath = (s: string) => /[/\\]|\.\w{1,4}$/.test(s);

/** Joins values as string concatenation and formatting do. */
export function concat(vals: readonly Val[]): Val {
  let str: string | undefined = '';
  let hint = '';
  const files: string[] = [];
  const ts: Taints[] = [];
  for (const v of vals) {
    if (str !== undefined && v.str !== undefined) str += v.str;
    else str = undefined;
    hint += v.str ?? v.hint ?? '…';
    if (v.files) files.push(...v.files);
    if (v.str !== undefined && looksLikePath(v.str)) files.push(v.str);
    ts.push(deepTaint(v));
  }
  return { t: union(...ts), str, hint: str ?? hint, files: files.length ? files : undefined };
}

/** The value of "either a or b" (branches, `or`, several returns). */
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
    props: a.props && b.props ? new Map([...a.props, ...b.props]) : (a.props ?? b.props),
    elems: a.elems && b.elems ? (a.elems.length >= b.elems.length ? a.elems.map((e, i) => (b.elems![i] ? join(e, b.elems![i]!) : e)) : b.elems.map((e, i) => (a.elems![i] ? join(a.elems![i]!, e) : e))) : (a.elems ?? b.elems),
    files,
    handle: a.handle ?? b.handle,
    module: a.module ?? b.module,
    cls: a.cls ?? b.cls,
    instanceOf: a.instanceOf ?? b.instanceOf,
  };
}

/** The value of one item of an iterable (lists, tuples, dicts, files, generators). */
export function element(v: Val): Val {
  if (v.elems?.length) {
    const e = v.elems.reduce((a, b) => join(a, b), NOTHING);
    return v.t.length ? { ...e, t: union(e.t, v.t) } : e;
  }
  return { t: deepTaint(v), files: v.files };
}

export const isTainted = (v: Val): boolean => deepTaint(v).length > 0;
