/** Sets of traced values keyed by where they came from; shared by the Bash and JS dataflows. */
import type { PathStep, Range } from './types';

/** Steps a path keeps (enough for a path that crosses a few files of a project); past them it ends in one `truncated` step, and the analyzer adds a path-length note. */
export const MAX_PATH_STEPS = 24;

/** The path at its cap: the steps it has, then once a step that says where it was cut. */
export function capPath<T extends { steps: PathStep[] }>(t: T, range: Range): T {
  if (t.steps[t.steps.length - 1]?.truncated) return t;
  return { ...t, steps: [...t.steps, { range, message: `further steps not shown (the path is cut after ${MAX_PATH_STEPS} steps: path length)`, truncated: true }] };
}

/** A piece of tainted text: where it came from, and the steps it took since. */
export interface Traced<O> {
  origin: O;
  steps: PathStep[];
}

/**
 * Union, one entry per origin (compared by identity). The first path found for an origin wins:
 * it is the shortest in source order. Returns one of its inputs unchanged when it can.
 */
export function unionByOrigin<T extends { origin: unknown }>(empty: readonly T[], sets: readonly (readonly T[])[]): readonly T[] {
  let out: T[] | undefined;
  let first: readonly T[] = empty;
  for (const s of sets) {
    if (s.length === 0) continue;
    if (first.length === 0 && !out) {
      first = s;
      continue;
    }
    if (!out) out = [...first];
    for (const t of s) if (!out.some((o) => o.origin === t.origin)) out.push(t);
  }
  return out ?? first;
}
