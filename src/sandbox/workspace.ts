/**
 * The snippet's workspace: a capped copy that the sandbox copies again into its own tmpfs
 * (the real folder is never bound writable), and the diff of what the snippet left there,
 * in its home and in /tmp.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileChange } from './report-schema';
import { includedOnPurpose, secretReason } from './secrets';

export interface EntryStat {
  type: FileChange['type'];
  size: number;
  /** Seconds, as `find -printf %T@` prints them. */
  mtime: number;
}

export interface CopyResult {
  entries: Map<string, EntryStat>;
  files: number;
  bytes: number;
  /** Paths left out and why. */
  skipped: string[];
  /** Credentials left out (workspace-relative), unless named on purpose. */
  secrets: string[];
  /** Top-level `node_modules`, bound read-only instead of copied. */
  nodeModules: string | null;
}

export interface CopyCaps {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_COPY_CAPS: CopyCaps = { maxFiles: 5000, maxBytes: 64 * 1024 * 1024 };
const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', 'out', 'dist', '.venv', 'venv', '__pycache__', '.cache']);

function typeOf(st: fs.Stats): EntryStat['type'] {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  return 'other';
}

/**
 * Copies `src` into `dest` (which must exist) with the files' own modes, never widened (the run
 * folder is private; as root its owner becomes the sandbox's uid); keeps mtimes so the diff
 * after the run is exact.
 */
export function copyWorkspace(src: string, dest: string, caps: CopyCaps = DEFAULT_COPY_CAPS, include: readonly string[] = []): CopyResult {
  const result: CopyResult = { entries: new Map(), files: 0, bytes: 0, skipped: [], secrets: [], nodeModules: null };
  const root = fs.realpathSync(src);
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    let names: string[];
    try {
      names = fs.readdirSync(abs).sort();
    } catch (e) {
      result.skipped.push(`${rel || '.'}: unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const a = path.join(root, r);
      const d = path.join(dest, r);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(a);
      } catch {
        continue;
      }
      const type = typeOf(st);
      const secret = type === 'directory' || type === 'file' ? secretReason(r, a, type === 'directory') : null;
      if (secret && !includedOnPurpose(r, include)) {
        result.secrets.push(type === 'directory' ? `${r}/` : r);
        result.skipped.push(`${r}: left out (${secret}); include it on purpose to copy it`);
        continue;
      }
      if (type === 'directory' && SKIP_DIRS.has(name)) {
        if (name === 'node_modules' && !rel) result.nodeModules = a;
        result.skipped.push(name === 'node_modules' && !rel ? `${r}: bound read-only, not copied` : `${r}: not copied`);
        continue;
      }
      if (result.files >= caps.maxFiles || (type === 'file' && result.bytes + st.size > caps.maxBytes)) {
        result.skipped.push(`${r}: not copied (workspace copy is capped at ${caps.maxFiles} files and ${caps.maxBytes} bytes)`);
        continue;
      }
      if (type === 'directory') {
        fs.mkdirSync(d, { mode: 0o700 });
        walk(r);
        fs.chmodSync(d, (st.mode & 0o777) | 0o700);
        fs.utimesSync(d, st.atime, st.mtime);
      } else if (type === 'symlink') {
        fs.symlinkSync(fs.readlinkSync(a), d);
      } else if (type === 'file') {
        fs.copyFileSync(a, d);
        fs.chmodSync(d, st.mode & 0o777);
        fs.utimesSync(d, st.atime, st.mtime);
        result.bytes += st.size;
      } else {
        result.skipped.push(`${r}: not a regular file`);
        continue;
      }
      result.files++;
      // Directories' mtimes change whenever an entry is added, so only files count for "modified".
      result.entries.set(r, { type, size: type === 'file' ? st.size : 0, mtime: st.mtimeMs / 1000 });
    }
  };
  walk('');
  return result;
}

export interface ManifestEntry extends EntryStat {
  root: string;
  rel: string;
}

/**
 * Parses `find ROOTS -printf '%y %s %T@\0%H\0%P\0'`: three NUL-ended fields per entry, so a
 * root or a path may hold tabs and newlines (a workspace folder's name is not Fang's to choose).
 * Each root's own record (empty path) comes first, so `roots` says which areas the listing
 * reached, in order; an entry not ended by its third NUL (a listing cut short) is dropped.
 */
export function parseManifest(data: string, roots: string[] = []): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const fields = data.split('\0');
  fields.pop();
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const m = /^([a-zA-Z]) (\d+) (\d+(?:\.\d+)?)$/.exec(fields[i]!);
    if (!m) continue;
    const root = fields[i + 1]!;
    const rel = fields[i + 2]!;
    if (!rel) {
      if (!roots.includes(root)) roots.push(root);
      continue;
    }
    const y = m[1]!;
    const type: EntryStat['type'] = y === 'f' ? 'file' : y === 'd' ? 'directory' : y === 'l' ? 'symlink' : 'other';
    out.push({ root, rel, type, size: Number(m[2]) || 0, mtime: Number(m[3]) || 0 });
  }
  return out;
}

export interface DiffInput {
  before: Map<string, EntryStat>;
  after: ManifestEntry[];
  workspace: string;
  home: string;
  /** Paths (absolute, inside the sandbox) that Fang put there: shims, mount points. */
  ignore: Set<string>;
  /** False when the workspace's listing was cut: its missing files are then not "deleted". */
  workspaceListed?: boolean;
  /** Where Fang mounted something (the home, binds): these and the folders made on the way are Fang's. */
  mountPoints?: string[];
}

export function diffWorkspace(input: DiffInput): FileChange[] {
  const changes: FileChange[] = [];
  const afterWs = new Map<string, ManifestEntry>();
  const created: Array<{ abs: string; area: FileChange['area']; path: string; e: ManifestEntry }> = [];
  for (const e of input.after) {
    const abs = path.posix.join(e.root, e.rel);
    if (input.ignore.has(abs) || [...input.ignore].some((i) => abs.startsWith(i + '/'))) continue;
    // Mount points, and the folders made on the way to them, are Fang's, not the snippet's.
    if ([input.workspace, ...(input.mountPoints ?? [])].some((m) => abs === m || m.startsWith(abs + '/'))) continue;
    if (e.root === input.workspace) {
      afterWs.set(e.rel, e);
      const b = input.before.get(e.rel);
      if (!b) created.push({ abs, area: 'workspace', path: e.rel, e });
      else if (b.type !== e.type) changes.push({ path: e.rel, kind: 'modified', area: 'workspace', type: e.type, size: e.type === 'file' ? e.size : null });
      else if (e.type === 'file' && (b.size !== e.size || Math.abs(b.mtime - e.mtime) > 0.002)) {
        changes.push({ path: e.rel, kind: 'modified', area: 'workspace', type: 'file', size: e.size });
      }
    } else {
      created.push({ abs, area: e.root === input.home ? 'home' : 'tmp', path: abs, e });
    }
  }
  // A created directory is named only when nothing inside it is.
  const createdAbs = created.map((c) => c.abs);
  for (const c of created) {
    if (c.e.type === 'directory' && createdAbs.some((o) => o.startsWith(c.abs + '/'))) continue;
    changes.push({ path: c.path, kind: 'created', area: c.area, type: c.e.type, size: c.e.type === 'file' ? c.e.size : null });
  }
  for (const [rel, b] of input.workspaceListed === false ? [] : input.before) {
    if (afterWs.has(rel)) continue;
    if (input.ignore.has(path.posix.join(input.workspace, rel))) continue;
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : null;
    if (parent && !afterWs.has(parent) && input.before.has(parent)) continue; // the whole folder went
    changes.push({ path: rel, kind: 'deleted', area: 'workspace', type: b.type, size: null });
  }
  return changes.sort((a, b) => a.area.localeCompare(b.area) || a.path.localeCompare(b.path));
}
