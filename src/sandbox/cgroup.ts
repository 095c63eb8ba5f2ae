/**
 * A bound on the whole sandbox's memory (every process, tmpfs page, memfd and kernel object it
 * charges), where the machine offers one. Per-process address-space limits are not a total.
 *
 * In order of preference:
 *  - cgroup v2: a new group next to Fang's own, when that parent enables the memory controller
 *    for its children and Fang may write there (root, or a delegated subtree);
 *  - cgroup v1: a child of Fang's own memory cgroup, when Fang may write there (root);
 *  - systemd: `systemd-run --user --scope -p MemoryMax=` (or the system manager as root), when
 *    a systemd manager answers;
 *  - none: the report says so, and the per-process and per-mount caps are all there is.
 *
 * Group folders are named `fang-<pid>-<start>-<random>` after the Fang process; empty ones left
 * by a Fang that is gone are removed on the next start.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from './backend';
import { ownerAlive, ownerTag } from './run-folder';

export type MemoryBoundKind = 'cgroup-v2' | 'cgroup-v1' | 'systemd-scope' | 'none';

export interface MemoryGroup {
  kind: MemoryBoundKind;
  limitBytes: number | null;
  /** The file the launcher writes its child's pid into (cgroup.procs), or null. */
  procsFile: string | null;
  /** Command prefix that runs the sandbox in a bounded scope (systemd-run), or []. */
  prefix: string[];
  detail: string;
  /** Peak use and OOM kills once the run is over (null where the machine does not say). */
  finish(): { peakBytes: number | null; oomKills: number; limitHits: number };
}

interface Probe {
  kind: MemoryBoundKind;
  base: string | null;
  detail: string;
}

const V2_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
const V1_ROOT = '/sys/fs/cgroup/memory';

function read(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Fang's own cgroups: the v2 path ("0::/x") and the v1 memory path ("N:memory:/x"). */
function ownGroups(): { v2: string | null; v1: string | null } {
  const text = read('/proc/self/cgroup') ?? '';
  let v2: string | null = null;
  let v1: string | null = null;
  for (const line of text.split('\n')) {
    const [, controllers, p] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (p === undefined) continue;
    if (controllers === '') v2 = p;
    else if (controllers!.split(',').includes('memory')) v1 = p;
  }
  return { v2, v1 };
}

function probe(): Probe {
  const own = ownGroups();
  if (own.v2 !== null) {
    for (const root of V2_ROOTS) {
      if (!read(path.join(root, 'cgroup.controllers'))) continue;
      const parent = path.join(root, path.posix.dirname(own.v2));
      const sub = read(path.join(parent, 'cgroup.subtree_control')) ?? '';
      if (own.v2 !== '/' && sub.split(/\s+/).includes('memory') && writable(parent)) return { kind: 'cgroup-v2', base: parent, detail: `cgroup v2 memory.max under ${parent}` };
    }
  }
  if (own.v1 !== null) {
    const dir = path.join(V1_ROOT, own.v1);
    if (read(path.join(dir, 'memory.limit_in_bytes')) !== null && writable(dir)) return { kind: 'cgroup-v1', base: dir, detail: `cgroup v1 memory.limit_in_bytes under ${dir}` };
  }
  const systemdRun = which('systemd-run');
  if (systemdRun) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const runtime = process.env.XDG_RUNTIME_DIR;
    if (root ? fs.existsSync('/run/systemd/system') : runtime && fs.existsSync(path.join(runtime, 'systemd', 'private'))) {
      return { kind: 'systemd-scope', base: null, detail: `systemd-run ${root ? '' : '--user '}--scope -p MemoryMax` };
    }
  }
  return { kind: 'none', base: null, detail: 'no cgroup memory controller is available to Fang here (neither a writable cgroup nor a systemd manager)' };
}

let cached: Probe | undefined;
function probed(): Probe {
  if (!cached) {
    cached = probe();
    if (cached.base) sweepGroups(cached.base);
  }
  return cached;
}

/** Removes empty groups left by Fang processes that are gone. */
function sweepGroups(base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^fang-(\d+-\d+)-[0-9a-f]+$/.exec(n);
    if (!m || ownerAlive(m[1]!)) continue;
    try {
      fs.rmdirSync(path.join(base, n));
    } catch {
      /* still has processes, or already gone */
    }
  }
}

function num(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text.trim().split('\n')[0]);
  return Number.isFinite(n) ? n : null;
}

function field(text: string | null, name: string): number {
  const m = text ? new RegExp(`^${name} (\\d+)$`, 'm').exec(text) : null;
  return m ? Number(m[1]) : 0;
}

/** A fresh memory group for one run, or the reason there is none. */
export function memoryGroup(limitBytes: number): MemoryGroup {
  const p = probed();
  const none = (detail: string): MemoryGroup => ({ kind: 'none', limitBytes: null, procsFile: null, prefix: [], detail, finish: () => ({ peakBytes: null, oomKills: 0, limitHits: 0 }) });
  if (p.kind === 'none') return none(p.detail);
  if (p.kind === 'systemd-scope') {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    return {
      kind: 'systemd-scope',
      limitBytes,
      procsFile: null,
      prefix: [which('systemd-run')!, ...(root ? [] : ['--user']), '--scope', '--quiet', '--collect', '-p', `MemoryMax=${limitBytes}`, '-p', 'MemorySwapMax=0', '--'],
      detail: p.detail,
      finish: () => ({ peakBytes: null, oomKills: 0, limitHits: 0 }),
    };
  }
  const dir = path.join(p.base!, `fang-${ownerTag()}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(dir);
    if (p.kind === 'cgroup-v2') {
      fs.writeFileSync(path.join(dir, 'memory.max'), String(limitBytes));
      try {
        fs.writeFileSync(path.join(dir, 'memory.swap.max'), '0');
      } catch {
        /* no swap accounting */
      }
    } else {
      fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      try {
        fs.writeFileSync(path.join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
      } catch {
        /* no swap accounting */
      }
    }
  } catch (e) {
    try {
      fs.rmdirSync(dir);
    } catch {
      /* never made */
    }
    return none(`the memory cgroup could not be set up (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    kind: p.kind,
    limitBytes,
    procsFile: path.join(dir, 'cgroup.procs'),
    prefix: [],
    detail: p.detail,
    finish: () => {
      const v2 = p.kind === 'cgroup-v2';
      const peakBytes = num(read(path.join(dir, v2 ? 'memory.peak' : 'memory.max_usage_in_bytes')));
      const events = read(path.join(dir, v2 ? 'memory.events' : 'memory.oom_control'));
      const oomKills = field(events, 'oom_kill');
      const limitHits = v2 ? field(events, 'max') : num(read(path.join(dir, 'memory.failcnt'))) ?? 0;
      // Off the run's path: the kernel takes a while to tear a group down. If a process is
      // still leaving, the next start sweeps it.
      fs.rmdir(dir, () => undefined);
      return { peakBytes, oomKills, limitHits };
    },
  };
}
