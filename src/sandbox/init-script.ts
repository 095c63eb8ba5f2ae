/**
 * The scripts that run inside the sandbox. `init.sh` is the sandbox's first process: it
 * fills the workspace tmpfs, starts the stub server, runs the snippet without capabilities
 * under the limits and the tracer, stops everything on the host's request, and reports the
 * disk use and the manifest of the writable areas.
 *
 * File descriptors shared with the host (all created by the host, none visible to the
 * snippet except fd 5 for the Bash trace):
 *   1, 2  the snippet's stdout and stderr
 *   3     stub server events (JSON lines)      4  strace output
 *   5     xtrace records (Bash, node hook)     6  init events (JSON lines)
 *   7     bwrap's info (the host pid of init)  8  manifest (NUL-separated records)
 * The host asks init (PID 1 inside) to stop the snippet with SIGUSR1.
 */

export interface InitPlan {
  workspace: string;
  home: string;
  language: 'bash' | 'node' | 'python';
  /** Path of the snippet inside the sandbox. */
  snippet: string;
  /** Copy the snippet into the workspace at this relative path (ES modules resolve from there). */
  plantSnippet: string | null;
  /** Workspace-relative paths where a model shim is planted (`./query-model`). */
  plants: string[];
  /** Whether the seed copy has any files (an empty one is not copied). */
  seed: boolean;
  nproc: number;
  addressSpace: number;
  strace: boolean;
  syscalls: string[];
  node: string;
  /** The Python interpreter for Python snippets ('' when there is none). */
  python: string;
  /** Whether init can and must drop its capabilities before the snippet (bubblewrap: yes). */
  dropCaps: boolean;
  /** Start the stub server (see needsStub in prepare.ts). */
  stub: boolean;
}

/** Quotes a string for Bash. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function planScript(p: InitPlan): string {
  return [
    `FANG_WS=${shq(p.workspace)}`,
    `FANG_HOME=${shq(p.home)}`,
    `FANG_LANG=${shq(p.language)}`,
    `FANG_SNIPPET=${shq(p.snippet)}`,
    `FANG_PLANT_SNIPPET=${shq(p.plantSnippet ?? '')}`,
    `FANG_PLANTS=(${p.plants.map(shq).join(' ')})`,
    `FANG_SEED=${p.seed ? 1 : 0}`,
    `FANG_NPROC=${p.nproc}`,
    `FANG_AS=${p.addressSpace}`,
    `FANG_STRACE=${p.strace ? 1 : 0}`,
    `FANG_SYSCALLS=${shq(p.syscalls.join(','))}`,
    `FANG_NODE=${shq(p.node)}`,
    `FANG_PYTHON=${shq(p.python)}`,
    `FANG_DROP_CAPS=${p.dropCaps ? 1 : 0}`,
    `FANG_STUB=${p.stub ? 1 : 0}`,
    '',
  ].join('\n');
}

/** Script text as written: `@{` stands for Bash's `${`, which a template literal would take. */
function script(s: TemplateStringsArray): string {
  return s.raw.join('').replace(/@\{/g, '${');
}

export const INIT_SH = script`#!/bin/bash
# Fang dry-run: first process inside the sandbox. See src/sandbox/init-script.ts.
set -u
# Only the channels 0-8 (and this script, 255) stay open, whatever else reached the sandbox.
for fd in /proc/self/fd/*; do
  fd=@{fd##*/}
  case $fd in [0-8]|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
. /run/fang/plan.sh
ev() { printf '%s\n' "$1" >&6; }
# JSON string of $1 in $REPLY, without a subshell.
jstr() {
  local s=@{1//\\/\\\\} c h
  s=@{s//\"/\\\"}
  while [[ $s =~ ([[:cntrl:]]) ]]; do
    c=@{BASH_REMATCH[1]}
    printf -v h '\\u%04x' "'$c"
    s=@{s//"$c"/$h}
  done
  printf -v REPLY '"%s"' "$s"
}

# Stage 1, with CAP_SYS_ADMIN in the sandbox's own user namespace: the writable areas, capped in
# size and inodes, and the binds that go on top of them; then init starts again without it.
if [ "@{1:-}" != mounted ]; then
  # mount's own messages go to the host as notes (fd 6 lines that are not JSON).
  if ! mount -a -T /run/fang/mounts.fstab 2>&6; then
    ev '{"t":"error","message":"the sandbox could not mount its capped areas (see the notes), so nothing was run"}'
    exit 1
  fi
  # A sysfs of the sandbox's own network namespace: the host's /sys shows its network interfaces
  # and addresses, and under /sys/fs/cgroup the pid of every host process. Where the kernel
  # refuses (a /sys partly hidden, as in some containers), the host's stays, with a note.
  if ! mount -t sysfs -o ro,nosuid,nodev,noexec fang-sysfs /sys 2>/dev/null; then
    ev '{"t":"note","message":"the host'"'"'s /sys stays visible in the sandbox (its network interfaces, and host pids under /sys/fs/cgroup): the kernel refused a sysfs of its own"}'
  fi
  if [ -s /run/fang/shims.fstab ] && ! mount -a -T /run/fang/shims.fstab 2>&6; then
    ev '{"t":"note","message":"some model wrappers the snippet names could not be stubbed (see the notes)"}'
  fi
  exec setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- /bin/bash /run/fang/init.sh mounted
  exit 1
fi
# The snippet's stderr is fd 2 as the host gave it (kept on fd 12); init reports through ev, and the shell's
# own job notices ("Killed") are not the snippet's output.
exec 12>&2 2>/dev/null

# The workspace copy: the host's copy is read-only at /run/fang/seed; this one is a tmpfs.
if [ "$FANG_SEED" = 1 ] && ! err=$(cp -R --preserve=mode,timestamps,links --no-dereference /run/fang/seed/. "$FANG_WS"/ 2>&1); then
  jstr "copying the workspace: $err"
  ev "{\"t\":\"note\",\"message\":$REPLY}"
fi
for rel in "@{FANG_PLANTS[@]}"; do
  mkdir -p "$FANG_WS/$(dirname "$rel")" && ln -sfn /run/fang/bin/.shim "$FANG_WS/$rel"
done
[ -n "$FANG_PLANT_SNIPPET" ] && cp "$FANG_SNIPPET" "$FANG_WS/$FANG_PLANT_SNIPPET"

# The stub server answers model calls and sinks DNS, HTTP and TLS on loopback.
# Its "ready" line arrives on fd 10, which exec.sh waits for before it becomes the snippet:
# the tracer starts while node is still starting.
stub_pid=
if [ "$FANG_STUB" = 1 ]; then
  exec 10< <(exec "$FANG_NODE" --max-old-space-size=96 /run/fang/stub.js 2>&6 </dev/null 7>&- 8>&-)
  stub_pid=$!
else
  exec 10</dev/null
fi

# Ends every process of the snippet: SIGKILL until none is left, SIGCONT to Fang's own (a
# snippet may have stopped them). Builtins only, so it works while a fork bomb holds every
# process slot. init is PID 1 of the sandbox, which no process inside can kill or stop.
fang_stop() {
  local keep=" 1 $$ $stub_pid @{tracer:-} " p n i
  for ((i = 0; i < 1000; i++)); do
    n=0
    for p in /proc/[0-9]*; do
      p=@{p#/proc/}
      if [[ $keep == *" $p "* ]]; then
        kill -CONT "$p" 2>/dev/null
        continue
      fi
      kill -KILL "$p" 2>/dev/null && n=$((n + 1))
    done
    ((n == 0)) && break
  done
}
# The host asks for the end of the run (time or output limit, settled background jobs).
trap 'fang_stop' USR1

# strace traces and setpriv drops every capability; each execs the next, so $! below is the
# tracer's pid. The tracer keeps init's capabilities, which the snippet lacks: the kernel then
# refuses the snippet ptrace, /proc/PID/mem, /proc/PID/fd and pidfd_getfd on it, through which it
# could write forged lines into the trace or take its own out. strace writes straight into fd 4,
# a pipe read outside the sandbox (launcher.ts).
cmd=()
[ "$FANG_STRACE" = 1 ] && cmd=(strace -f -q -ttt -s 1024 -e signal=none -e trace="$FANG_SYSCALLS" -o /dev/fd/4 --)
[ "$FANG_DROP_CAPS" = 1 ] && cmd+=(setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs --)
cmd+=(/bin/bash /run/fang/exec.sh)

ev '{"t":"started"}'
# The limits are set in the subshell that becomes the tracer (ulimit: no extra exec).
(ulimit -u "$FANG_NPROC" -v $((FANG_AS / 1024)) -c 0 && exec "@{cmd[@]}") </dev/null 2>&12 3>&- 6>&- 8>&- 12>&- &
tracer=$!
exec 10<&-
# Which pids are Fang's: a signal the trace shows going to one of them is the snippet tampering.
ev "{\"t\":\"helpers\",\"stub\":@{stub_pid:-null},\"tracer\":$tracer}"
while :; do
  wait "$tracer"
  rc=$?
  # wait also returns when the USR1 trap ran; go on waiting until the tracer is gone.
  kill -0 "$tracer" 2>/dev/null || break
done
ev "{\"t\":\"exit\",\"code\":$rc}"
# A stub server the snippet killed or stopped recorded nothing after that.
if [ -n "$stub_pid" ]; then
  state=gone
  if read -r line 2>/dev/null <"/proc/$stub_pid/stat"; then
    line=@{line##*) }
    state=@{line%% *}
  fi
  case $state in [ZXx]|gone) ev '{"t":"stub","state":"gone"}' ;; [Tt]) ev '{"t":"stub","state":"stopped"}' ;; esac
fi
tracer=
fang_stop

# The home first: what persists there (rc files, crontabs) matters most if the listing is cut.
mounts=("$FANG_HOME" "$FANG_WS" /tmp /dev/shm)
i=0
while read -r blocks free bsize files ffree; do
  jstr "@{mounts[i]}"
  ev "{\"t\":\"disk\",\"mount\":$REPLY,\"blocks\":$blocks,\"free\":$free,\"blockSize\":$bsize,\"files\":$files,\"filesFree\":$ffree}"
  i=$((i + 1))
done < <(stat -f -c '%b %a %S %c %d' "@{mounts[@]}" 2>/dev/null)
# The listing: find prints each area's own folder first (an empty path), so when a listing is
# cut (the host stops a run that takes too long) the areas before the last one are known whole.
# Three NUL-ended fields per entry: type, size and mtime; the area; the path in it (both may hold
# any character but NUL: a workspace folder's name is not Fang's to choose).
find "@{mounts[@]}" -xdev -printf '%y %s %T@\0%H\0%P\0' >&8 2>/dev/null
ev '{"t":"listed"}'
exit 0
`;

/** Closes the host's descriptors and becomes the snippet (same pid, so the trace's root is it). */
export const EXEC_SH = script`#!/bin/bash
for fd in /proc/self/fd/*; do
  fd=@{fd##*/}
  case $fd in [0-2]|5|10|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
. /run/fang/plan.sh
# Wait for the stub server (fd 10 is its stdout, or /dev/null when there is none).
if [ "$FANG_STUB" = 1 ] && ! read -r -t 10 _ <&10; then
  echo "fang: the sandbox's stub server did not start; model calls will fail" >&2
fi
exec 10<&-
cd "$FANG_WS" 2>/dev/null || cd /
if [ "$FANG_LANG" = bash ]; then
  BASH_ENV=/run/fang/xtrace.sh exec -a bash /bin/bash "$FANG_SNIPPET"
fi
export FANG_SNIPPET_SOURCE="$FANG_SNIPPET"
# python: sitecustomize (python-hook.ts, found through PYTHONPATH) links processes, exec/compile and HTTP
# calls to lines through fd 5, and puts the stand-in SDK modules last on sys.path. The workspace is on
# the path too, as the script's own folder would be when it runs from the project.
if [ "$FANG_LANG" = python ]; then
  PYTHONPATH="/run/fang/python:$FANG_WS" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 exec -a python3 "$FANG_PYTHON" "$FANG_SNIPPET"
fi
# node: the hook (node-hook.ts) links child processes and HTTP calls to lines through fd 5.
if [ -n "$FANG_PLANT_SNIPPET" ]; then
  exec -a node "$FANG_NODE" --enable-source-maps --require /run/fang/node-hook.js "$FANG_WS/$FANG_PLANT_SNIPPET"
fi
NODE_PATH="$FANG_WS/node_modules" exec -a node "$FANG_NODE" --enable-source-maps --require /run/fang/node-hook.js "$FANG_SNIPPET"
`;

/** Sourced by the snippet's Bash before its first line (BASH_ENV): the line-linking trace. */
export const XTRACE_SH = script`PS4=$'\x1e@{BASHPID} @{LINENO} @{EPOCHREALTIME} @{BASH_SOURCE[0]-}\x1f'
BASH_XTRACEFD=5
unset BASH_ENV
set -x
`;
