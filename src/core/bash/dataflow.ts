/**
 * The Bash dataflow: walks statements in order with an environment of variables, files and
 * functions, and records where model output (and host lists, and the script's own path) goes.
 * It over-approximates: branches join, loops run twice, unknown commands pass their input on.
 *
 * Its state is one explicit object (flow-state.ts: the environment, what was evaluated, what is
 * recorded); the walk is functions over it that dispatch on node types: flow-stmt.ts
 * (statements, redirects, loops), flow-words.ts (words), flow-command.ts (commands),
 * flow-invoke.ts (functions, sourced and run scripts). This file runs it.
 */
import type { Node } from 'web-tree-sitter';
import { CLEAN, type ModelCall, type Taints } from './taint';
import type { Effect } from './effects';
import { FlowState, type FlowOptions, type WrapperCall } from './flow-state';
import { stmt } from './flow-stmt';
import { callFunction } from './flow-invoke';
import { scanText } from './scan';

export type { WrapperCall } from './flow-state';

export interface FlowResult {
  modelCalls: ModelCall[];
  effects: Effect[];
  /** Functions defined in the file, by name. */
  functions: Map<string, Node>;
  /** Function names whose body calls a model (directly or through other functions). */
  wrapperFunctions: Set<string>;
  /** Calls of those functions: each is a model call by what the function does. */
  wrapperCalls: WrapperCall[];
  /** What each loop iterates over, where that is model output: `llm ... | while read`, `for x in $(llm ...)`. */
  loopInputs: Map<number, Taints>;
}

/** Runs the Bash dataflow over a file: its statements, then the functions no call reached. */
export function runBashFlow(opts: FlowOptions): FlowResult {
  const w = new FlowState(opts);
  for (const f of w.functionDefs ?? w.root.descendantsOfType('function_definition').filter((n): n is Node => !!n)) {
    const name = w.nodes.field(f, 'name')?.text;
    if (name) w.functions.set(name, f);
  }
  try {
    stmt(w, w.root, CLEAN);
    // Bodies of functions never called still hold model calls worth reporting.
    for (const [name, f] of w.functions) {
      if (!w.evaluated.has(name) && mayMatterUncalled(w, f)) callFunction(w, name, f, [], CLEAN, f);
    }
  } catch (e) {
    // Out of time or stack: what was found so far stands, and the note says where the walk stopped.
    w.budget.noteStop(e, 'the Bash dataflow');
  }
  return {
    modelCalls: [...w.calls.values()].sort((a, b) => a.node.startIndex - b.node.startIndex),
    effects: [...w.effects.values()],
    functions: w.functions,
    wrapperFunctions: w.wrapperFunctions,
    wrapperCalls: [...w.wrapperCalls.values()].sort((a, b) => a.node.startIndex - b.node.startIndex),
    loopInputs: w.loopInputs,
  };
}

/**
 * Whether walking a function nobody calls (with no arguments and no input) can record
 * anything. Effects need taint, so a body can only matter if it names a model, the script
 * itself, host lists or persistence, reads a variable or file that holds taint or a literal
 * value (`$cmd` where cmd=llm), calls another function of the file, or the script has written
 * model output to a file named at run time. A 1,000-line script of ordinary functions then
 * costs what its few model-related functions cost.
 */
function mayMatterUncalled(w: FlowState, f: Node): boolean {
  if (w.dynamicModelWrite.length) return true;
  const text = f.text;
  const scan = scanText(text, w.ownFileName);
  if (scan.strong || scan.weak || scan.host || scan.persist || scan.selfMentions.length) return true;
  if (w.extraModelCommands.some((c) => text.includes(c.trim().split(/\s+/)[0]!))) return true;
  for (const [name, t] of w.vars) if (t.length && mentions(text, name)) return true;
  for (const [name, v] of w.values) if (mentions(text, name) && valueMayMatter(v)) return true;
  for (const [key, t] of w.files) if (t.length && text.includes(key.replace(/^.*\//, ''))) return true;
  const own = w.nodes.field(f, 'name')?.text;
  for (const name of w.functions.keys()) if (name !== own && mentions(text, name)) return true;
  return false;
}

/** `name` as a whole word of `text` (names may hold `-` and `.`, which end no word here). */
function mentions(text: string, name: string): boolean {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = text[i - 1];
    const after = text[i + name.length];
    if ((!before || !/[\w.-]/.test(before)) && (!after || !/[\w.-]/.test(after))) return true;
  }
  return false;
}

/** A literal value that could make a command a model call: a model client, a wrapper's name, an endpoint. */
function valueMayMatter(value: string): boolean {
  const scan = scanText(value, undefined);
  return scan.strong || scan.weak || scan.host || scan.persist;
}
