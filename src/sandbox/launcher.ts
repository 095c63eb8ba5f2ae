/**
 * The launcher: the one process between Fang and bubblewrap. It
 *  - closes every descriptor Fang inherited (from a terminal, an editor, a CI runner) except
 *    the sandbox's channels 0-8, whatever their numbers, so none crosses into the sandbox;
 *  - opens the seccomp filter on fd 9 for bubblewrap;
 *  - puts the sandbox into its memory cgroup before bubblewrap starts (no race with a fork);
 *  - outlives a killed Fang: it runs with a parent-death signal (SIGTERM), on which it kills
 *    the sandbox and removes the run folder, which would otherwise stay behind.
 * It is Bash with -c (no script descriptor to keep open) and costs one process start.
 */
import { which, type SpawnCommand } from './backend';

export const LAUNCH_SH = `run=$1 procs=$2 filter=$3
shift 4
for fd in /proc/self/fd/*; do
  fd=\${fd##*/}
  case $fd in [0-8]) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
if [ -n "$filter" ] && ! exec 9<"$filter"; then echo "fang: cannot open the seccomp filter" >&2; exit 125; fi
child=
cleanup() {
  [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
  wait
  rm -rf -- "$run"
  [ -n "$procs" ] && rmdir -- "\${procs%/*}" 2>/dev/null
  exit 143
}
trap cleanup TERM HUP
(
  if [ -n "$procs" ] && ! printf '%s\\n' "$BASHPID" >"$procs"; then echo "fang: cannot enter the memory cgroup $procs" >&2; exit 125; fi
  exec "$@"
) </dev/null &
child=$!
exec 1>&- 2>&- 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9<&-
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$rc"
`;

export interface LaunchOptions {
  /** Removed by the launcher when Fang dies first. */
  runDir: string;
  /** cgroup.procs of the run's memory cgroup, or null. */
  procsFile: string | null;
  /** File holding the seccomp program for bubblewrap's `--seccomp 9`, or null. */
  seccompFile: string | null;
  /** A command prefix that bounds the sandbox's memory (systemd-run), or []. */
  prefix: string[];
}

export function launchCommand(inner: SpawnCommand, o: LaunchOptions): SpawnCommand {
  const bash = which('bash') ?? '/bin/bash';
  return {
    file: which('setpriv') ?? 'setpriv',
    args: ['--pdeathsig', 'TERM', '--', bash, '-c', LAUNCH_SH, 'fang-launch', o.runDir, o.procsFile ?? '', o.seccompFile ?? '', '--', ...o.prefix, inner.file, ...inner.args],
  };
}
