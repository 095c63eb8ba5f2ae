/**
 * Backend 1: bubblewrap. New user, PID, IPC, UTS, cgroup and network namespaces (loopback
 * only), the host filesystem read-only, home folders and other users' data covered by empty
 * tmpfs, size-capped tmpfs for /tmp, the home and the workspace copy. When the caller is
 * root, bubblewrap itself runs as the unprivileged uid 65534 (setpriv), so RLIMIT_NPROC binds
 * and the snippet can read only what every user may read.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which, type Backend, type BackendInfo, type SandboxLayout, type SpawnCommand, type Unavailable } from './backend';

export const SANDBOX_UID = 65534;

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

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The setpriv prefix that runs bubblewrap as an unprivileged uid when Fang runs as root. */
function dropRoot(): string[] {
  return isRoot() ? ['--reuid', String(SANDBOX_UID), '--regid', String(SANDBOX_UID), '--clear-groups', '--inh-caps=-all'] : [];
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
    // Only the init script keeps these two; it drops both before the snippet starts.
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
    const probeCmd = this.wrap(program, [...coreArgs(), '--', '/bin/true']);
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
      isRoot() ? `sandbox runs as host uid ${SANDBOX_UID} (nobody), no capabilities` : `sandbox runs as host uid ${process.getuid?.() ?? '?'}, no capabilities`,
    ];
    if (!strace) isolation.push('strace is not installed: no process tree (install the strace package)');
    return { available: true, name: 'bubblewrap', version, program, strace, isolation };
  }

  private wrap(program: string, args: string[]): SpawnCommand {
    const drop = dropRoot();
    if (!drop.length) return { file: program, args };
    return { file: which('setpriv') ?? 'setpriv', args: [...drop, '--', program, ...args] };
  }

  command(info: BackendInfo, l: SandboxLayout): SpawnCommand {
    // init.sh is PID 1: nothing inside can kill or stop it; the host signals it by the pid
    // bwrap reports on fd 7.
    const args = [...coreArgs(), '--as-pid-1', '--info-fd', '7'];
    const mounts: Array<[string, string[]]> = [];
    for (const dir of HIDDEN_DIRS) if (fs.existsSync(dir) && dir !== l.home) mounts.push([dir, ['--tmpfs', dir]]);
    mounts.push(['/tmp', ['--perms', '1777', '--size', String(l.tmpfsBytes), '--tmpfs', '/tmp']]);
    mounts.push([l.home, ['--perms', '0700', '--size', String(l.tmpfsBytes), '--tmpfs', l.home]]);
    mounts.push([l.workspace, ['--size', String(l.workspaceBytes), '--tmpfs', l.workspace]]);
    // Parents before children, so each tmpfs is mounted where the next one goes.
    mounts.sort((a, b) => a[0].split('/').length - b[0].split('/').length || a[0].localeCompare(b[0]));
    for (const [, m] of mounts) args.push(...m);
    if (l.nodeModules) args.push('--ro-bind', l.nodeModules, path.posix.join(l.workspace, 'node_modules'));
    for (const b of l.roBinds) args.push('--ro-bind', b, b);
    args.push('--ro-bind', l.fangDir, '/run/fang');
    args.push('--ro-bind', path.join(l.fangDir, 'hosts'), '/etc/hosts');
    args.push('--ro-bind', path.join(l.fangDir, 'resolv.conf'), '/etc/resolv.conf');
    for (const s of l.shimBinds) args.push('--ro-bind', path.join(l.fangDir, 'bin', '.shim'), s);
    args.push('--chdir', l.workspace, '--', '/bin/bash', '/run/fang/init.sh');
    return this.wrap(info.program, args);
  }
}
