// Scoring of the real-world corpus (`npm run corpus:real`): findings against hand-made labels.
// Kept apart from the fetching so a unit test can check it on made-up data.
//
// A label says "a finding of this category belongs on this line of this file". `expect` labels
// count for recall; `accept` labels name places where a finding is true but not required (a
// second place of the same event, e.g. the write to a shell's stdin after the spawn of that
// shell): a finding there is neither a false positive nor a point of recall.

export const CATEGORIES = ['self-invocation', 'model-output-execution', 'recursive-spawning'];
/** Meta rules say something about the analysis, not about the code: never scored. */
const META_RULES = new Set(['analysis-incomplete', 'suppression-without-reason']);

const key = (file, line, category) => `${file}:${line}:${category}`;

/**
 * entries: [{ id, labels: [{file, line, category}], accept: [...], findings: [{file, line, category, ruleId, message}] }]
 * Returns per-category and overall counts, and the misses and false positives per entry.
 */
export function score(entries) {
  const per = Object.fromEntries(CATEGORIES.map((c) => [c, { tp: 0, fn: 0, fp: 0, labels: 0 }]));
  const details = [];
  for (const e of entries) {
    const expected = new Map(e.labels.map((l) => [key(l.file, l.line, l.category), l]));
    const accepted = new Set((e.accept ?? []).map((l) => key(l.file, l.line, l.category)));
    const found = new Map();
    for (const f of e.findings) {
      if (META_RULES.has(f.ruleId) || !CATEGORIES.includes(f.category)) continue;
      const k = key(f.file, f.line, f.category);
      if (!found.has(k)) found.set(k, f);
    }
    const missed = [];
    const falsePositives = [];
    for (const [k, l] of expected) {
      per[l.category].labels++;
      if (found.has(k)) per[l.category].tp++;
      else {
        per[l.category].fn++;
        missed.push(l);
      }
    }
    for (const [k, f] of found) {
      if (expected.has(k) || accepted.has(k)) continue;
      per[f.category].fp++;
      falsePositives.push(f);
    }
    details.push({ id: e.id, missed, falsePositives, labels: expected.size, found: found.size });
  }
  const overall = { tp: 0, fn: 0, fp: 0, labels: 0 };
  for (const c of CATEGORIES) for (const k of Object.keys(overall)) overall[k] += per[c][k];
  return { per, overall, details };
}

/** Recall and precision; undefined where there is nothing to divide. */
export function rates(c) {
  return {
    recall: c.tp + c.fn ? c.tp / (c.tp + c.fn) : undefined,
    precision: c.tp + c.fp ? c.tp / (c.tp + c.fp) : undefined,
  };
}

export function fmt(x) {
  return x === undefined ? '  -  ' : x.toFixed(3);
}
