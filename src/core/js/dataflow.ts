/**
 * The JavaScript/TypeScript dataflow: an abstract interpreter over the tree-sitter tree. It walks
 * statements in order with scopes of values, runs functions of the same file at their call sites
 * (and once more on their own), and records where model output and the program's own path go.
 * It over-approximates: branches join, loops run twice once anything is tainted, unknown
 * calls pass their inputs on.
 *
 * Its state is one explicit object (flow-state.ts: scopes, what was evaluated, what is recorded);
 * the walk is functions over it that dispatch on node types: flow-stmt.ts (statements),
 * flow-expr.ts (expressions), flow-bind.ts (patterns), flow-invoke.ts (functions, constructors,
 * tools), flow-calls.ts (calls and what they return). This file runs the passes.
 */
import type { Node } from 'web-tree-sitter';
import { CLEAN, type Val } from './taint';
import type { JsFlowResult } from './results';
import { MAX_PROJECT_MODULES, ProjectModules, type ModuleRecord } from './project-modules';
import { callFunction, initClass } from './flow-invoke';
import { block } from './flow-stmt';
import type { FlowState } from './flow-state';
import type { Env } from './env';

/** Runs the dataflow over the state's program: one pass, then another from its end state where something is tainted. */
export function runJsFlow(w: FlowState): JsFlowResult {
  if (w.project) {
    w.modules = new ProjectModules(
      w.project,
      (program, record) => evalModule(w, program, record),
      (path) => w.budget.note('files', undefined, `the dataflow stopped following imports into other files after ${MAX_PROJECT_MODULES} modules of the project (files); ${path} and the modules after it were not followed`),
    );
    w.entryRecord = w.modules.entry(w.program, w.root);
  }
  try {
    pass(w);
    if (w.tainted && w.spawnOnly) {
      // A model CLI answered: its output may travel through functions the spawn-only walk
      // skipped (`function plan(q) { return ask(q); }`), so the walk starts again following all.
      w.spawnOnly = false;
      restart(w);
      pass(w);
    }
    if (w.tainted && !w.spawnOnly) {
      // Callbacks run before a later assignment (`app.get(..., () => eval(latest))` above
      // `latest = answer`): a second pass starts from the values the first one ended with.
      w.secondPass = true;
      restart(w);
      pass(w);
    }
  } catch (e) {
    // Out of time or stack: what was found so far stands, and the note says where the walk stopped.
    w.budget.noteStop(e, 'the dataflow');
  }
  const byPos = <T extends { node: Node }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.node.startIndex - b.node.startIndex);
  return {
    modelCalls: byPos(w.calls.values()),
    effects: byPos(w.effects.values()),
    spawns: byPos(w.spawns.values()),
    leaves: byPos(w.leaves.values()),
    fanouts: byPos(w.fanouts.values()),
  };
}

/** Forgets what the last pass evaluated (what it recorded stays) so that the next one walks everything again. */
function restart(w: FlowState): void {
  w.memo.clear();
  w.evaluated.clear();
  w.seenFns.length = 0;
  w.seenIds.clear();
  w.loopStates.clear();
  w.evals = 0;
}

/** The top level of an imported project module, once, in its own scope. */
function evalModule(w: FlowState, program: Node, record: ModuleRecord): void {
  void record;
  block(w, w.nodes.kids(program), w.moduleEnvOf(program));
}

export function pass(w: FlowState): void {
  block(w, w.nodes.kids(w.program), w.root);
  // Functions met on the way but never called still hold calls worth reporting; evaluating
  // one can meet more, so the list grows while it is walked. Those of imported modules are
  // left to those modules' own analyses: here they run only when called, or when they are
  // methods of a class this flow constructed with arguments (a client handed to its constructor).
  let i = 0;
  let c = 0;
  for (;;) {
    for (; i < w.seenFns.length; i++) {
      const { node: f, env } = w.seenFns[i]!;
      if (f.tree === w.program.tree) sweep(w, f, env);
    }
    const classes = [...w.constructed.values()];
    if (c >= classes.length) return;
    for (; c < classes.length; c++) {
      const cls = classes[c]!;
      if (cls.tree === w.program.tree) continue;
      const body = cls.childForFieldName('body');
      for (const m of body ? w.nodes.kids(body) : []) if (m.type === 'method_definition') sweep(w, m, w.moduleEnvOf(m));
    }
  }
}

/** Runs a function no call reached, once; a method with an instance of its class. */
function sweep(w: FlowState, f: Node, env: Env): void {
  if (w.evaluated.has(f.id)) return;
  const cls = f.type === 'method_definition' ? f.parent?.parent : undefined;
  let self: Val | undefined;
  if (cls && /class/.test(cls.type)) {
    self = { t: CLEAN, instanceOf: cls };
    if (!w.classFields.has(cls.id)) initClass(w, cls, self, [], [], cls);
    if (w.evaluated.has(f.id)) return;
  }
  w.sweeping = true;
  callFunction(w, { node: f, env, self }, [], [], f);
  w.sweeping = false;
}
