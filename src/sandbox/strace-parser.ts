/**
 * Reads `strace -f -o` output line by line (pid-prefixed, as strace writes it to a file or a
 * pipe) into a process table and the attempts the sandbox refused.
 *
 * Why strace: it sees every exec of every descendant, including programs the shell hook
 * cannot see (node's child_process, `xargs`, interpreters fed by a pipe), with real parents,
 * exit statuses and the errno of each refused syscall. `--seccomp-bpf` stops only the traced
 * syscalls, which keeps the cost of tracing to a few milliseconds for a small snippet.
 */

export interface TracedProcess {
  pid: number;
  /** The pid that cloned this one, when seen. */
  parent: number | null;
  /** Successful execs in order; a pid that never exec'd is a fork of its parent. */
  execs: Array<{ path: string; argv: string[] }>;
  exitCode: number | null;
  signal: string | null;
  thread: boolean;
  /** Order of first appearance. */
  seq: number;
}

export type BlockedKind = 'write' | 'read' | 'network' | 'signal' | 'tty' | 'socket' | 'process' | 'privilege';

export interface BlockedAttempt {
  kind: BlockedKind;
  pid: number;
  /** Seconds since the epoch (strace -ttt), to find the shell line that was running. */
  time: number | null;
  syscall: string;
  target: string;
  errno: string;
}

export interface ConnectAttempt {
  pid: number;
  /** Datagram (UDP) when the socket was made with SOCK_DGRAM in this process or an ancestor. */
  datagram: boolean;
  syscall: 'connect' | 'sendto' | 'socket';
  family: 'inet' | 'inet6' | 'unix';
  /** The address, or the socket's path for unix (`@name` for an abstract one, '' when unnamed). */
  address: string;
  port: number | null;
  /** 0 on success, or the errno name. */
  result: string;
  /** For a refused socket(): its type and flags as strace prints them. */
  socketType?: string;
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;
const REFUSED = new Set(['EROFS', 'EACCES', 'EPERM']);
const FILE_WRITES = new Set(['mkdir', 'mkdirat', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'symlink', 'symlinkat', 'link', 'linkat', 'creat', 'rmdir', 'chmod', 'fchmodat', 'truncate']);
const MAX_ITEMS = 2000;
/** Bounds on what the trace may hold: a snippet can fork and exec as fast as it likes. */
export const STRACE_CAPS = { processes: 5000, execsPerProcess: 4, args: 64, argChars: 1024 };
const MAX_PID = 4_194_304;

/** Decodes a C string body as strace prints it (`\n`, `\"`, `\303\251`, `\x1b`). */
export function decodeCString(body: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      const code = body.charCodeAt(i);
      if (code < 0x80) bytes.push(code);
      else bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '"': 34, '\\': 92, "'": 39 };
    if (n in simple) bytes.push(simple[n]!);
    else if (n === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))?.[0] ?? '';
      bytes.push(parseInt(hex || '0', 16));
      i += hex.length;
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else bytes.push(n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The quoted strings of an argument list, in order, and where each ends. */
export function quotedStrings(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"(\.\.\.)?/g;
  for (const m of text.matchAll(re)) out.push(decodeCString(m[1]!) + (m[2] ? '...' : ''));
  return out;
}

function resultOf(line: string): { ret: string; errno: string } {
  // strace pads the result column: `)             = -1 EROFS (Read-only file system)`.
  let at = -1;
  for (const m of line.matchAll(/\) +=\s/g)) at = m.index + m[0].length;
  if (at < 0) return { ret: '?', errno: '' };
  const m = /^\s*(-?\d+|\?|0x[0-9a-f]+)(?: (E[A-Z0-9]+))?/.exec(line.slice(at));
  return { ret: m?.[1] ?? '?', errno: m?.[2] ?? '' };
}

/** A signal that reached a process, or a pidfd opened on one (which can signal it untraced). */
export interface SignalSent {
  pid: number;
  time: number | null;
  syscall: string;
  target: number;
  signal: string;
}

export class StraceParser {
  readonly processes = new Map<number, TracedProcess>();
  readonly blocked: BlockedAttempt[] = [];
  readonly connects: ConnectAttempt[] = [];
  /** Signals delivered to a process the trace never saw (kill, tkill, tgkill), and pidfds opened on one. */
  readonly signals: SignalSent[] = [];
  rootPid: number | null = null;
  forkFailures = 0;
  /** Lines strace does not write: forged by the snippet (it can write into the tracer's pipe), dropped. */
  unparsed = 0;
  /** Processes beyond the cap, not tracked. */
  droppedProcesses = 0;
  /** A last line cut short (the tracer was stopped mid-line): not the snippet's doing, dropped. */
  cut = 0;
  /** Past a volume of trace, only processes (exec, clone, exit) and signals are read; the rest is counted here. */
  processesOnly = false;
  skipped = 0;
  private seq = 0;
  private time: number | null = null;
  private rest = '';
  private readonly pending = new Map<number, string>();
  /** Datagram sockets by "pid:fd" (the pid that made them; children look up their ancestors). */
  private readonly datagrams = new Set<string>();

  constructor(private readonly onExec?: (p: TracedProcess) => void, private readonly onExit?: (p: TracedProcess) => void) {}

  push(chunk: string): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    // strace -s 1024 keeps a line under ~4 MB (1024 strings of 1024 escaped bytes).
    if (this.rest.length > 8 * 1024 * 1024) {
      this.rest = '';
      this.unparsed++;
    }
    for (const l of lines) this.line(l);
  }

  end(): void {
    // strace writes whole lines; one without its newline was cut when the sandbox was stopped.
    if (this.rest.trim()) this.cut++;
    this.rest = '';
  }

  private proc(pid: number): TracedProcess | null {
    let p = this.processes.get(pid);
    if (!p) {
      if (this.processes.size >= STRACE_CAPS.processes) {
        this.droppedProcesses++;
        return null;
      }
      p = { pid, parent: null, execs: [], exitCode: null, signal: null, thread: false, seq: this.seq++ };
      this.processes.set(pid, p);
      if (this.rootPid === null) this.rootPid = pid;
    }
    return p;
  }

  line(raw: string): void {
    if (this.processesOnly && !STRUCTURAL.test(raw)) {
      this.skipped++;
      return;
    }
    const m = /^(\d+) +(?:(\d+\.\d+) +)?(.*)$/.exec(raw);
    if (!m) {
      if (raw.trim()) this.unparsed++;
      return;
    }
    const pid = Number(m[1]);
    if (pid < 1 || pid > MAX_PID) {
      this.unparsed++;
      return;
    }
    this.time = m[2] ? Number(m[2]) : null;
    let rest = m[3]!;
    if (rest.endsWith(' <unfinished ...>')) {
      this.pending.set(pid, rest.slice(0, -' <unfinished ...>'.length));
      return;
    }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      rest = (this.pending.get(pid) ?? `${resumed[1]}(`) + resumed[2];
      this.pending.delete(pid);
    }
    const p = this.proc(pid);
    if (!p) return;
    const exit = /^\+\+\+ (?:exited with (\d{1,3})|killed by (SIG\w+)(?: \(core dumped\))?) \+\+\+$/.exec(rest);
    if (exit) {
      if (exit[1] !== undefined) p.exitCode = Number(exit[1]);
      else p.signal = exit[2]!;
      this.onExit?.(p);
      return;
    }
    const call = /^(\w+)\((.*)$/.exec(rest);
    if (!call) {
      this.unparsed++;
      return;
    }
    const name = call[1]!;
    const args = call[2]!;
    const { ret, errno } = resultOf(rest);
    this.syscall(p, name, args, ret, errno);
  }

  private signal(p: TracedProcess, syscall: string, target: number, signal: string): void {
    // The snippet's own processes are all traced; a pid the trace never saw is one of the sandbox's.
    if (signal !== '0' && !this.processes.has(target)) this.add(this.signals, { pid: p.pid, time: this.time, syscall, target, signal });
  }

  private isDatagram(p: TracedProcess, fd: number): boolean {
    for (let q: TracedProcess | undefined = p, i = 0; q && i < 64; q = q.parent === null ? undefined : this.processes.get(q.parent), i++) {
      if (this.datagrams.has(`${q.pid}:${fd}`)) return true;
    }
    return false;
  }

  private add<T>(list: T[], item: T): void {
    if (list.length < MAX_ITEMS) list.push(item);
  }

  private block(b: Omit<BlockedAttempt, 'time'>): void {
    this.add(this.blocked, { ...b, time: this.time });
  }

  private syscall(p: TracedProcess, name: string, args: string, ret: string, errno: string): void {
    switch (name) {
      case 'execve':
      case 'execveat': {
        if (ret !== '0') return;
        const strings = quotedStrings(args.slice(0, args.indexOf('], ') >= 0 ? args.indexOf('], ') + 1 : args.length));
        const path = (strings[0] ?? '').slice(0, STRACE_CAPS.argChars);
        const all = strings.slice(1);
        const argv = all.slice(0, STRACE_CAPS.args).map((a) => (a.length > STRACE_CAPS.argChars ? `${a.slice(0, STRACE_CAPS.argChars)}…` : a));
        if (all.length > STRACE_CAPS.args) argv.push(`… (${all.length - STRACE_CAPS.args} more arguments)`);
        // The first execs and the last one are what the report uses.
        if (p.execs.length >= STRACE_CAPS.execsPerProcess) p.execs.pop();
        p.execs.push({ path, argv });
        this.onExec?.(p);
        return;
      }
      case 'clone':
      case 'clone3':
      case 'fork':
      case 'vfork': {
        if (errno) {
          if (errno === 'EAGAIN') {
            this.forkFailures++;
            this.block({ kind: 'process', pid: p.pid, syscall: name, target: 'new process', errno });
          } else if (errno === 'EPERM' && name === 'clone') {
            // The filter refuses a child outside the tracer (CLONE_UNTRACED) or a new user namespace.
            const flags = /flags=([A-Z_|0-9]+)/.exec(args)?.[1]?.split('|').filter((f) => f === 'CLONE_UNTRACED' || f === 'CLONE_NEWUSER') ?? [];
            this.block({ kind: 'privilege', pid: p.pid, syscall: name, target: flags.join('|') || 'with refused flags', errno: 'SECCOMP' });
          }
          return;
        }
        const child = Number(ret);
        if (!Number.isInteger(child) || child <= 0 || child > MAX_PID) return;
        const c = this.proc(child);
        if (!c) return;
        c.parent = p.pid;
        if (/CLONE_THREAD/.test(args)) c.thread = true;
        return;
      }
      case 'connect':
      case 'sendto':
      case 'sendmsg':
      case 'sendmmsg': {
        const inet = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([\d.]+)"\)/.exec(args);
        const inet6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"/.exec(args);
        const hit = inet ?? inet6;
        const syscall = name === 'connect' ? 'connect' : 'sendto';
        const datagram = syscall === 'sendto' || this.isDatagram(p, Number(/^(\d+)/.exec(args)?.[1]));
        if (hit) {
          this.add(this.connects, { pid: p.pid, datagram, syscall, family: inet ? 'inet' : 'inet6', address: hit[2]!, port: Number(hit[1]), result: errno || '0' });
          return;
        }
        const unix = /sa_family=AF_UNIX(?:, sun_path=(@?)"((?:[^"\\]|\\.)*)")?/.exec(args);
        if (unix) this.add(this.connects, { pid: p.pid, datagram, syscall, family: 'unix', address: unix[2] === undefined ? '' : `${unix[1]}${decodeCString(unix[2])}`, port: null, result: errno || '0' });
        return;
      }
      case 'open':
      case 'openat': {
        if (!errno) return;
        const path = quotedStrings(args)[0] ?? '';
        const writing = WRITE_FLAGS.test(args);
        if (REFUSED.has(errno) || (!writing && errno === 'ENOENT' && sensitiveRead(path))) {
          this.block({ kind: writing ? 'write' : 'read', pid: p.pid, syscall: name, target: path, errno });
        }
        return;
      }
      case 'tkill':
      case 'tgkill': {
        const m = name === 'tkill' ? /^(\d+), (\w+)/.exec(args) : /^(\d+), \d+, (\w+)/.exec(args);
        if (m && !errno && Number(m[1]) > 1) this.signal(p, name, Number(m[1]), m[2]!);
        return;
      }
      case 'pidfd_open': {
        const m = /^(\d+),/.exec(args);
        if (m && !errno && Number(m[1]) > 1) this.signal(p, name, Number(m[1]), 'pidfd');
        return;
      }
      case 'ptrace': {
        const m = /^(PTRACE_\w+), (\d+)/.exec(args);
        if (m && errno) this.block({ kind: 'privilege', pid: p.pid, syscall: name, target: `${m[1]} pid ${m[2]}`, errno });
        return;
      }
      case 'keyctl':
      case 'add_key':
      case 'request_key': {
        if (errno) this.block({ kind: 'privilege', pid: p.pid, syscall: name, target: 'the kernel keyrings', errno });
        return;
      }
      case 'kill': {
        const km = /^(-?\d+), (\w+)/.exec(args);
        if (km && !errno && Number(km[1]) > 1) this.signal(p, name, Number(km[1]), km[2]!);
        if (!errno) {
          // Allowed calls that still show intent: at the sandbox's init, or at every process.
          if (km && (km[1] === '1' || km[1] === '-1') && km[2] !== '0') {
            this.block({ kind: 'signal', pid: p.pid, syscall: name, target: km[1] === '1' ? `pid 1 (${km[2]})` : `every process (${km[2]})`, errno: km[1] === '1' ? 'INIT' : 'ALL' });
          }
          return;
        }
        this.block({ kind: 'signal', pid: p.pid, syscall: name, target: km ? `pid ${km[1]} (${km[2]})` : args.slice(0, 40), errno });
        return;
      }
      case 'ioctl': {
        if (/TIOCSTI/.test(args)) this.block({ kind: 'tty', pid: p.pid, syscall: 'ioctl TIOCSTI', target: `fd ${args.split(',')[0]}`, errno: errno || 'none' });
        return;
      }
      case 'mount':
      case 'umount2':
      case 'unshare':
      case 'setns':
      case 'chroot':
      case 'pivot_root': {
        if (errno) this.block({ kind: 'privilege', pid: p.pid, syscall: name, target: name === 'mount' ? quotedStrings(args).slice(0, 2).join(' on ') : args.replace(/\)\s+=.*$/, ''), errno });
        return;
      }
      case 'socket': {
        if (!errno) {
          if (/^AF_INET6?, SOCK_DGRAM\b/.test(args) && this.datagrams.size < MAX_ITEMS) this.datagrams.add(`${p.pid}:${ret}`);
          return;
        }
        // A unix socket refused by the sandbox's filter is a connection attempt that never got a path.
        if (/^AF_UNIX\b/.test(args)) this.add(this.connects, { pid: p.pid, datagram: /SOCK_DGRAM/.test(args), syscall: 'socket', family: 'unix', address: '', port: null, result: errno, socketType: args.split(', ')[1] ?? '' });
        else this.block({ kind: 'socket', pid: p.pid, syscall: name, target: args.split(', ').slice(0, 2).join(', '), errno });
        return;
      }
      default:
        if (FILE_WRITES.has(name) && REFUSED.has(errno)) {
          this.block({ kind: 'write', pid: p.pid, syscall: name, target: quotedStrings(args).join(' -> '), errno });
        }
    }
  }
}

/** Lines that make the process tree, and signals: what is read of a trace past its full volume. */
const STRUCTURAL = /^\d+ +(?:\d+\.\d+ +)?(?:\+\+\+ |(?:execve|execveat|clone|clone3|fork|vfork|kill|tkill|tgkill|pidfd_open)\(|<\.\.\. (?:execve|execveat|clone|clone3|fork|vfork) resumed>)/;

/** Reads that fail only because the sandbox hides the file are worth naming. */
function sensitiveRead(path: string): boolean {
  return /(^|\/)\.(ssh|aws|gnupg|kube|docker|netrc|config\/gcloud)(\/|$)|\/environ$|\/etc\/shadow|(^|\/)\.(bash_history|git-credentials)$/.test(path);
}

/** The syscalls the tracer stops on; everything else runs at full speed. */
export const TRACED_SYSCALLS = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork',
  'connect', 'sendto', 'sendmsg', 'sendmmsg', 'socket',
  'open', 'openat', 'creat', 'mkdir', 'mkdirat', 'unlink', 'unlinkat', 'rmdir', 'rename', 'renameat', 'renameat2',
  'symlink', 'symlinkat', 'link', 'linkat', 'chmod', 'fchmodat', 'truncate',
  'kill', 'tkill', 'tgkill', 'pidfd_open', 'ptrace', 'ioctl',
  'keyctl', 'add_key', 'request_key',
  'mount', 'umount2', 'unshare', 'setns', 'chroot', 'pivot_root',
];
