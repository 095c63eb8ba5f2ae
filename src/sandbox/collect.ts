/**
 * Starts one prepared sandbox and collects what comes out of it: the snippet's output (capped),
 * the stub server's and the init script's events (validated), the strace and xtrace streams,
 * and the manifest. Enforces the wall time and output limits, ends the run when the snippet's
 * root process is gone, and kills the whole sandbox at once on cancellation.
 */
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { BackendInfo } from './backend';
import type { LaunchMessage, Launcher } from './launcher';
import type { LimitName, Limits } from './limits';
import { StraceParser, type TracedProcess } from './strace-parser';
import { JsonLineReader, clipStubEvent, initEventSchema, stubEventSchema, type InitEvent, type StubEvent } from './trace-events';
import { XtraceParser } from './xtrace-parser';

/** Live events for the editor; the same facts end up in the report. */
export type TraceEvent =
  | { type: 'exec'; pid: number; parent: number | null; argv: string[] }
  | { type: 'exit'; pid: number; exitCode: number | null; signal: string | null }
  | { type: 'stub'; event: StubEvent }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'limit'; limit: LimitName }
  /** The sandbox is up: its init's host pid and its PID namespace (`pid:[inode]`). */
  | { type: 'sandbox'; initPid: number; pidNamespace: string | null };

export interface RawRun {
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  stub: StubEvent[];
  init: InitEvent[];
  strace: StraceParser;
  xtrace: XtraceParser;
  /** The listing of the writable areas, maybe cut short (see `listed` in init). */
  manifest: string;
  limitsHit: Set<LimitName>;
  /** Processes still running after the snippet's root ended, stopped by Fang. */
  leftoversStopped: boolean;
  hardKilled: boolean;
  durationMs: number;
  notes: string[];
  /** Trace lines that did not parse: the snippet wrote into its own trace. Dropped. */
  tampered: number;
  /** What was left out to keep the report bounded, by part. */
  dropped: Record<string, number>;
}

export class DryRunCancelled extends Error {
  constructor() {
    super('the dry-run was cancelled');
    this.name = 'AbortError';
  }
}

/** How long background processes may outlive the snippet's root before they are stopped. */
const SETTLE_MS = 300;
/** How long the sandbox gets to stop on request before it is killed outright. */
const STOP_GRACE_MS = 700;
const MANIFEST_CAP = 8 * 1024 * 1024;
const MAX_STUB_EVENTS = 2000;
/** Bytes of each trace channel read; the rest is counted and dropped (a snippet can flood them). */
const CHANNEL_CAP: Record<number, number> = { 3: 32 * 1024 * 1024, 4: 1024 * 1024 * 1024, 5: 32 * 1024 * 1024, 6: 1024 * 1024 };
/** Bytes of the process trace read in full; beyond, only processes are followed (a flood of refused opens must not hide an exec after it). */
const STRACE_FULL_BYTES = 64 * 1024 * 1024;

export function collect(
  launcher: Launcher,
  message: LaunchMessage,
  info: BackendInfo,
  limits: Limits,
  opts: { signal?: AbortSignal; onEvent?: (e: TraceEvent) => void },
): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      launcher.abort();
      reject(new DryRunCancelled());
      return;
    }
    const started = Date.now();
    const notes: string[] = [];
    const limitsHit = new Set<LimitName>();
    const stub: StubEvent[] = [];
    const init: InitEvent[] = [];
    const emit = (e: TraceEvent): void => {
      try {
        opts.onEvent?.(e);
      } catch {
        /* a listener's failure must not stop the run */
      }
    };
    let rootEnded = false;
    const strace = new StraceParser(
      (p: TracedProcess) => emit({ type: 'exec', pid: p.pid, parent: p.parent, argv: p.execs[p.execs.length - 1]?.argv ?? [] }),
      (p: TracedProcess) => {
        emit({ type: 'exit', pid: p.pid, exitCode: p.exitCode, signal: p.signal });
        if (p.pid === strace.rootPid && !rootEnded) {
          rootEnded = true;
          settleTimer = setTimeout(() => {
            leftoversStopped = true;
            requestStop();
          }, SETTLE_MS);
        }
      },
    );
    const xtrace = new XtraceParser();
    let stubDropped = 0;
    const stubReader = new JsonLineReader(stubEventSchema, (e) => {
      if (stub.length >= MAX_STUB_EVENTS) {
        stubDropped++;
        return;
      }
      const clipped = clipStubEvent(e);
      stub.push(clipped);
      emit({ type: 'stub', event: clipped });
    });
    const initText: string[] = [];
    const initReader = new JsonLineReader(initEventSchema, (e) => init.push(e), (line) => initText.length < 20 && initText.push(line.slice(0, 500)));
    const manifestChunks: Buffer[] = [];
    let manifestBytes = 0;
    let leftoversStopped = false;
    let hardKilled = false;
    let stopRequested = false;
    let settleTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const child = launcher.child;
    const stdio = child.stdio as unknown as Array<Readable | Writable | null>;
    // bwrap writes {"child-pid": N} on fd 7: the host pid of init, PID 1 inside.
    let initPid: number | null = null;
    let infoText = '';
    const infoStream = stdio[7] as Readable;
    infoStream.setEncoding('utf8');
    infoStream.on('data', (s: string) => {
      infoText += s;
      const m = /"child-pid"\s*:\s*(\d+)/.exec(infoText);
      if (m && initPid === null) {
        initPid = Number(m[1]);
        let pidNamespace: string | null = null;
        try {
          pidNamespace = fs.readlinkSync(`/proc/${initPid}/ns/pid`);
        } catch {
          /* already gone, or not ours to read */
        }
        emit({ type: 'sandbox', initPid, pidNamespace });
      }
    });

    const hardKill = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      hardKilled = true;
      // SIGKILL to the sandbox's PID 1 ends its PID namespace: the kernel kills every process
      // in it and init's exit waits for all of them, so bwrap (and 'close' here) come after the
      // last one is gone. Without init's pid yet, the process group goes (bwrap's
      // --die-with-parent takes the sandbox with it).
      try {
        if (initPid === null) throw new Error('no init pid yet');
        process.kill(initPid, 'SIGKILL');
      } catch {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    };
    const requestStop = (): void => {
      if (stopRequested) return;
      stopRequested = true;
      try {
        if (initPid === null) throw new Error('no init pid yet');
        process.kill(initPid, 'SIGUSR1');
      } catch {
        hardKill();
        return;
      }
      killTimer = setTimeout(hardKill, STOP_GRACE_MS);
    };
    const hit = (limit: LimitName): void => {
      if (!limitsHit.has(limit)) emit({ type: 'limit', limit });
      limitsHit.add(limit);
      requestStop();
    };
    const wallTimer = setTimeout(() => hit('time'), limits.timeMs);
    const onAbort = (): void => {
      notes.push('cancelled');
      hardKill();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const size = { stdout: 0, stderr: 0 };
    const truncated = { stdout: false, stderr: false };
    for (const [name, fd] of [['stdout', 1], ['stderr', 2]] as const) {
      (stdio[fd] as Readable).on('data', (c: Buffer) => {
        const room = limits.outputBytes - size[name];
        if (room > 0) out[name].push(c.length > room ? c.subarray(0, room) : c);
        size[name] += c.length;
        if (room > 0) emit({ type: 'output', stream: name, text: c.subarray(0, Math.max(0, room)).toString('utf8') });
        if (size[name] > limits.outputBytes) {
          truncated[name] = true;
          hit('output');
        }
      });
    }
    // A fault in a reader must not take the host process down: it becomes a note, and the
    // run goes on (the sandbox is stopped like at any limit).
    const faults = new Set<string>();
    const channelBytes: Record<number, number> = {};
    const channelDropped: Record<number, number> = {};
    const text = (fd: number, onText: (s: string) => void): void => {
      const s = stdio[fd] as Readable;
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        channelBytes[fd] = (channelBytes[fd] ?? 0) + chunk.length;
        if (channelBytes[fd]! > (CHANNEL_CAP[fd] ?? Infinity)) {
          channelDropped[fd] = (channelDropped[fd] ?? 0) + chunk.length;
          return;
        }
        try {
          onText(chunk);
        } catch (e) {
          if (!faults.has(String(fd))) notes.push(`internal error reading trace channel ${fd}: ${(e as Error).message}`);
          faults.add(String(fd));
          requestStop();
        }
      });
    };
    text(3, (s) => stubReader.push(s));
    text(4, (s) => {
      if (!strace.processesOnly && channelBytes[4]! > STRACE_FULL_BYTES) strace.processesOnly = true;
      strace.push(s);
      // A refused fork is the process limit at work; like every limit, it ends the run.
      if (strace.forkFailures > 0 && !limitsHit.has('processes')) hit('processes');
    });
    // Debugging aid: FANG_DEBUG_STRACE=FILE keeps the raw strace output.
    const rawStrace = process.env.FANG_DEBUG_STRACE;
    if (rawStrace) text(4, (s) => fs.appendFileSync(rawStrace, s));
    text(5, (s) => xtrace.push(s));
    text(6, (s) => initReader.push(s));
    (stdio[8] as Readable).on('data', (c: Buffer) => {
      manifestBytes += c.length;
      if (manifestBytes <= MANIFEST_CAP) manifestChunks.push(c);
    });

    child.on('error', (err) => {
      clearTimeout(wallTimer);
      reject(new Error(`cannot start ${info.name}: ${err.message}`));
    });
    // Everything listens: the sandbox may start.
    launcher.go(message);
    child.on('close', () => {
      clearTimeout(wallTimer);
      clearTimeout(settleTimer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      stubReader.end();
      initReader.end();
      strace.end();
      xtrace.end();
      if (opts.signal?.aborted) {
        reject(new DryRunCancelled());
        return;
      }
      if (stubDropped) notes.push(`${stubDropped} further stub event(s) beyond ${MAX_STUB_EVENTS} were not kept`);
      const names: Record<number, string> = { 3: 'stub events', 4: 'process trace', 5: 'line trace', 6: 'sandbox messages' };
      for (const [fd, n] of Object.entries(channelDropped)) notes.push(`the ${names[Number(fd)]} ran past ${CHANNEL_CAP[Number(fd)]} bytes: the remaining ${n} bytes were not read`);
      // The process trace comes straight from strace (no process the snippet can reach writes it):
      // a line the parser cannot read is a gap in the trace (report-gaps.ts), not tampering.
      const tampered = xtrace.rejected + stubReader.rejected + initReader.rejected;
      if (xtrace.rejected) notes.push(`${xtrace.rejected} record(s) of the line trace were malformed (the snippet can write into it) and were dropped`);
      if (stubReader.rejected) notes.push(`${stubReader.rejected} malformed stub event(s) were dropped`);
      if (initReader.rejected) notes.push(`${initReader.rejected} malformed sandbox message(s) were dropped`);
      const dropped: Record<string, number> = {};
      if (stubDropped) dropped.stubEvents = stubDropped;
      if (strace.droppedProcesses) dropped.tracedProcesses = strace.droppedProcesses;
      if (strace.skipped) dropped.processTraceLinesSkipped = strace.skipped;
      if (xtrace.dropped) dropped.lineTraceRecords = xtrace.dropped;
      for (const [fd, n] of Object.entries(channelDropped)) dropped[`${names[Number(fd)]} bytes`] = n;
      for (const l of initText) notes.push(`sandbox: ${l}`);
      if (manifestBytes > MANIFEST_CAP) notes.push(`the listing of files left in the sandbox was longer than ${MANIFEST_CAP} bytes and was cut`);
      resolve({
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        stdoutTruncated: truncated.stdout,
        stderrTruncated: truncated.stderr,
        stub,
        init,
        strace,
        xtrace,
        manifest: Buffer.concat(manifestChunks).toString('utf8'),
        limitsHit,
        leftoversStopped,
        hardKilled,
        durationMs: Date.now() - started,
        notes,
        tampered,
        dropped,
      });
    });
  });
}
