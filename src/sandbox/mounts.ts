/**
 * What the init script mounts inside the sandbox (as fstab files for one `mount -a` each), and
 * the checks on names a snippet chose: a path the snippet names as its model wrapper is bound
 * over by the shim only when that cannot break the sandbox itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface MountEntry {
  source: string;
  target: string;
  type: 'tmpfs' | 'none';
  options: string;
}

/** fstab's escapes for a field: space, tab, newline and backslash as octal. */
function field(s: string): string {
  return s.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function fstab(entries: MountEntry[]): string {
  return entries.map((e) => `${field(e.source)} ${field(e.target)} ${e.type} ${e.options},nosuid,nodev,X-mount.mkdir 0 0\n`).join('');
}

/** Folders whose files the sandbox needs to work, or that are not programs at all. */
const PROTECTED = ['/proc', '/sys', '/dev', '/run', '/etc', '/boot', '/lib', '/lib32', '/lib64', '/libx32', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/libx32', '/usr/libexec'];

/**
 * Why the shim must not be bound over `abs` (a host path the snippet named), or null when it may:
 * only an existing executable regular file outside the system's own folders that is none of the
 * programs the sandbox runs itself (compared by device and inode, so links and `/proc/self/exe`
 * do not get around it).
 */
export function safeShimTarget(abs: string, essentials: readonly string[]): string | null {
  if (!path.posix.isAbsolute(abs) || abs !== path.posix.normalize(abs) || abs.length > 1024) return 'it is not a plain absolute path';
  if (PROTECTED.some((d) => abs === d || abs.startsWith(d + '/'))) return `it lies in ${PROTECTED.find((d) => abs === d || abs.startsWith(d + '/'))}, which the sandbox needs`;
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
    if (fs.realpathSync(abs) !== abs) return 'it is a link';
  } catch {
    return 'it does not exist outside the workspace';
  }
  if (!st.isFile() || (st.mode & 0o111) === 0) return 'it is not an executable file';
  for (const e of essentials) {
    try {
      const t = fs.statSync(e);
      if (t.dev === st.dev && t.ino === st.ino) return `it is ${e}, which the sandbox runs itself`;
    } catch {
      /* not installed */
    }
  }
  return null;
}

/** Why a workspace-relative wrapper path cannot be planted, or null. */
export function safePlant(rel: string): string | null {
  const norm = path.posix.normalize(rel);
  if (norm !== rel || rel === '.' || rel.startsWith('../') || rel.split('/').some((p) => p === '' || p === '.' || p === '..')) return 'it is not a plain path inside the workspace';
  if (rel === 'node_modules' || rel.startsWith('node_modules/') || rel === '.fang-dry-run.mjs') return 'that path belongs to the sandbox';
  if (rel.length > 1024) return 'it is too long';
  return null;
}
