/** Network attempts and refused actions, in the words the report uses. */
import type { RawRun } from './collect';
import type { Limits } from './limits';
import type { BlockedAction, FileChange, NetworkAttempt, ReportProcess } from './report-schema';
import type { XtraceRecord } from './xtrace-parser';

/** Ports where the stub listens; attempts there are reported from the stub's own events. */
const STUB_PORTS = new Set([53, 80, 443, 1234, 8080, 11434]);
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const MAX = 200;

/**
 * `stubIntact`: the stub server ran the whole time, so what reached its ports is in its own
 * events. When the snippet stopped or killed it, attempts at those ports are listed from the
 * trace instead, since nothing recorded what they carried.
 */
export function networkAttempts(raw: RawRun, stubIntact = true): NetworkAttempt[] {
  const out: NetworkAttempt[] = [];
  const seen = new Set<string>();
  const add = (n: NetworkAttempt): void => {
    const k = `${n.protocol}|${n.host}|${n.port}|${n.detail}`;
    if (seen.has(k) || out.length >= MAX) return;
    seen.add(k);
    out.push(n);
  };
  for (const e of raw.stub) {
    if (e.t === 'dns') add({ host: e.host, port: 53, protocol: 'dns', blocked: true, detail: 'DNS lookup answered by the sandbox (every name resolves to loopback)' });
    else if (e.t === 'tls') add({ host: e.host, port: e.port, protocol: 'https', blocked: true, detail: 'TLS connection reached the sandbox stub and was closed after the server name' });
    else if (e.t === 'http') add({ host: e.host, port: e.port, protocol: 'http', blocked: true, detail: `${e.method} ${e.path.slice(0, 200)} refused by the sandbox stub` });
    else if (e.t === 'model-http') add({ host: e.host, port: e.port, protocol: 'http', blocked: true, detail: `model API call ${e.method} ${e.path.slice(0, 200)} answered by the stub` });
  }
  for (const c of raw.strace.connects) {
    if (c.family === 'unix') {
      // glibc's user and host name lookups first try the nscd socket, with exactly these flags.
      if (c.syscall === 'socket' && c.socketType === 'SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK' && c.result === 'EACCES') {
        add({ host: '(unix socket: name-service cache)', port: null, protocol: 'unix', blocked: true, routine: true, detail: "refused like every unix socket; glibc's user and host name lookups try the nscd socket first, so this is routine and not counted in the verdict" });
        continue;
      }
      const what = c.syscall === 'socket' ? 'a unix socket' : `unix socket ${c.address || '(unnamed)'}`;
      const why = c.result === '0' ? 'reached a socket inside the sandbox' : c.result === 'EACCES' && c.syscall === 'socket' ? 'refused: no unix-socket connections out of the sandbox (seccomp)' : c.result;
      add({ host: c.address || '(unix socket)', port: null, protocol: 'unix', blocked: c.result !== '0', detail: `${c.syscall} ${what}: ${why}` });
      continue;
    }
    const loop = LOOPBACK.test(c.address);
    const atStub = loop && c.port !== null && STUB_PORTS.has(c.port);
    // The stub's own events have what reached it. It listens on 127.0.0.1 only, so a refusal
    // there means it was not running; at ::1 it is the resolver trying `localhost` in turn.
    if (atStub && stubIntact && (c.result !== 'ECONNREFUSED' || c.family === 'inet6')) continue;
    const why = atStub
      ? `${c.syscall}: aimed at the sandbox's stub server, ${c.result === 'ECONNREFUSED' ? 'which was not listening' : 'which the snippet had stopped'}: what it carried was not recorded`
      : c.result === 'ENETUNREACH'
        ? 'no route: the sandbox has only a loopback interface'
        : c.result === 'ECONNREFUSED' || (loop && c.result === 'EINPROGRESS')
          ? "nothing listens there inside the sandbox (its loopback is its own, not the host's)"
          : c.result === '0'
            ? loop
              ? "sent on the sandbox's own loopback, which no host process shares"
              : 'sent'
            : c.result;
    add({ host: c.address, port: c.port, protocol: c.datagram ? 'udp' : 'tcp', blocked: true, detail: `${c.syscall}: ${why}` });
  }
  return out;
}

const SIGNALS: Record<string, string> = { '1': 'SIGHUP', '2': 'SIGINT', '3': 'SIGQUIT', '9': 'SIGKILL', '15': 'SIGTERM', '17': 'SIGSTOP', '19': 'SIGSTOP', '18': 'SIGCONT' };

/** The signal and targets of a shell `kill` command's arguments. */
function killTargets(args: string[]): { signal: string; targets: string[] } {
  let signal = 'SIGTERM';
  let i = 0;
  if (args[0] === '-s' || args[0] === '-n') {
    signal = args[1] ?? signal;
    i = 2;
  } else if (args[0] && args[0] !== '--' && /^-[A-Za-z0-9+]+$/.test(args[0]) && args.length > 1) {
    signal = args[0].slice(1);
    i = 1;
  }
  if (args[i] === '--') i++;
  signal = SIGNALS[signal] ?? (/^SIG/i.test(signal) ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`);
  return { signal, targets: args.slice(i) };
}

function errnoText(errno: string): string {
  switch (errno) {
    case 'EROFS':
      return 'read-only file system: the host is mounted read-only';
    case 'EACCES':
      return 'permission denied: the sandbox runs as an unprivileged uid';
    case 'EPERM':
      return 'operation not permitted: the sandbox has no capabilities';
    case 'ENOENT':
      return 'not visible in the sandbox (hidden by an empty tmpfs or outside its namespaces)';
    case 'ESRCH':
      return 'no such process in the sandbox: host processes are invisible in its PID namespace';
    case 'INIT':
      return "delivered to the sandbox's own PID 1, which ignores it: host processes are out of reach";
    case 'ALL':
      return "reached only the sandbox's own processes: host processes are invisible in its PID namespace";
    case 'EAGAIN':
      return 'refused by the process limit';
    case 'EAFNOSUPPORT':
      return 'address family refused by the sandbox (seccomp): only IPv4, IPv6 and netlink, on its own loopback';
    case 'ENOSYS':
    case 'SECCOMP':
      return 'refused by the sandbox (seccomp)';
    case 'ENOTTY':
    case 'EIO':
      return 'no terminal: the sandbox runs in a new session without a controlling terminal';
    default:
      return errno;
  }
}

/**
 * The snippet line running when a traced syscall happened: the pid's latest xtrace record before
 * it (a failed redirection of a builtin has no process of its own), else its process's line.
 */
export function lineFinderAt(raw: RawRun, byPid: Map<number, ReportProcess>, snippet: string): (pid: number, time: number | null) => number | null {
  return (pid, time) => {
    if (time !== null) {
      let best: XtraceRecord | undefined;
      for (const r of raw.xtrace.records) if (r.pid === pid && r.time !== null && r.time <= time && (!best || r.time >= best.time!)) best = r;
      if (best) return best.source === snippet ? best.line : null;
    }
    for (let p: number | null = pid, i = 0; p !== null && i < 64; i++) {
      const shown = byPid.get(p);
      if (shown) return shown.line;
      p = raw.strace.processes.get(p)?.parent ?? null;
    }
    return null;
  };
}

export function describeBlocked(raw: RawRun, byPid: Map<number, ReportProcess>, network: NetworkAttempt[], fileChanges: FileChange[], limits: Limits, snippet: string): BlockedAction[] {
  const out: BlockedAction[] = [];
  const seen = new Set<string>();
  const add = (b: BlockedAction): void => {
    const k = `${b.kind}|${b.what}|${b.detail}`;
    if (seen.has(k) || out.length >= MAX) return;
    seen.add(k);
    out.push(b);
  };
  const lineOf = lineFinderAt(raw, byPid, snippet);
  let forks = 0;
  for (const a of raw.strace.blocked) {
    if (a.kind === 'process') {
      forks++;
      continue;
    }
    const what =
      a.kind === 'privilege' ? `${a.syscall} ${a.target}` : a.kind === 'write' ? `write to ${a.target}` : a.kind === 'read' ? `read of ${a.target}` : a.kind === 'signal' ? `signal to ${a.target}` : a.kind === 'tty' ? `terminal input injection (TIOCSTI) on ${a.target}` : `${a.syscall} ${a.target}`;
    const detail = a.kind === 'privilege' && a.errno === 'ENOSPC' ? 'refused: no further user namespaces may be created inside the sandbox' : errnoText(a.errno);
    add({ kind: a.kind, what, detail, pid: a.pid, line: lineOf(a.pid, a.time) });
  }
  // `kill -9 -1` also kills the tracer, often before it writes the line: the shell's own trace,
  // written before the command runs, has it.
  for (const r of raw.xtrace.records) {
    if (r.words[0] !== 'kill' || r.source !== snippet) continue;
    const k = killTargets(r.words.slice(1));
    for (const t of k.targets) {
      if (t !== '-1' && t !== '1') continue;
      add({ kind: 'signal', what: t === '1' ? `signal to pid 1 (${k.signal})` : `signal to every process (${k.signal})`, detail: errnoText(t === '1' ? 'INIT' : 'ALL'), pid: r.pid, line: r.line });
    }
  }
  if (forks) add({ kind: 'process', what: `${forks} new process(es)`, detail: `refused by the process limit (${limits.processes})`, pid: null, line: null });
  for (const n of network) if (!n.routine) add({ kind: 'network', what: `${n.protocol} ${n.host}${n.port === null ? '' : `:${n.port}`}`, detail: n.detail, pid: null, line: null });
  for (const f of fileChanges) {
    if (f.area === 'home') add({ kind: 'write', what: `write to ${f.path}`, detail: "went to the sandbox's throwaway home; the real home is untouched", pid: null, line: null });
  }
  const limitText: Record<string, string> = {
    time: `the run was stopped at the time limit (${limits.timeMs} ms)`,
    output: `output beyond ${limits.outputBytes} bytes per stream was cut and the run stopped`,
    disk: `the writable areas are capped at ${limits.tmpfsBytes} bytes each`,
    memory: `memory allocation beyond ${limits.memoryBytes} bytes per process was refused`,
  };
  for (const l of raw.limitsHit) if (limitText[l]) add({ kind: l as BlockedAction['kind'], what: `${l} limit`, detail: limitText[l]!, pid: null, line: null });
  return out;
}
