/** What the JavaScript dataflow records: model calls, sinks reached, processes started. */
import type { Node } from 'web-tree-sitter';
import type { PathStep, Range } from '../types';
import type { JsModelCall, Taints, Val } from './taint';
import type { ProcessApi } from './modules';

export type JsEffectKind = 'exec' | 'file-exec';

export interface JsEffect {
  kind: JsEffectKind;
  node: Node;
  range: Range;
  /** The sink as written: "`eval`", "`child_process.exec`", "`require` of a file written with model output". */
  label: string;
  taint: Taints;
}

export interface JsSpawn {
  node: Node;
  range: Range;
  label: string;
  api: ProcessApi;
  sync: boolean;
  /** Origins of the program's own path among the arguments (or `cluster.fork()`). */
  self: Taints;
  detached: boolean;
}

/** A place where model output leaves the file (an imported local module), so the flow stops. */
export interface JsLeave {
  node: Node;
  range: Range;
  label: string;
  taint: Taints;
}

/** `Promise.all(x.map(cb))`, `x.forEach(cb)` or `for (... of x)` over model output. */
export interface JsFanout {
  node: Node;
  range: Range;
  /** The callback or loop body whose work is multiplied. */
  body: Node;
  /** The expression iterated, for cap detection (`.slice(0, 5)`). */
  over: Node;
  taint: Taints;
  how: string;
  /** How the count depends on the model: "for every item of" (default) or "as many times as". */
  per?: string;
}

export interface JsFlowResult {
  modelCalls: JsModelCall[];
  effects: JsEffect[];
  spawns: JsSpawn[];
  leaves: JsLeave[];
  fanouts: JsFanout[];
}

export interface CallSite {
  node: Node;
  range: Range;
  /** The callee as written. */
  label: string;
  args: Val[];
  argNodes: Node[];
  isNew: boolean;
  /** Substitutions of a tagged template (`` $`cmd ${x}` ``). */
  substitutions?: Val[];
  /** A call of a wrapper reported for the call inside it (see FlowState.outerSite): where that call is. */
  through?: PathStep;
}
