/**
 * Keeps a report bounded and valid whatever the snippet did: every list has a cap (what was
 * left out is counted in `dropped`), the whole report has a size cap, and an entry that does
 * not fit the schema (a value the snippet forged into its own trace) is dropped and counted,
 * never allowed to fail the run.
 */
import { reportSchema, type DryRunReport } from './report-schema';

export const REPORT_CAPS = {
  processes: 500,
  modelCalls: 500,
  executedModelOutput: 500,
  recursion: 50,
  fileChanges: 2000,
  network: 200,
  blocked: 200,
  notes: 100,
  noteChars: 1000,
  /** The whole report as JSON. */
  bytes: 8 * 1024 * 1024,
} as const;

type ListKey = 'processes' | 'modelCalls' | 'executedModelOutput' | 'recursion' | 'fileChanges' | 'network' | 'blocked' | 'notes';
const LISTS: ListKey[] = ['processes', 'modelCalls', 'executedModelOutput', 'recursion', 'fileChanges', 'network', 'blocked', 'notes'];

function count(r: DryRunReport, key: string, n: number): void {
  if (n <= 0) return;
  r.dropped ??= {};
  r.dropped[key] = (r.dropped[key] ?? 0) + n;
}

/** Drops entries that fail the schema, up to a few rounds; returns how many went. */
function dropInvalid(r: DryRunReport): number {
  let gone = 0;
  for (let round = 0; round < 20; round++) {
    const res = reportSchema.safeParse(r);
    if (res.success) return gone;
    const doomed = new Map<string, Set<number>>();
    for (const issue of res.error.issues) {
      const [key, index] = issue.path;
      if (typeof key !== 'string' || !LISTS.includes(key as ListKey) || typeof index !== 'number') {
        throw new Error(`internal error: the report does not fit its schema at ${issue.path.join('.')}: ${issue.message}`);
      }
      doomed.set(key, (doomed.get(key) ?? new Set()).add(index));
    }
    for (const [key, indexes] of doomed) {
      const list = r[key as ListKey] as unknown[];
      (r as unknown as Record<string, unknown[]>)[key] = list.filter((_, i) => !indexes.has(i));
      gone += indexes.size;
    }
  }
  return gone;
}

export function boundReport(r: DryRunReport): { report: DryRunReport; invalid: number } {
  for (const key of LISTS) {
    const list = r[key] as unknown[];
    const cap = REPORT_CAPS[key];
    if (list.length > cap) {
      count(r, key, list.length - cap);
      (r as unknown as Record<string, unknown[]>)[key] = list.slice(0, cap);
    }
  }
  r.notes = r.notes.map((n) => (n.length > REPORT_CAPS.noteChars ? `${n.slice(0, REPORT_CAPS.noteChars)}…` : n));
  const invalid = dropInvalid(r);
  if (invalid) r.notes.push(`${invalid} report entr${invalid === 1 ? 'y' : 'ies'} held values no real trace has (forged by the snippet) and were dropped`);
  // The size cap: halve the longest list, then the output, until the report fits.
  for (let i = 0; i < 64 && JSON.stringify(r).length > REPORT_CAPS.bytes; i++) {
    const longest = LISTS.map((k) => [k, JSON.stringify(r[k]).length] as const).sort((a, b) => b[1] - a[1])[0]!;
    const outputs = r.stdout.length + r.stderr.length;
    if (outputs > longest[1]) {
      const half = (s: string): string => s.slice(0, Math.floor(s.length / 2));
      count(r, 'outputChars', Math.ceil(r.stdout.length / 2) + Math.ceil(r.stderr.length / 2));
      r.stdout = half(r.stdout);
      r.stderr = half(r.stderr);
      r.stdoutTruncated = r.stderrTruncated = true;
      continue;
    }
    const list = r[longest[0]] as unknown[];
    const keep = Math.floor(list.length / 2);
    count(r, longest[0], list.length - keep);
    (r as unknown as Record<string, unknown[]>)[longest[0]] = list.slice(0, keep);
  }
  if (r.dropped && Object.keys(r.dropped).length) {
    r.notes.push(`to keep the report bounded, some parts were cut: ${Object.entries(r.dropped).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
  return { report: reportSchema.parse(r), invalid };
}
