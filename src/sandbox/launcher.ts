/**
 * The launcher: the one process between Fang and bubblewrap. It
 *  - closes every descriptor Fang inherited (from a terminal, an editor, a CI runner) except
 *    the sandbox's channels 0-8, whatever their numbers, so none crosses into the sandbox;
 *  - enters the run's memory cgroup at once (the kernel takes a while to move a process: this
 *    happens while Fang lays out the run), so everything it starts is inside, with no race;
 *  - then reads the rest from stdin, NUL-separated: the run folder, the seccomp filter (opened
 *    on fd 9 for bubblewrap), the sandbox's environment and the command;
 *  - relays the tracer's output from a pipe (fd 4 inside) to Fang, so that strace writes
 *    straight out of the sandbox;
 *  - outlives a killed Fang: it runs with a parent-death signal (SIGTERM), on which it kills
 *    the sandbox and removes the run folder, which would otherwise stay behind.
 * It is Bash with -c (no script descriptor to keep open) and costs one process start.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { which, type SpawnCommand } from './backend';

export const LAUNCH_SH = `procs=$1
for fd in /proc/self/fd/*; do
  fd=\${fd##*/}
  case $fd in [0-8]) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
if [ -n "$procs" ] && ! printf '%s\\n' "$$" >"$procs"; then echo "fang: cannot enter the memory cgroup $procs" >&2; exit 125; fi
run= child=
cleanup() {
  [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
  wait
  [ -n "$run" ] && rm -rf -- "$run"
  exit 143
}
trap cleanup TERM HUP
mapfile -d '' -t msg
exec 0</dev/null
# Fang went away (or cancelled) before the run was laid out.
[ "\${#msg[@]}" -ge 4 ] || exit 125
run=\${msg[0]} filter=\${msg[1]} n=\${msg[2]}
envs=("\${msg[@]:3:n}")
cmd=("\${msg[@]:3+n}")
if [ -n "$filter" ] && ! exec 9<"$filter"; then echo "fang: cannot open the seccomp filter" >&2; exit 125; fi
# The tracer writes into a pipe whose reader is this cat, outside the sandbox: no process the
# snippet can signal or open stands between strace and Fang (a cat inside could be killed, which
# would blind the rest of the trace, or read and rewritten through /proc).
# strace opens it as /dev/fd/4 under the sandbox's uid, which may write to it (and nothing more).
exec 4> >(exec cat 1>&4 4>&- 2>/dev/null 3>&- 5>&- 6>&- 7>&- 8>&- 9<&-)
chmod 0622 /proc/self/fd/4
(
  for kv in "\${envs[@]}"; do export "$kv"; done
  exec "\${cmd[@]}"
) &
child=$!
exec 1>&- 2>&- 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9<&-
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$rc"
`;

export interface LaunchMessage {
  /** Removed by the launcher when Fang dies first. */
  runDir: string;
  /** File holding the seccomp program for bubblewrap's `--seccomp 9`, or null. */
  seccompFile: string | null;
  /** The sandbox's environment (the launcher's own is empty but for PATH). */
  env: Record<string, string>;
  /** A command prefix that bounds the sandbox's memory (systemd-run), or []. */
  prefix: string[];
  command: SpawnCommand;
}

export interface Launcher {
  child: ChildProcess;
  /** Sends the rest of the command: the sandbox starts. */
  go(m: LaunchMessage): void;
  /** Ends the launcher before the sandbox started (the run could not be laid out, or was cancelled). */
  abort(): void;
}

/** Starts the launcher (with the channels 1-8 as pipes) before the run is laid out. */
export function startLauncher(procsFile: string | null): Launcher {
  const bash = which('bash') ?? '/bin/bash';
  // --norc: with a socket on stdin, Bash would take itself for a remote shell and read ~/.bashrc.
  const child = spawn(which('setpriv') ?? 'setpriv', ['--pdeathsig', 'TERM', '--', bash, '--norc', '-c', LAUNCH_SH, 'fang-launch', procsFile ?? ''], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin' },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdin!.on('error', () => undefined);
  return {
    child,
    go: (m) => {
      const env = Object.entries(m.env).map(([k, v]) => `${k}=${v}`);
      const items = [m.runDir, m.seccompFile ?? '', String(env.length), ...env, ...m.prefix, m.command.file, ...m.command.args];
      child.stdin!.end(items.map((i) => `${i.replace(/\0/g, '')}\0`).join(''));
    },
    abort: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      child.stdin!.destroy();
    },
  };
}
