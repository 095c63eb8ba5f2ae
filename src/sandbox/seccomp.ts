/**
 * The seccomp filter bubblewrap loads before the sandbox's first process (`--seccomp FD`): a
 * classic BPF program, generated here (no native module), that every process inside inherits.
 *
 * What it refuses, and why:
 *  - socket(AF_UNIX): a read-only mount does not stop connect() to a unix socket, and any host
 *    socket on a path the sandbox can see would answer. (socketpair stays: node, libuv and
 *    shells use it for pipes; a datagram socketpair is refused because sendto() on it can name
 *    any socket path.) The refusal is EACCES, traced by strace and reported under network.
 *  - every other address family but IPv4, IPv6 and netlink (EAFNOSUPPORT): the network namespace
 *    holds only those; AF_VSOCK reaches the hypervisor and other VMs whatever the namespace, and
 *    the rarer families (TIPC, RDS, CAN, ...) are kernel code no snippet needs.
 *  - clone with CLONE_UNTRACED: the child would run outside the tracer, invisible to the report.
 *  - the kernel keyrings (add_key, request_key, keyctl): the sandbox would inherit Fang's session
 *    keyring, and as the caller's uid reach the user keyring, with whatever tokens they hold.
 *  - new user namespaces (clone/unshare with CLONE_NEWUSER; clone3, whose flags a filter
 *    cannot read, answers ENOSYS so glibc falls back to clone): a nested namespace could mount
 *    its own unbounded tmpfs.
 *  - memfd_create, SysV shmget, io_uring, bpf, perf_event_open, userfaultfd: memory that no
 *    mount cap bounds, or a way around this filter and the tracer.
 *  - another architecture's system calls (i386 or x32 on x86-64), which would bypass the numbers
 *    below.
 */

export type SeccompArch = 'x64' | 'arm64';

interface ArchTable {
  audit: number;
  /** Syscall numbers at or above this are another ABI (x32), refused. */
  abiLimit: number | null;
  nr: Record<'socket' | 'socketpair' | 'clone' | 'clone3' | 'unshare' | 'memfd_create' | 'shmget' | 'io_uring_setup' | 'io_uring_enter' | 'io_uring_register' | 'bpf' | 'perf_event_open' | 'userfaultfd' | 'add_key' | 'request_key' | 'keyctl', number>;
}

const ARCHES: Record<SeccompArch, ArchTable> = {
  x64: {
    audit: 0xc000003e,
    abiLimit: 0x40000000,
    nr: { socket: 41, socketpair: 53, clone: 56, clone3: 435, unshare: 272, memfd_create: 319, shmget: 29, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, bpf: 321, perf_event_open: 298, userfaultfd: 323, add_key: 248, request_key: 249, keyctl: 250 },
  },
  arm64: {
    audit: 0xc00000b7,
    abiLimit: null,
    nr: { socket: 198, socketpair: 199, clone: 220, clone3: 435, unshare: 97, memfd_create: 279, shmget: 194, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, bpf: 280, perf_event_open: 241, userfaultfd: 282, add_key: 217, request_key: 218, keyctl: 219 },
  },
};

const LD_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const JSET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const AND = 0x54; // BPF_ALU | BPF_AND | BPF_K
const RET = 0x06; // BPF_RET | BPF_K

const ALLOW = 0x7fff0000;
const errno = (e: number): number => 0x00050000 | e;
const EPERM = 1;
const EACCES = 13;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const CLONE_NEWUSER = 0x10000000;
const CLONE_UNTRACED = 0x00800000;

// struct seccomp_data: nr at 0, arch at 4, args[i] at 16 + 8 i (low word first on little-endian).
const NR = 0;
const ARCH = 4;
const arg = (i: number): number => 16 + 8 * i;

type Insn = { code: number; k: number; jt?: string; jf?: string } | { label: string };

/** Resolves labels to the relative jumps BPF wants (forward only, at most 255). */
function assemble(prog: Insn[]): Buffer {
  const code = prog.filter((i): i is Exclude<Insn, { label: string }> => !('label' in i));
  const at = new Map<string, number>();
  let n = 0;
  for (const i of prog) {
    if ('label' in i) at.set(i.label, n);
    else n++;
  }
  const buf = Buffer.alloc(code.length * 8);
  code.forEach((ins, idx) => {
    const rel = (l: string | undefined): number => {
      if (l === undefined) return 0;
      const target = at.get(l);
      if (target === undefined) throw new Error(`seccomp: no label ${l}`);
      const off = target - idx - 1;
      if (off < 0 || off > 255) throw new Error(`seccomp: jump to ${l} out of range`);
      return off;
    };
    buf.writeUInt16LE(ins.code, idx * 8);
    buf.writeUInt8(rel(ins.jt), idx * 8 + 2);
    buf.writeUInt8(rel(ins.jf), idx * 8 + 3);
    buf.writeUInt32LE(ins.k >>> 0, idx * 8 + 4);
  });
  return buf;
}

/** The filter for this machine's architecture, or null where there is none (the report says so). */
export function seccompProgram(arch: string = process.arch): Buffer | null {
  const t = ARCHES[arch as SeccompArch];
  if (!t) return null;
  const refuse: Array<[number, number]> = [
    [t.nr.clone3, ENOSYS],
    [t.nr.memfd_create, ENOSYS],
    [t.nr.shmget, ENOSYS],
    [t.nr.io_uring_setup, ENOSYS],
    [t.nr.io_uring_enter, ENOSYS],
    [t.nr.io_uring_register, ENOSYS],
    [t.nr.bpf, EPERM],
    [t.nr.perf_event_open, EPERM],
    [t.nr.userfaultfd, EPERM],
    [t.nr.add_key, ENOSYS],
    [t.nr.request_key, ENOSYS],
    [t.nr.keyctl, ENOSYS],
  ];
  const p: Insn[] = [
    { code: LD_ABS, k: ARCH },
    { code: JEQ, k: t.audit, jt: 'native', jf: 'enosys' },
    { label: 'native' },
    { code: LD_ABS, k: NR },
    ...(t.abiLimit === null ? [] : [{ code: JGE, k: t.abiLimit, jt: 'enosys', jf: 'abi-ok' }, { label: 'abi-ok' }]),
    { code: JEQ, k: t.nr.socket, jt: 'socket' },
    { code: JEQ, k: t.nr.socketpair, jt: 'socketpair' },
    { code: JEQ, k: t.nr.clone, jt: 'ns-flags' },
    { code: JEQ, k: t.nr.unshare, jt: 'ns-flags' },
    ...refuse.map(([nr, e]) => ({ code: JEQ, k: nr, jt: `errno-${e}` })),
    { code: RET, k: ALLOW },
    { label: 'socket' },
    { code: LD_ABS, k: arg(0) },
    { code: JEQ, k: AF_UNIX, jt: `errno-${EACCES}` },
    { code: JEQ, k: AF_INET, jt: 'allow' },
    { code: JEQ, k: AF_INET6, jt: 'allow' },
    { code: JEQ, k: AF_NETLINK, jt: 'allow' },
    { code: RET, k: errno(EAFNOSUPPORT) },
    { label: 'socketpair' },
    { code: LD_ABS, k: arg(0) },
    { code: JEQ, k: AF_UNIX, jf: 'allow' },
    { code: LD_ABS, k: arg(1) },
    { code: AND, k: 0xf },
    { code: JEQ, k: SOCK_DGRAM, jt: `errno-${EACCES}` },
    { code: RET, k: ALLOW },
    { label: 'ns-flags' },
    { code: LD_ABS, k: arg(0) },
    { code: JSET, k: CLONE_NEWUSER | CLONE_UNTRACED, jt: `errno-${EPERM}` },
    { label: 'allow' },
    { code: RET, k: ALLOW },
    { label: 'enosys' },
    { label: `errno-${ENOSYS}` },
    { code: RET, k: errno(ENOSYS) },
    { label: `errno-${EPERM}` },
    { code: RET, k: errno(EPERM) },
    { label: `errno-${EACCES}` },
    { code: RET, k: errno(EACCES) },
  ];
  return assemble(p);
}
