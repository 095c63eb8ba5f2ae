/** Shared helpers for the Bash rules: turning dataflow effects into findings. */
import type { RawFinding } from '../rule';
import type { Effect, EffectKind } from '../bash/effects';
import type { BashFacts } from '../bash/facts';
import type { Confirmation } from '../bash/guard';
import type { Taint } from '../bash/taint';
import type { PathStep, Range } from '../types';

import { line, lineRef } from './where';

export { line, lineRef };

/** The taint whose path the message names: a high-confidence model call first. */
export function pickTaint(ts: readonly Taint[]): Taint | undefined {
  return ts.find((t) => t.origin.call?.confidence === 'high') ?? ts[0];
}

export function describeOrigin(t: Taint, at?: Range): string {
  if (t.origin.kind === 'model') return `output of ${t.origin.label} (${lineRef(t.origin.range, at)})`;
  if (t.origin.kind === 'self') return `the script's own path ${t.origin.label} (${lineRef(t.origin.range, at)})`;
  return `host names from ${t.origin.label} (${lineRef(t.origin.range, at)})`;
}

export function pathTo(t: Taint, end: Range, message: string): PathStep[] {
  const steps = t.steps.length ? [...t.steps] : [{ range: t.origin.range, message: `${t.origin.label} here` }];
  steps.push({ range: end, message });
  return steps;
}

export function effectFindings(
  facts: BashFacts,
  kinds: EffectKind[],
  verb: (e: Effect, t: Taint) => string,
  endStep: (e: Effect) => string,
  opts: { confirmations?: boolean } = {},
): RawFinding[] {
  const out: RawFinding[] = [];
  for (const e of facts.flow.effects) {
    if (!kinds.includes(e.kind)) continue;
    const t = pickTaint(e.taint);
    if (!t) continue;
    const others = e.taint.length > 1 ? ` (and ${e.taint.length - 1} other source${e.taint.length > 2 ? 's' : ''})` : '';
    const path = pathTo(t, e.range, endStep(e));
    // Behind a confirmation: still execution of model output, one "y" away, at a lower severity.
    const guard = opts.confirmations ? facts.confirmations.guardOf(e.node) : undefined;
    if (guard) path.splice(path.length - 1, 0, { range: guard.range, message: `the user is asked to confirm here${guard.skippedBy ? ` (${guard.skippedBy} skips it)` : ''}` });
    out.push({
      range: e.range,
      message: `${verb(e, t)}${others}${guard ? confirmationNote(guard) : ''}`,
      path,
      confidence: t.origin.call?.confidence === 'low' ? 'low' : 'high',
      ...(guard ? { severity: 'warning' as const } : {}),
    });
  }
  return out;
}

/** "; only after a confirmation (`read -rp ...`, line 46), which `-y|--yes` skips". */
export function confirmationNote(g: Confirmation): string {
  return `, only after a confirmation (${g.label}, line ${line(g.range)})${g.skippedBy ? `, which the flag ${g.skippedBy} skips` : ''}`;
}

export const lowConfidenceNote = (t: Taint) =>
  t.origin.call?.confidence === 'low' ? '; the model call is inferred from its name (lower confidence)' : '';
