/**
 * Whether an execution of model output waits for the user's yes, in Python: the confirmation
 * around the sink in its function, or around every call of that function when the model output
 * comes in through one of them (`if option == "e": run_command(completion)` in another module).
 */
import type { Node } from 'web-tree-sitter';
import type { PyFacts } from '../python/facts';
import { PyConfirmations, type Guard } from '../python/guard';
import type { PyEffect } from '../python/results';
import { enclosingFunction, within } from '../python/tree';
import type { Taint } from '../python/values';

export type { Confirmation } from '../python/guard';

const finders = new WeakMap<PyFacts, PyConfirmations>();

/** How many calls up from the sink the question is looked for. */
const MAX_CALL_DEPTH = 4;

export function guardOfEffect(facts: PyFacts, e: PyEffect): Guard {
  let finder = finders.get(facts);
  if (!finder) finders.set(facts, (finder = new PyConfirmations()));
  const model = e.taint.filter((t) => t.origin.kind === 'model');
  if (!model.length) return {};
  // Every path of model output into the sink must pass a question for the sink to count as guarded.
  const guards = model.map((t) => through(facts, finder, e.node, t, 0, new Set()));
  const asked = guards.map((g) => g.confirmation);
  if (asked.every((c) => !!c)) return { confirmation: asked.find((c) => c!.skippedBy) ?? asked[0] };
  const flag = guards.find((g) => g.flagBranch && !g.confirmation)?.flagBranch;
  return flag ? { flagBranch: flag } : {};
}

function through(facts: PyFacts, finder: PyConfirmations, node: Node, t: Taint, depth: number, seen: Set<number>): Guard {
  const g = finder.guardOf(node);
  if (g.confirmation || g.flagBranch || depth >= MAX_CALL_DEPTH) return g;
  const fn = enclosingFunction(node);
  if (!fn || seen.has(fn.id)) return {};
  seen.add(fn.id);
  // the call sites on this path (where the model output was passed into `fn`), and every other
  // call of `fn` the flow saw: one call without the question leaves the sink unguarded
  // (a function the flow ran on its own, uncalled, lists itself: no question there)
  const sites = (facts.flow.callers.get(fn.id) ?? []).filter((site) => site.id !== fn.id);
  if (!sites.some((site) => t.steps.some((s) => within(s.range, site)))) return {};
  const up = sites.map((s) => through(facts, finder, s, t, depth + 1, seen));
  if (up.every((u) => !!u.confirmation)) return { confirmation: up.find((u) => u.confirmation!.skippedBy)?.confirmation ?? up[0]!.confirmation };
  const flag = up.find((u) => u.flagBranch && !u.confirmation)?.flagBranch;
  return flag ? { flagBranch: flag } : {};
}
