/**
 * Whether an execution of model output waits for the user's yes, in JavaScript/TypeScript: the
 * confirmation around the sink, or around every call in the same file of the function that runs
 * it, when the model output comes in through one of those calls (`if (ok) run(cmd)`).
 */
import type { Node } from 'web-tree-sitter';
import type { JsFacts } from '../js/facts';
import { JsConfirmations, type Guard } from '../js/guard';
import type { JsEffect } from '../js/results';
import type { Taint } from '../js/taint';
import { enclosingFunction, functionName, within } from '../js/tree';
import { fileOfNode } from '../tree-util';

export type { Confirmation } from '../js/guard';

const finders = new WeakMap<JsFacts, JsConfirmations>();
const MAX_CALL_DEPTH = 4;

export function guardOfEffect(facts: JsFacts, e: JsEffect): Guard {
  let finder = finders.get(facts);
  if (!finder) finders.set(facts, (finder = new JsConfirmations()));
  const model = e.taint.filter((t) => t.origin.kind === 'model');
  if (!model.length) return {};
  const guards = model.map((t) => through(finder, e.node, t, 0));
  const asked = guards.map((g) => g.confirmation);
  if (asked.every((c) => !!c)) return { confirmation: asked.find((c) => c!.skippedBy) ?? asked[0] };
  const flag = guards.find((g) => g.flagBranch && !g.confirmation)?.flagBranch;
  return flag ? { flagBranch: flag } : {};
}

function through(finder: JsConfirmations, node: Node, t: Taint, depth: number): Guard {
  const g = finder.guardOf(node);
  if (g.confirmation || g.flagBranch || depth >= MAX_CALL_DEPTH) return g;
  const fn = enclosingFunction(node);
  const name = fn ? functionName(fn)?.replace(/^this\./, '') : undefined;
  if (!fn || !name) return {};
  // the calls of the function in this file, by its name (`run(cmd)`, `this.run(cmd)`)
  const file = fileOfNode(node);
  let root = fn;
  while (root.parent) root = root.parent;
  const sites = root.descendantsOfType('call_expression').filter((c): c is Node => {
    const callee = c?.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
    return !!c && (callee === name || callee.endsWith(`.${name}`)) && !(c.startIndex >= fn.startIndex && c.endIndex <= fn.endIndex);
  });
  const sameFile = (r: { file?: string }) => r.file === file;
  if (!sites.some((site) => t.steps.some((s) => sameFile(s.range) && within(s.range, site)))) return {};
  const up = sites.map((s) => through(finder, s, t, depth + 1));
  if (up.every((u) => !!u.confirmation)) return { confirmation: up.find((u) => u.confirmation!.skippedBy)?.confirmation ?? up[0]!.confirmation };
  const flag = up.find((u) => u.flagBranch && !u.confirmation)?.flagBranch;
  return flag ? { flagBranch: flag } : {};
}
