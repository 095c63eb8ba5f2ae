/**
 * What the trace could not see, so that the verdict can say so instead of counting less: parts
 * cut to keep the report bounded, the line trace switched off, and what the snippet did to
 * Fang's own processes inside the sandbox (the stub server that records model calls and network
 * attempts, the tracer). Each gap is one short reason; with any of them the verdict's counts are
 * lower bounds.
 */
import type { RawRun } from './collect';
import type { ReportProcess } from './report-schema';
import { lineFinderAt } from './report-network';

export interface TraceGaps {
  reasons: string[];
  /** The stub server ran untouched the whole time: what reached it is in its events. */
  stubIntact: boolean;
}

const MB = 1024 * 1024;
const at = (line: number | null): string => (line === null ? '' : ` at line ${line}`);

export function traceGaps(raw: RawRun, byPid: Map<number, ReportProcess>, snippet: string, tracerKilled: boolean, unrecordedCalls: number): TraceGaps {
  const reasons: string[] = [];
  if (unrecordedCalls) reasons.push(`${unrecordedCalls} model command(s) ran that the stub server never recorded (the snippet stopped, killed or flooded it): their prompts and answers are unknown`);
  const dropped = raw.dropped;
  const lineOf = lineFinderAt(raw, byPid, snippet);

  if (raw.strace.skipped) reasons.push(`the process trace ran past its full volume: after that only processes were followed, so ${raw.strace.skipped} later refusals, file operations and connections are not listed`);
  if (dropped['process trace bytes']) reasons.push(`the process trace ran past its cap and its last ${Math.ceil(dropped['process trace bytes'] / MB)} MB were not read: later processes are missing too`);
  if (dropped.tracedProcesses) reasons.push(`${dropped.tracedProcesses} processes beyond the trace's cap were not followed`);
  if (raw.strace.unparsed) reasons.push(`${raw.strace.unparsed} line(s) of the process trace could not be read`);
  if (raw.xtrace.droppedSinks || dropped['line trace bytes']) reasons.push('the line trace ran past its cap: eval and source of model output after that may not be listed as executed');
  if (dropped.stubEvents || dropped['stub events bytes']) reasons.push('the stub server recorded more model calls and connections than the report keeps');
  const off = raw.xtrace.switchedOff.find((r) => r.source === snippet) ?? raw.xtrace.switchedOff[0];
  if (off) reasons.push(`the snippet switched its line trace off (\`${off.words.join(' ').slice(0, 40)}\`${at(off.source === snippet ? off.line : null)}): model output it ran after that may not be listed as executed`);

  // Fang's own processes: the pids init gave, and what the trace saw going to them.
  const helpers = raw.init.find((e) => e.t === 'helpers');
  const stubPid = helpers?.t === 'helpers' ? helpers.stub : null;
  const tracerPid = helpers?.t === 'helpers' ? helpers.tracer : null;
  const stubState = raw.init.find((e) => e.t === 'stub');
  let stubIntact = !(stubState && stubState.t === 'stub');
  for (const s of raw.strace.signals) {
    const who = s.target === stubPid ? 'stub server' : s.target === tracerPid ? 'tracer' : null;
    if (!who) continue;
    if (who === 'stub server') stubIntact = false;
    const what = s.syscall === 'pidfd_open' ? 'opened a handle to signal' : `sent ${s.signal} to`;
    const reason = `the snippet ${what} the sandbox's ${who}${at(lineOf(s.pid, s.time))}`;
    if (!reasons.includes(reason) && reasons.length < 20) reasons.push(reason);
  }
  if (stubState && stubState.t === 'stub') reasons.push(`the sandbox's stub server was ${stubState.state === 'gone' ? 'killed' : 'stopped'} by the snippet: model calls and network attempts after that were not recorded`);
  if (tracerKilled) reasons.push("the snippet killed the sandbox's tracer: what it did after that is not traced");
  return { reasons, stubIntact };
}
