/** Taint values carried by the Bash dataflow: where a piece of text came from, and how. */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { rangeOf } from './tree';
import { capPath, MAX_PATH_STEPS, unionByOrigin, type Traced } from '../origins';

export type ModelCallKind = 'cli' | 'http' | 'wrapper';

export interface ModelCall {
  node: Node;
  range: Range;
  /** How the call reads in a message: "`llm`", "`$RUN_AI` (./query-model)", "`curl` to api.openai.com". */
  label: string;
  kind: ModelCallKind;
  confidence: 'high' | 'low';
  /** Why it counts as a model call, for the message. */
  reason: string;
  /** A coding agent started with its approvals off: the flag or subcommand (`--yolo`, `opencode run`). */
  approvalsOff?: string;
}

/** model: text a model produced; hosts: host names read from ssh/shell history; self: the script's own path. */
export type OriginKind = 'model' | 'hosts' | 'self';

export interface Origin {
  kind: OriginKind;
  call?: ModelCall;
  range: Range;
  label: string;
}

export type Taint = Traced<Origin>;

export type Taints = readonly Taint[];
export const CLEAN: Taints = Object.freeze([]) as Taints;

/** Union, one entry per origin (the first path found wins: it is the shortest in source order). */
export function union(...sets: Taints[]): Taints {
  return unionByOrigin(CLEAN, sets);
}

/** Adds a step to each taint, once: `assigned to SUGGESTION here`. A node's range is read only when needed. */
export function extend(ts: Taints, at: Range | Node, message: string): Taints {
  if (ts.length === 0) return ts;
  const range = 'startPosition' in at ? rangeOf(at) : at;
  return ts.map((t) => {
    const last = t.steps[t.steps.length - 1];
    // one step per place: `piped on here` adds nothing right where the output was produced
    if (last && last.range.start.line === range.start.line && (last.message === message || last.range.start.column === range.start.column)) return t;
    if (t.steps.length >= MAX_PATH_STEPS) return capPath(t, range);
    return { origin: t.origin, steps: [...t.steps, { range, message }] };
  });
}

export function ofKind(ts: Taints, kind: OriginKind): Taints {
  return ts.some((t) => t.origin.kind !== kind) ? ts.filter((t) => t.origin.kind === kind) : ts;
}
