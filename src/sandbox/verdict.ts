/** The one-line verdict at the top of every report. */
import type { BlockedAction, ExecutedModelOutput, FileChange, ModelCall, NetworkAttempt, Recursion, ReportProcess } from './report-schema';

const n = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;

export interface VerdictInput {
  calls: ModelCall[];
  executed: ExecutedModelOutput[];
  processes: ReportProcess[];
  /** Processes that ran, also those beyond the listed ones. */
  processCount?: number;
  fileChanges: FileChange[];
  network: NetworkAttempt[];
  blocked: BlockedAction[];
  limitsHit: string[];
  recursion: Recursion[];
  /** The file listing was cut: the counts of files are lower bounds. */
  listingIncomplete?: boolean;
  /** Lines of the trace that did not parse (the snippet can write into the trace). */
  tampered?: number;
  /** What the trace could not see (report-gaps.ts): the counts are then lower bounds. */
  incomplete?: string[];
}

export function composeVerdict(v: VerdictInput): string {
  const parts: string[] = [];
  const ran = new Set(v.executed.map((e) => e.callId)).size;
  parts.push(`${n(v.calls.length, 'model call')}${v.calls.length ? `, ${ran} of them produced code that was executed` : ''}`);
  const procs = Math.max(v.processes.length, v.processCount ?? 0);
  parts.push(`${n(procs, 'process', 'processes')}${procs > v.processes.length ? ` (the first ${v.processes.length} listed)` : ''}`);
  const ws = v.fileChanges.filter((f) => f.area === 'workspace').length;
  const elsewhere = v.fileChanges.length - ws;
  const atLeast = v.listingIncomplete ? 'at least ' : '';
  parts.push(`${atLeast}${n(ws, 'file')} written in the workspace copy${elsewhere ? ` (${elsewhere} more in the sandbox's home and /tmp)` : ''}${v.listingIncomplete ? ' (FILE LISTING INCOMPLETE: the sandbox was stopped before it could list every file)' : ''}`);
  const net = v.network.filter((x) => x.blocked && !x.routine).length;
  parts.push(`${n(net, 'network attempt')} blocked`);
  const refused = v.blocked.filter((b) => b.kind !== 'network').length;
  if (refused) parts.push(`${n(refused, 'other action')} refused by the sandbox`);
  if (v.limitsHit.length) parts.push(`limit hit: ${v.limitsHit.join(', ')}`);
  for (const r of v.recursion) parts.push(`recursion: ${r.detail}`);
  if (v.incomplete?.length) parts.push(`TRACE INCOMPLETE, so the counts above are lower bounds: ${v.incomplete.join('; ')}`);
  if (v.tampered) parts.push(`TRACE TAMPERED WITH: ${n(v.tampered, 'forged or malformed line')} dropped, so the trace may be incomplete`);
  return parts.join('; ');
}
