/**
 * Backend 1: bubblewrap. New user, PID, IPC, UTS, cgroup and network namespaces (loopback
 * only), the host filesystem read-only, home folders and other users' data covered by empty
 * read-only tmpfs, a minimal read-only /dev, a seccomp filter (seccomp.ts). The writable areas
 * (/tmp, the home, the workspace copy, /dev/shm) are mounted by the init script with caps on
 * size and inodes (bubblewrap 0.8 cannot cap inodes). When the caller is root, bubblewrap
 * itself runs as a per-run unprivileged uid (setpriv), so RLIMIT_NPROC binds, the snippet
 * can read only what every user may read, and no host account shares its uid.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which, type Backend, type BackendInfo, type SandboxLayout, type SpawnCommand, type Unavailable } from './backend';

/** Per-run sandbox uids (when Fang runs as root) come from this range, which no account uses. */
export const SANDBOX_UID_BASE = 1_900_000_000;
export const SANDBOX_UID_SPAN = 100_000_000;

/** Host folders no snippet sees: homes, runtime state, mail, spools, logs, mounts. */
export const HIDDEN_DIRS = ['/home', '/root', '/run', '/var/tmp', '/var/mail', '/var/spool', '/var/log', '/mnt', '/media', '/srv'];

function run(file: string, args: string[], timeoutMs = 5000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The setpriv prefix that runs bubblewrap as an unprivileged uid when Fang runs as root. */
function dropRoot(uid: number | null): string[] {
  return uid === null ? [] : ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', '--inh-caps=-all'];
}

function coreArgs(): string[] {
  return [
    '--unshare-all',
    '--uid', '0',
    '--gid', '0',
    '--hostname', 'fang-sandbox',
    '--die-with-parent',
    '--new-session',
    '--ro-bind', '/', '/',
    '--proc', '/proc',
    '--dev', '/dev',
    // Only the init script keeps these: SYS_ADMIN for its capped mounts, dropped right after
    // them; the other two before the snippet starts.
    '--cap-add', 'CAP_SYS_ADMIN',
    '--cap-add', 'CAP_NET_BIND_SERVICE',
    '--cap-add', 'CAP_SETPCAP',
  ];
}

export class BubblewrapBackend implements Backend {
  readonly name = 'bubblewrap' as const;
  private cached: Promise<BackendInfo | Unavailable> | undefined;

  /** A working sandbox is remembered; a missing one is looked for again (the user may install it meanwhile). */
  detect(): Promise<BackendInfo | Unavailable> {
    this.cached ??= this.probe().then((r) => {
      if (!r.available) this.cached = undefined;
      return r;
    });
    return this.cached;
  }

  private async probe(): Promise<BackendInfo | Unavailable> {
    if (process.platform !== 'linux') return { available: false, message: `bubblewrap needs Linux; this is ${process.platform}` };
    const program = which('bwrap');
    if (!program) {
      return { available: false, message: 'bubblewrap is not installed: install it (Debian/Ubuntu: `sudo apt-get install bubblewrap strace`; Fedora: `sudo dnf install bubblewrap strace`)' };
    }
    for (const tool of ['setpriv', 'prlimit']) {
      if (!which(tool)) return { available: false, message: `${tool} is missing (Debian: \`sudo apt-get install util-linux\`)` };
    }
    const version = (await run(program, ['--version'])).stdout.trim().replace(/^bubblewrap\s*/, '') || 'unknown';
    const probeCmd = this.wrap(program, [...coreArgs(), '--', '/bin/true'], isRoot() ? SANDBOX_UID_BASE : null);
    const probe = await run(probeCmd.file, probeCmd.args);
    if (probe.code !== 0) {
      const why = probe.stderr.trim() || `exit status ${String(probe.code)}`;
      return {
        available: false,
        message: `bubblewrap is installed but cannot create a sandbox here (${why}). Unprivileged user namespaces must be enabled (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ an AppArmor profile for bwrap).`,
      };
    }
    const strace = which('strace') !== null;
    const isolation = [
      'namespaces: user, pid, ipc, uts, cgroup, network (loopback only)',
      'host filesystem read-only; homes, /run, /var/{tmp,mail,spool,log}, /mnt, /media, /srv hidden',
      isRoot() ? 'sandbox runs as a per-run host uid of its own (no account), no capabilities' : `sandbox runs as host uid ${process.getuid?.() ?? '?'}, no capabilities`,
      'writable areas (/tmp, home, workspace copy, /dev/shm) capped in size and inodes; /dev minimal and read-only',
      'inherited descriptors closed; no unix-socket connections, nested user namespaces, memfd, SysV shm or io_uring (seccomp)',
    ];
    if (!strace) isolation.push('strace is not installed: no process tree (install the strace package)');
    return { available: true, name: 'bubblewrap', version, program, strace, isolation };
  }

  private wrap(program: string, args: string[], uid: number | null): SpawnCommand {
    const drop = dropRoot(uid);
    if (!drop.length) return { file: program, args };
    return { file: which('setpriv') ?? 'setpriv', args: [...drop, '--', program, ...args] };
  }

  command(info: BackendInfo, l: SandboxLayout): SpawnCommand {
    // init.sh is PID 1: nothing inside can kill or stop it; the host signals it by the pid
    // bwrap reports on fd 7.
    const args = [...coreArgs(), '--as-pid-1', '--info-fd', '7'];
    if (l.seccomp) args.push('--seccomp', '9');
    const hidden = HIDDEN_DIRS.filter((d) => fs.existsSync(d) && d !== l.home);
    // Hidden folders: empty, tiny and, once the mount points below exist, read-only.
    for (const dir of hidden) args.push('--size', '4096', '--tmpfs', dir);
    // Mount points of init's capped tmpfs that lie in a hidden folder must be made now.
    for (const m of l.mountPoints) if (hidden.some((d) => m.startsWith(d + '/'))) args.push('--dir', m);
    for (const [from, at] of l.staged) args.push('--ro-bind', from, at);
    args.push('--ro-bind', l.fangDir, '/run/fang');
    args.push('--ro-bind', path.join(l.fangDir, 'hosts'), '/etc/hosts');
    args.push('--ro-bind', path.join(l.fangDir, 'resolv.conf'), '/etc/resolv.conf');
    args.push('--remount-ro', '/dev');
    for (const dir of hidden) args.push('--remount-ro', dir);
    args.push('--chdir', '/', '--', '/bin/bash', '/run/fang/init.sh');
    return this.wrap(info.program, args, l.sandboxUid);
  }
}
