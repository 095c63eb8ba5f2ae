/** What the Python dataflow records: model calls, sinks reached, processes started, fan-outs. */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import type { ProcessApi } from './modules';
import type { PyModelCall, Taints, Val } from './values';

/** exec: model output run as code; file-exec: a file written with it, then run; persist/spread: see py-spread-persist. */
export type PyEffectKind = 'exec' | 'file-exec' | 'persist' | 'spread';

export interface PyEffect {
  kind: PyEffectKind;
  node: Node;
  range: Range;
  /** The sink as written: "`exec`", "`subprocess.run` with `shell=True`", "`runpy.run_path` of a file written with model output". */
  label: string;
  taint: Taints;
}

export interface PySpawn {
  node: Node;
  range: Range;
  label: string;
  api: ProcessApi;
  /** The call waits for the process (`subprocess.run`, `os.system`). */
  sync: boolean;
  /** The process replaces this one (`os.execv`). */
  replaces: boolean;
  /** Origins of the program's own path among the arguments, or the function a `multiprocessing.Process` runs when it spawns itself. */
  self: Taints;
  /** Started in a session of its own (`start_new_session=True`, `setsid`, `nohup`). */
  detached: boolean;
  /** The function a `multiprocessing.Process` runs. */
  target?: Node;
}

/** Model output handed to a function of another module of the project: the flow stops there. */
export interface PyLeave {
  node: Node;
  range: Range;
  label: string;
  taint: Taints;
}

/** A loop, comprehension or pool map over model output. */
export interface PyFanout {
  node: Node;
  range: Range;
  /** The loop body or the function run per item. */
  body: Node;
  /** The expression iterated, for cap detection (`items[:5]`). */
  over: Node;
  taint: Taints;
  how: string;
  /** An explicit bound on the workers (`max_workers=4`): the text that sets it. */
  cap?: string;
}

/** A function of this file run from a call site; `concurrent` when it runs beside the caller (a thread, a process, a pool). */
export interface Dispatch {
  fn: Node;
  concurrent: boolean;
}

export interface PyFlowResult {
  modelCalls: PyModelCall[];
  effects: PyEffect[];
  spawns: PySpawn[];
  leaves: PyLeave[];
  fanouts: PyFanout[];
  /** Functions run from each call site (by call node id), for the rules that follow work into helpers. */
  dispatch: ReadonlyMap<number, readonly Dispatch[]>;
  /** The call sites that run each function (by function node id). */
  callers: ReadonlyMap<number, readonly Node[]>;
}

export interface CallSite {
  node: Node;
  range: Range;
  /** The callee as written. */
  label: string;
  /** Positional arguments, `*args` spread in where known. */
  args: Val[];
  argNodes: Node[];
  /** Keyword arguments, `**kwargs` spread in where known. */
  kwargs: Map<string, Val>;
  /** Taint of splats whose items are unknown (`*args` of a parameter). */
  rest: Taints;
}

/** The argument at position `i` or keyword `kw`. */
export function argOf(site: CallSite, i: number, kw?: string): Val | undefined {
  return (kw !== undefined ? site.kwargs.get(kw) : undefined) ?? (i >= 0 ? site.args[i] : undefined);
}
