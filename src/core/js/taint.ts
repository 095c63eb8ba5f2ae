/** Values and taint carried by the JavaScript/TypeScript dataflow. */
import type { Node } from 'web-tree-sitter';
import type { PathStep, Range } from '../types';
import { capPath, MAX_PATH_STEPS, unionByOrigin, type Traced } from '../origins';

export type JsModelCallKind = 'sdk' | 'http' | 'cli' | 'wrapper';

export interface JsModelCall {
  node: Node;
  range: Range;
  /** The call as written, for messages: "`client.chat.completions.create`". */
  label: string;
  kind: JsModelCallKind;
  /** Why it counts, e.g. "the `openai` SDK", "a request to api.openai.com", "the `llm` CLI". */
  reason: string;
  confidence: 'high' | 'low';
  /** A coding agent started with its approvals off: the flag or subcommand. */
  approvalsOff?: string;
  /** Reported at the call of a wrapper: the call inside it that starts the model (another function, maybe another file). */
  through?: PathStep;
}

/** model: text a model produced; self: the program's own path (process.argv[1], __filename, ...). */
export type OriginKind = 'model' | 'self';

export interface Origin {
  kind: OriginKind;
  call?: JsModelCall;
  range: Range;
  label: string;
  /** Arguments of a tool handed to a model: the model chose them (the tool's name, or how it is registered). */
  tool?: string;
}

export type Taint = Traced<Origin>;

export type Taints = readonly Taint[];
export const CLEAN: Taints = Object.freeze([]) as Taints;

/** A reference into a module or a global: `child_process.exec`, an `openai` client's `chat.completions`. */
export interface Ref {
  /** Module specifier without `node:` (`child_process`, `openai`, `./local`), or `<global>`. */
  pkg: string;
  /** Member path from the module (or from the instance when `instance` is set); `()` marks a call result. */
  path: string[];
  /** Created by `new` (an SDK client); `cls` is the class name it was created from. */
  instance?: boolean;
  cls?: string;
  /** A LangChain runnable that contains a chat model (a model instance or a chain piped through one). */
  hasModel?: boolean;
  /** Base URL known from a client's config (`axios.create({ baseURL })`). */
  base?: string;
  /** Functions handed to an agent as tools (LangChain `tools: [...]`): the model calls them with arguments it chooses. */
  tools?: Val[];
  /** A child process running this interpreter on its standard input (`spawn('bash')`): what is written to its stdin runs. */
  interpreter?: string;
}

export interface FnVal {
  node: Node;
  env: unknown;
  /** For methods: the instance value bound to `this`. */
  self?: Val;
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
  props?: Map<string, Val>;
  elems?: Val[];
  /** Names of files this value stands for (a literal path or the identity of a variable). */
  files?: readonly string[];
  /** A `resolve` function of `new Promise`: calling it feeds the promise's value. */
  resolves?: Val;
  /** A local class (for `new Local()`), or an instance of one. */
  cls?: Node;
  instanceOf?: Node;
  /**
   * A string passed to a function: the call it was passed at, first (`run('codex', args)` ->
   * `spawn(file, args)` in `run`). A model call inside that takes its program or URL from it is
   * reported at that call, the wrapper's call site, while the call is being evaluated.
   */
  via?: Node;
}

export const NOTHING: Val = Object.freeze({ t: CLEAN }) as Val;

export function union(...sets: Taints[]): Taints {
  return unionByOrigin(CLEAN, sets);
}

/** Adds a step to each taint, once per line and message; paths are capped at MAX_PATH_STEPS steps. */
export function extend(ts: Taints, range: Range, message: string): Taints {
  if (ts.length === 0) return ts;
  return ts.map((t) => {
    if (t.steps.some((s) => s.range.start.line === range.start.line && s.range.start.column === range.start.column && s.message === message)) return t;
    const last = t.steps[t.steps.length - 1];
    // `iterated as x` then `assigned to x` at the same place: keep the first, more telling step.
    if (last && last.range.start.line === range.start.line && last.range.start.column === range.start.column) return t;
    if (t.steps.length >= MAX_PATH_STEPS) return capPath(t, range);
    return { origin: t.origin, steps: [...t.steps, { range, message }] };
  });
}

export const modelOnly = (ts: Taints): Taints => (ts.some((t) => t.origin.kind !== 'model') ? ts.filter((t) => t.origin.kind === 'model') : ts);
export const selfOnly = (ts: Taints): Taints => ts.filter((t) => t.origin.kind === 'self');

/** Taint of a value including its elements and properties (one level deep is enough for arguments). */
export function deepTaint(v: Val, depth = 2): Taints {
  if (depth === 0 || (!v.elems && !v.props)) return v.t;
  const parts: Taints[] = [v.t];
  for (const e of v.elems ?? []) parts.push(deepTaint(e, depth - 1));
  for (const p of v.props?.values() ?? []) parts.push(deepTaint(p, depth - 1));
  return union(...parts);
}

export function deepFiles(v: Val, depth = 2): string[] {
  const out = [...(v.files ?? [])];
  if (v.str !== undefined) out.push(v.str);
  if (depth > 0) {
    for (const e of v.elems ?? []) out.push(...deepFiles(e, depth - 1));
    for (const p of v.props?.values() ?? []) out.push(...deepFiles(p, depth - 1));
  }
  return out;
}

/** Joins values as string concatenation does. */
export function concat(vals: Val[]): Val {
  let str: string | undefined = '';
  let hint = '';
  const files: string[] = [];
  for (const v of vals) {
    if (str !== undefined && v.str !== undefined) str += v.str;
    else str = undefined;
    hint += v.str ?? v.hint ?? '…';
    if (v.files) files.push(...v.files);
    if (v.str !== undefined && /[/\\]|\.\w{1,4}$/.test(v.str)) files.push(v.str);
  }
  return { t: union(...vals.map((v) => v.t)), str, hint: str ?? hint, files: files.length ? files : undefined };
}
