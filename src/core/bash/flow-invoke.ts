/**
 * The Bash dataflow's calls into other code: functions of the file (context-sensitive, memoised
 * by incoming origins and literal arguments, within a budget), project files `source`d into this
 * shell and project scripts run as commands.
 */
import type { Node } from 'web-tree-sitter';
import { CLEAN, extend, type Taints } from './taint';
import { rangeOf } from './tree';
import type { ProjectSource } from '../project';
import { fileOfNode } from '../tree-util';
import type { FlowState, Word } from './flow-state';
import { sequence, stmt } from './flow-stmt';

export const MAX_FUNCTION_EVALS = 400;
/** Project files followed at once through source and runs. */
const MAX_FOLLOWED = 16;

/** The project's Bash file that `ref` names from the file of `at`, or undefined. */
export function projectScript(w: FlowState, at: Node, ref: string): ProjectSource | undefined {
  if (!w.project || !ref || ref.startsWith('-')) return undefined;
  const path = w.project.view.resolveScript(fileOfNode(at) ?? w.project.path, ref);
  const src = path ? w.project.view.source(path) : undefined;
  return src?.language === 'bash' && !w.following.has(src.path) && w.following.size < MAX_FOLLOWED ? src : undefined;
}

/** `source FILE`: its definitions and statements run here, in this shell. */
export function sourceFile(w: FlowState, src: ProjectSource, stdin: Taints): Taints {
  w.following.add(src.path);
  try {
    defineFunctions(w, src.tree.rootNode);
    return sequence(w, w.nodes.kids(src.tree.rootNode), stdin);
  } finally {
    w.following.delete(src.path);
  }
}

function defineFunctions(w: FlowState, root: Node): void {
  for (const f of root.descendantsOfType('function_definition')) {
    const name = f ? w.nodes.field(f, 'name')?.text : undefined;
    if (f && name && !w.functions.has(name)) w.functions.set(name, f);
  }
}

/** Another script of the project run as a command: a function call with its own name, in effect. */
export function runScript(w: FlowState, src: ProjectSource, args: Word[], stdin: Taints, site: Node): Taints {
  const name = src.path.replace(/^.*\//, '');
  w.following.add(src.path);
  let out: Taints;
  try {
    defineFunctions(w, src.tree.rootNode);
    if (w.functionEvals++ > MAX_FUNCTION_EVALS) return CLEAN;
    w.frames.push({ name, args: args.map((a, i) => extend(a.taint, site, `passed to ${name} as $${i + 1} here`)), lits: args.map((a) => a.lit), keys: args.map((a) => a.key) });
    try {
      out = sequence(w, w.nodes.kids(src.tree.rootNode), stdin);
    } finally {
      w.frames.pop();
    }
  } finally {
    w.following.delete(src.path);
  }
  // a script that calls a model is a model wrapper by what it does, like a function
  const inner = w.wrapperInner.get(name);
  if (inner) {
    w.markWrappers(inner);
    if (!w.wrapperCalls.has(site.id)) w.wrapperCalls.set(site.id, { node: site, range: rangeOf(site), name, script: true, inner });
  }
  return extend(out, site, `printed by ${name} here`);
}

export function callFunction(w: FlowState, name: string, f: Node, args: Taints[], stdin: Taints, site: Node, lits: (string | undefined)[] = [], keys: string[] = []): Taints {
  w.evaluated.add(name);
  if (w.frames.some((fr) => fr.name === name)) return CLEAN;
  // Context-sensitive, but a body is evaluated once per combination of incoming origins and literal arguments.
  const memoKey = `${name}|${args.map(signature).join(',')}|${signature(stdin)}|${lits.map((l) => l ?? '?').join('\0')}|${keys.join('\0')}`;
  const memo = w.memo.get(memoKey);
  if (memo) return memo;
  const out = evalFunction(w, name, f, args, stdin, site, lits, keys);
  w.memo.set(memoKey, out);
  return out;
}

function evalFunction(w: FlowState, name: string, f: Node, args: Taints[], stdin: Taints, site: Node, lits: (string | undefined)[], keys: string[]): Taints {
  // Each definition once on its own, and MAX_FUNCTION_EVALS more at call sites.
  const limit = MAX_FUNCTION_EVALS + w.functions.size;
  if (w.functionEvals++ >= limit) {
    w.budget.note('function-evaluations', site === f ? f : site, `the Bash dataflow stopped following functions here: it had evaluated ${limit} function bodies (function evaluations); ${name}() and the functions after it were not followed`);
    return CLEAN;
  }
  const body = w.nodes.field(f, 'body');
  if (!body) return CLEAN;
  const steppedArgs = args.map((a, i) => extend(a, site, `passed to ${name}() as $${i + 1} here`));
  w.frames.push({ name, args: steppedArgs, lits, keys });
  try {
    return stmt(w, body, stdin);
  } finally {
    w.frames.pop();
  }
}

const originIds = new WeakMap<object, number>();
let nextOriginId = 1;
function signature(t: Taints): string {
  if (t.length === 0) return '';
  return t
    .map((x) => {
      let id = originIds.get(x.origin);
      if (!id) originIds.set(x.origin, (id = nextOriginId++));
      return id;
    })
    .join('+');
}
