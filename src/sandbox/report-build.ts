/**
 * Turns what one sandbox run produced into the report: the process tree with source lines,
 * the model calls and which answers were executed, file changes, network attempts, what the
 * sandbox refused, the limits hit, and the one-line verdict.
 */
import * as path from 'node:path';
import { urlLooksLikeModelApi } from '../core/catalog';
import type { BackendInfo } from './backend';
import type { RawRun } from './collect';
import type { Limits } from './limits';
import type { Prepared } from './prepare';
import { REPORT_VERSION, type MemoryBound, type BlockedAction, type DryRunReport, type ExecutedModelOutput, type ModelCall, type NetworkAttempt, type Recursion, type ReportProcess } from './report-schema';
import type { SnippetLanguage } from './model-commands';
import type { TracedProcess } from './strace-parser';
import { diffWorkspace, parseManifest } from './workspace';
import type { XtraceRecord } from './xtrace-parser';
import { describeBlocked, networkAttempts } from './report-network';
import { composeVerdict } from './verdict';
import { REPORT_CAPS, boundReport } from './report-bounds';
import { traceGaps } from './report-gaps';

const MAX_PROCESSES = 500;
const SHELLS = /^(ba|da|z|k|fi)?sh$|^busybox$/;
const INTERPRETERS = /^(python[\d.]*|node|perl|ruby|php|deno|bun)$/;

export interface BuildInput {
  raw: RawRun;
  prepared: Prepared;
  info: BackendInfo;
  language: SnippetLanguage;
  limits: Limits;
  memory: MemoryBound & { limitHits: number };
}

function lastExec(p: TracedProcess): { path: string; argv: string[] } | undefined {
  return p.execs[p.execs.length - 1];
}

/** Links each exec'd process to the xtrace record that started it, for its source line. */
function lineFinder(records: XtraceRecord[], snippet: string) {
  const byPid = new Map<number, XtraceRecord[]>();
  for (const r of records) {
    const list = byPid.get(r.pid) ?? [];
    list.push(r);
    byPid.set(r.pid, list);
  }
  const used = new Set<number>();
  return (pid: number, parent: number | null, argv0: string): number | null => {
    const want = path.posix.basename(argv0);
    for (const p of [pid, parent]) {
      if (p === null) continue;
      const hit = byPid.get(p)?.find((r) => !used.has(r.seq) && r.words.length > 0 && (r.words[0] === argv0 || path.posix.basename(r.words[0]!) === want));
      if (hit) {
        used.add(hit.seq);
        return hit.source === snippet ? hit.line : null;
      }
    }
    return null;
  };
}

export function buildProcesses(raw: RawRun, prepared: Prepared): { processes: ReportProcess[]; byPid: Map<number, ReportProcess>; leftovers: number; total: number } {
  const all = [...raw.strace.processes.values()].filter((p) => !p.thread).sort((a, b) => a.seq - b.seq);
  const findLine = lineFinder(raw.xtrace.records, prepared.plan.snippet);
  const shown = new Map<number, ReportProcess>();
  let leftovers = 0;
  let total = 0;
  for (const p of all) {
    const ex = p.execs.find((e) => prepared.isShim(e.path)) ?? lastExec(p);
    if (!ex) continue;
    total++;
    if (p.exitCode === null && p.signal === null) leftovers++;
    if (shown.size >= MAX_PROCESSES) continue;
    // The nearest ancestor that exec'd is the parent a reader expects (forks are Bash internals).
    let parent = p.parent;
    while (parent !== null && !shown.has(parent)) parent = raw.strace.processes.get(parent)?.parent ?? null;
    const model = prepared.isShim(ex.path);
    shown.set(p.pid, {
      pid: p.pid,
      ppid: parent,
      argv: ex.argv,
      exitCode: p.exitCode,
      signal: p.signal,
      // The root is the snippet itself; its line would steal a child's xtrace record.
      line: p.pid === raw.strace.rootPid ? null : findLine(p.pid, p.parent, ex.argv[0] ?? ex.path),
      model,
    });
  }
  return { processes: [...shown.values()], byPid: shown, leftovers, total };
}

function modelCalls(raw: RawRun, byPid: Map<number, ReportProcess>, snippet: string): ModelCall[] {
  const calls: ModelCall[] = [];
  const usedPids = new Set<number>();
  const usedRecords = new Set<number>();
  // JS/TS: the node hook's record of the fetch/http.request that made the call.
  const hookLine = (host: string, path: string): number | null => {
    const r = raw.xtrace.records.find((x) => !usedRecords.has(x.seq) && /^(fetch|https?\.request)$/.test(x.words[0] ?? '') && (x.words[1] ?? '').includes(path) && ((x.words[1] ?? '').includes(host) || !/^https?:\/\/[^/]*\./.test(x.words[1] ?? '')));
    if (!r) return null;
    usedRecords.add(r.seq);
    return r.source === snippet ? r.line : null;
  };
  for (const e of raw.stub) {
    if (e.t === 'model-command') {
      const proc = byPid.get(e.pid);
      calls.push({ id: e.id, kind: 'command', command: proc?.argv[0] ?? e.command, argv: proc?.argv ?? e.argv, prompt: e.prompt, answer: e.answer, answerSource: e.source, line: proc?.line ?? null, pid: proc ? e.pid : null });
    } else if (e.t === 'model-http') {
      const url = `http://${e.host}${e.port === 80 ? '' : `:${e.port}`}${e.path}`;
      const proc = [...byPid.values()].find((p) => !usedPids.has(p.pid) && !p.model && p.argv.some((a) => a.includes(e.host) || a.includes(e.path)));
      if (proc) usedPids.add(proc.pid);
      calls.push({ id: e.id, kind: 'http', url, prompt: e.prompt, answer: e.answer, answerSource: e.source, line: proc?.line ?? hookLine(e.host, e.path), pid: proc?.pid ?? null });
    }
  }
  // HTTPS to a model host cannot be answered (no certificate); it is still a model call.
  let next = Math.max(0, ...calls.map((c) => c.id)) + 1000;
  // A model command the stub server never heard of (stopped, killed or flooded by the snippet)
  // was still called. Exit status 127 is the shim's own "no such subcommand" (`ollama list`).
  const recorded = new Set(raw.stub.flatMap((e) => (e.t === 'model-command' ? [e.pid] : [])));
  for (const p of byPid.values()) {
    if (!p.model || recorded.has(p.pid) || p.exitCode === 127) continue;
    calls.push({ id: next++, kind: 'command', command: p.argv[0] ?? '', argv: p.argv, prompt: '(not recorded: the stub server never received this call; the snippet may have stopped or flooded it)', answer: '', answerSource: 'unrecorded', line: p.line, pid: p.pid });
  }
  for (const e of raw.stub) {
    if (e.t !== 'tls' || !urlLooksLikeModelApi(e.host)) continue;
    const proc = [...byPid.values()].find((p) => !usedPids.has(p.pid) && !p.model && p.argv.some((a) => a.includes(e.host)));
    if (proc) usedPids.add(proc.pid);
    calls.push({ id: next++, kind: 'http', url: `https://${e.host}/`, prompt: '(sent over TLS: not readable)', answer: '', answerSource: 'unanswered-https', line: proc?.line ?? null, pid: proc?.pid ?? null });
  }
  return calls.sort((a, b) => a.id - b.id);
}

function contains(hay: string, answer: string): boolean {
  const a = answer.trim();
  if (!a) return false;
  const h = hay.trim();
  return h === a || (a.length >= 4 && h.includes(a));
}

/** Which answers ran as code: through eval/source (xtrace), `sh -c`/interpreters (exec argv), or their marker. */
function executedOutput(raw: RawRun, calls: ModelCall[], processes: ReportProcess[], snippet: string): ExecutedModelOutput[] {
  const found = new Map<number, ExecutedModelOutput>();
  const usedRecords = new Set<number>();
  const usedProcs = new Set<number>();
  const output = `${raw.stdout}\n${raw.stderr}`;
  const isInterpreter = (p: ReportProcess): boolean => {
    const name = path.posix.basename(p.argv[0] ?? '');
    return SHELLS.test(name) || INTERPRETERS.test(name);
  };
  // First the direct evidence: the answer's own text given to a sink.
  for (const call of calls) {
    if (!call.answer.trim()) continue;
    // `exec`: Python's start-up hook (python-hook.ts) saw the answer compiled from a string (exec, eval, compile).
    const rec = raw.xtrace.records.find((r) => !usedRecords.has(r.seq) && (r.words[0] === 'eval' || r.words[0] === 'source' || r.words[0] === '.' || r.words[0] === 'exec') && contains(r.words.slice(1).join(' '), call.answer));
    if (rec) {
      usedRecords.add(rec.seq);
      const who = rec.words[0] === 'exec' ? 'Python compiled and ran' : `the shell ran \`${rec.words[0]}\` on`;
      found.set(call.id, { callId: call.id, answer: call.answer, sink: rec.words[0]!, line: rec.source === snippet ? rec.line : null, evidence: `${who} the answer of model call ${call.id}` });
      continue;
    }
    const proc = processes.find((p) => {
      if (usedProcs.has(p.pid) || p.model || !isInterpreter(p)) return false;
      const i = p.argv.findIndex((a) => a === '-c' || a === '-e' || a === '--eval');
      return i >= 0 && contains(p.argv[i + 1] ?? '', call.answer);
    });
    if (proc) {
      usedProcs.add(proc.pid);
      const flag = proc.argv.find((a) => a === '-c' || a === '-e' || a === '--eval')!;
      found.set(call.id, { callId: call.id, answer: call.answer, sink: `${path.posix.basename(proc.argv[0]!)} ${flag}`, line: proc.line, evidence: `process ${proc.pid} ran the answer of model call ${call.id}` });
    }
  }
  // Then the markers of default and adversarial answers: running the answer prints them. The
  // sink is the nearest `source`/`.` or shell/interpreter at or after the call's line
  // (`| sh`, `bash <<< "$x"`, `source <(...)`, write-then-`bash file`).
  for (const call of calls) {
    if (found.has(call.id) || !call.answer.includes('fang-ran-')) continue;
    const marker = `fang-ran-${call.id}`;
    if (!new RegExp(`(^|[^\\w-])${marker}($|[^\\w])`, 'm').test(output)) continue;
    const atOrAfter = (line: number | null): number => (call.line === null ? 0 : line === null || line < call.line ? Infinity : line - call.line);
    type Candidate = { dist: number; order: number; take: () => void; sink: string; line: number | null };
    const candidates: Candidate[] = [];
    for (const r of raw.xtrace.records) {
      if (usedRecords.has(r.seq) || r.source !== snippet || (r.words[0] !== 'source' && r.words[0] !== '.' && r.words[0] !== 'exec')) continue;
      candidates.push({ dist: atOrAfter(r.line), order: r.seq, take: () => usedRecords.add(r.seq), sink: clipArgv(r.words), line: r.line });
    }
    for (const p of processes) {
      if (usedProcs.has(p.pid) || p.model || p.pid === raw.strace.rootPid || !isInterpreter(p) || (call.pid !== null && p.pid < call.pid)) continue;
      candidates.push({ dist: atOrAfter(p.line), order: p.pid, take: () => usedProcs.add(p.pid), sink: clipArgv(p.argv), line: p.line });
    }
    const best = candidates.filter((c) => c.dist !== Infinity).sort((x, y) => x.dist - y.dist || x.order - y.order)[0];
    best?.take();
    found.set(call.id, { callId: call.id, answer: call.answer, sink: best?.sink ?? 'unknown', line: best?.line ?? null, evidence: `the output shows \`${marker}\`, which only running the answer prints` });
  }
  return calls.flatMap((c) => found.get(c.id) ?? []);
}

function clipArgv(argv: string[]): string {
  const s = argv.join(' ');
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function recursionOf(calls: ModelCall[], executed: ExecutedModelOutput[], processes: ReportProcess[], raw: RawRun, prepared: Prepared, limits: Limits): Recursion[] {
  const out: Recursion[] = [];
  // Model answers fed into later model calls: the list an agent loop walks.
  const fed = calls.filter((c) => calls.some((e) => e.id < c.id && e.answer.split('\n').some((l) => l.trim().length >= 6 && c.prompt.includes(l.trim()))));
  const bySink = new Map<string, ExecutedModelOutput[]>();
  for (const e of executed) {
    // Only the same sink at the same known line, run again and again, is a loop.
    if (e.line === null || e.sink === 'unknown') continue;
    const k = `${e.sink}@${e.line}`;
    bySink.set(k, [...(bySink.get(k) ?? []), e]);
  }
  const repeated = [...bySink.values()].filter((g) => g.length >= 2).sort((a, b) => b.length - a.length)[0];
  if (repeated) {
    const where = repeated[0]!.line ? ` at line ${repeated[0]!.line}` : '';
    out.push({
      kind: 'agent-loop',
      detail: `model output executed ${repeated.length} times by the same \`${repeated[0]!.sink}\`${where}${fed.length ? `, each time for an answer fed by an earlier model call (${fed.length} chained call${fed.length === 1 ? '' : 's'})` : ''}: an agent loop`,
      line: repeated[0]!.line,
    });
  } else if (fed.length) {
    out.push({ kind: 'model-chain', detail: `${fed.length} model call(s) were fed the answer of an earlier call`, line: fed[0]!.line });
  }
  const self = processes.filter((p) => p.argv.includes(prepared.plan.snippet) && p.pid !== raw.strace.rootPid);
  if (self.length) out.push({ kind: 'self-spawn', detail: `the snippet started itself ${self.length} time(s)`, line: self[0]!.line });
  if (raw.limitsHit.has('processes')) out.push({ kind: 'fork-bomb', detail: `spawning ran into the process limit (${limits.processes}) and was refused`, line: null });
  return out;
}

export function buildReport(b: BuildInput): DryRunReport {
  const { raw, prepared, info, limits } = b;
  const notes = [...prepared.notes, ...raw.notes];
  const { processes, byPid, leftovers, total: processCount } = buildProcesses(raw, prepared);
  if (!info.strace) notes.push('strace is not installed: no process tree, no refused syscalls (install the strace package)');
  if (raw.strace.processes.size > MAX_PROCESSES) notes.push(`only the first ${MAX_PROCESSES} processes are listed`);
  if (raw.leftoversStopped && leftovers > 0) notes.push(`${leftovers} process(es) still running after the snippet ended were stopped`);
  if (raw.hardKilled) notes.push('the sandbox did not stop on request and was killed');
  for (const e of raw.init) if (e.t === 'note' || e.t === 'error') notes.push(e.message);
  for (const e of raw.stub) if (e.t === 'note') notes.push(e.message);

  // Limits that are seen after the fact.
  if (raw.strace.forkFailures > 0 || /fork: (retry: )?Resource temporarily unavailable/.test(raw.stderr)) raw.limitsHit.add('processes');
  if (/Cannot allocate memory|out of memory|heap out of memory|allocation failed|memory exhausted|MemoryError|xmalloc|std::bad_alloc/i.test(raw.stderr)) raw.limitsHit.add('memory');
  for (const e of raw.init) {
    if (e.t !== 'disk') continue;
    if ((e.blocks > 0 && e.free <= Math.max(1, e.blocks * 0.01)) || (e.files !== undefined && e.files > 0 && e.filesFree === 0)) raw.limitsHit.add('disk');
  }
  const memory = b.memory;
  if (memory.oomKills > 0 || memory.limitHits > 0) raw.limitsHit.add('memory');
  if (memory.oomKills > 0) notes.push(`the sandbox reached its memory bound (${memory.limitBytes} bytes, ${memory.kind}) and the kernel ended ${memory.oomKills} of its processes`);

  const allCalls = modelCalls(raw, byPid, prepared.plan.snippet);
  // What follows compares calls with trace records; the caps keep that work bounded too.
  const calls = allCalls.slice(0, REPORT_CAPS.modelCalls);
  const executed = executedOutput(raw, calls, processes, prepared.plan.snippet);
  const roots: string[] = [];
  const after = parseManifest(raw.manifest, roots);
  // Every area before the last one reached is whole; the last is whole only if init said so.
  const listingDone = raw.init.some((e) => e.t === 'listed');
  const listed = new Set(listingDone ? roots : roots.slice(0, -1));
  const areas = [prepared.layout.home, prepared.layout.workspace, '/tmp', '/dev/shm'];
  const unlisted = areas.filter((a) => !listed.has(a));
  const fileChanges = diffWorkspace({ before: prepared.seed.entries, after, workspace: prepared.layout.workspace, home: prepared.layout.home, ignore: prepared.ignore, workspaceListed: listed.has(prepared.layout.workspace), mountPoints: [prepared.layout.home, ...prepared.layout.staged.map(([from]) => from)] });
  if (unlisted.length) notes.push(`the file listing could not finish (${unlisted.join(', ')} not listed in full): the changes named are those it saw, and there may be more`);
  const root = raw.strace.rootPid === null ? undefined : raw.strace.processes.get(raw.strace.rootPid);
  const initExit = raw.init.find((e) => e.t === 'exit');
  const exitCode = root ? root.exitCode : initExit && initExit.t === 'exit' ? initExit.code : null;
  // The tracer ended before the snippet's root did, and Fang did not stop the run: the snippet
  // killed it (kill -9 -1 reaches it: same uid), which ends the run at that point.
  const tracerKilled = info.strace && initExit?.t === 'exit' && root !== undefined && root.exitCode === null && root.signal === null && !raw.leftoversStopped && !raw.limitsHit.size && !raw.hardKilled && !raw.dropped['process trace bytes'];
  if (tracerKilled) {
    notes.push("the snippet killed the sandbox's tracer (strace), e.g. with `kill -9 -1`, so the run was ended there: what it would have done next is not in this report");
  }
  const gaps = traceGaps(raw, byPid, prepared.plan.snippet, tracerKilled, allCalls.filter((c) => c.answerSource === 'unrecorded').length);
  const network: NetworkAttempt[] = networkAttempts(raw, gaps.stubIntact);
  const blocked: BlockedAction[] = describeBlocked(raw, byPid, network, fileChanges, limits, prepared.plan.snippet);
  const recursion = recursionOf(calls, executed, processes, raw, prepared, limits);
  const limitsHit = [...raw.limitsHit].sort();

  const verdictOf = (tampered: number): string =>
    composeVerdict({ calls: allCalls, executed, processes, processCount, fileChanges, network, blocked, limitsHit, recursion, listingIncomplete: unlisted.length > 0, tampered, incomplete: gaps.reasons });
  const report: DryRunReport = {
    version: REPORT_VERSION,
    verdict: verdictOf(raw.tampered),
    backend: { name: info.name, version: info.version, isolation: info.isolation, traced: info.strace },
    language: b.language,
    workspace: prepared.layout.workspace,
    stubbedCommands: prepared.stubbedCommands,
    secretsLeftOut: prepared.seed.secrets.slice(0, 200),
    processes,
    modelCalls: calls,
    executedModelOutput: executed,
    recursion,
    fileChanges,
    network,
    blocked,
    limitsHit,
    limits,
    memoryBound: { kind: memory.kind, limitBytes: memory.limitBytes, peakBytes: memory.peakBytes, oomKills: memory.oomKills, detail: memory.detail },
    exitCode,
    durationMs: raw.durationMs,
    stdout: raw.stdout,
    stderr: raw.stderr,
    stdoutTruncated: raw.stdoutTruncated,
    stderrTruncated: raw.stderrTruncated,
    notes,
    dropped: { ...raw.dropped, ...(allCalls.length > calls.length ? { modelCalls: allCalls.length - calls.length } : {}) },
    traceTampered: raw.tampered,
    ...(gaps.reasons.length ? { traceIncomplete: gaps.reasons } : {}),
  };
  if (!Object.keys(report.dropped!).length) delete report.dropped;
  // Bounded and validated on the writing side too; an entry the snippet forged is dropped, not fatal.
  const { report: bounded, invalid } = boundReport(report);
  if (invalid) {
    bounded.traceTampered = raw.tampered + invalid;
    bounded.verdict = verdictOf(raw.tampered + invalid);
  }
  return bounded;
}
