/**
 * What a sandbox backend provides: whether it can run here, and the command line that runs
 * the init script inside it. The runner (run.ts) does the rest the same way for every
 * backend, so another one (a container engine, macOS sandbox-exec) only has to say how to
 * start the sandbox and which isolation it gives.
 */
import * as fs from 'node:fs';

export type BackendName = 'bubblewrap' | 'docker' | 'podman';

export interface BackendInfo {
  available: true;
  name: BackendName;
  version: string;
  /** Absolute path of the program. */
  program: string;
  /** Whether strace can run inside; without it there is no process tree. */
  strace: boolean;
  /** Human-readable isolation properties, shown in the report. */
  isolation: string[];
}

export interface Unavailable {
  available: false;
  message: string;
}

export interface SandboxLayout {
  /** The run's private host folder (removed by the launcher if Fang dies first). */
  runDir: string;
  /** Host folder bound read-only at /run/fang. */
  fangDir: string;
  /** Workspace path inside the sandbox (the real path when there is a real workspace). */
  workspace: string;
  home: string;
  /** The host uid the sandbox runs as when it is not the caller's (Fang as root), else null. */
  sandboxUid: number | null;
  /** Whether the run folder holds a seccomp filter (seccomp.bpf) for the sandbox. */
  seccomp: boolean;
  /** Where init mounts its capped tmpfs (bubblewrap makes those in hidden folders). */
  mountPoints: string[];
  /** Host paths bubblewrap binds read-only at a staging path, which init binds in place. */
  staged: Array<[string, string]>;
  /** Extra read-only binds (e.g. the node installation when it lives in a hidden folder). */
  roBinds: string[];
  /** Absolute paths of host model wrappers to replace by the shim. */
  shimBinds: string[];
}

export interface SpawnCommand {
  file: string;
  args: string[];
}

export interface Backend {
  readonly name: BackendName;
  detect(): Promise<BackendInfo | Unavailable>;
  command(info: BackendInfo, layout: SandboxLayout): SpawnCommand;
}

/** Finds an executable on PATH (no shell involved). */
export function which(name: string, pathVar = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  for (const dir of pathVar.split(':').concat(['/usr/bin', '/bin', '/usr/sbin', '/sbin'])) {
    if (!dir) continue;
    const p = `${dir}/${name}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}
