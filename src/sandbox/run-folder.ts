/**
 * The host folder of one dry-run. It holds the sandbox's scripts and the workspace copy, which
 * may include a 0600 file, so no other local user may ever read it:
 *
 *   BASE = /dev/shm/fang-<uid>   (or $TMPDIR/fang-<uid>; FANG_RUN_DIR overrides /dev/shm)
 *          owned by the caller, 0700 when the sandbox runs as the caller, 0711 when Fang runs
 *          as root and the sandbox as a per-run uid (which must traverse it, and may not list it)
 *   BASE/run-<pid>-<start>-XXXXXX   the caller's, with BASE's mode
 *   BASE/run-.../fang              owned by the sandbox's uid, modes as copied (never widened)
 *
 * Each run folder is named after the Fang process (pid and start time); a folder whose process
 * is gone is swept on the next start. A killed Fang's folder is also removed by the launcher
 * (launcher.ts), which outlives it for that purpose.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const uid = (): number => (typeof process.getuid === 'function' ? process.getuid() : -1);

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The tag of this Fang process in folder names: `<pid>-<start>`. */
export function ownerTag(): string {
  return `${process.pid}-${processStart(process.pid) ?? '0'}`;
}

/** Whether the Fang process named by a `<pid>-<start>` tag still runs. */
export function ownerAlive(tag: string): boolean {
  const m = /^(\d+)-(\d+)$/.exec(tag);
  if (!m) return false;
  return processStart(Number(m[1])) === m[2];
}

function candidates(): string[] {
  const wanted = process.env.FANG_RUN_DIR;
  if (wanted) return [wanted];
  return ['/dev/shm', os.tmpdir()];
}

/**
 * The caller's private base folder, created when missing and checked when present: a real
 * folder (not a link), owned by the caller, with exactly the expected mode. Anything else is
 * refused, since another user could have planted it.
 */
export function privateBase(mode: number): string {
  const errors: string[] = [];
  for (const parent of candidates()) {
    const base = path.join(parent, `fang-${uid()}`);
    try {
      fs.mkdirSync(base, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        errors.push(`${base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        continue;
      }
    }
    const st = fs.lstatSync(base);
    if (!st.isDirectory() || st.uid !== uid()) {
      errors.push(`${base} is not a folder of this user; remove it`);
      continue;
    }
    // Only this process narrows or sets the mode; it is never widened beyond `mode`.
    if ((st.mode & 0o777) !== mode) fs.chmodSync(base, mode);
    return base;
  }
  throw new Error(`no private folder for the dry-run could be made (${errors.join('; ')})`);
}

/** Removes run folders left by Fang processes that are gone (killed before they could clean up). */
export function sweepStale(base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^run-(\d+-\d+)-/.exec(name);
    if (!m || ownerAlive(m[1]!)) continue;
    try {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    } catch {
      /* another Fang may be sweeping it at the same moment */
    }
  }
}

/** A new run folder in the private base, after sweeping stale ones. */
export function makeRunFolder(sandboxIsCaller: boolean): string {
  const mode = sandboxIsCaller ? 0o700 : 0o711;
  const base = privateBase(mode);
  sweepStale(base);
  const dir = fs.mkdtempSync(path.join(base, `run-${ownerTag()}-`));
  fs.chmodSync(dir, mode);
  return dir;
}
