/**
 * Reading a file named by a user, a walk or a command without being hung or flooded by it: the
 * file is opened without blocking (a named pipe with no writer, a device), checked with fstat on
 * the open descriptor (no swap between check and read), and its size cap is checked before
 * anything is read.
 */
import * as fs from 'node:fs';
import { formatBytes } from '../core/detect';

export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; why: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; message: string; size?: number };

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** Reads a text file of at most `maxBytes` bytes; never reads from a device or a FIFO. */
export function readText(file: string | number, maxBytes: number): ReadResult {
  let fd: number;
  const own = typeof file === 'string';
  try {
    fd = own ? fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK) : file;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, why: 'missing', message: 'does not exist' };
    return { ok: false, why: 'unreadable', message: `cannot be read (${code ?? (e as Error).message})` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, why: 'not-a-file', message: `is ${kindOf(st)}, not a regular file` };
    if (st.size > maxBytes) return { ok: false, why: 'too-large', size: st.size, message: `is ${formatBytes(st.size)}, over the ${formatBytes(maxBytes)} size cap (maxFileBytes)` };
    // Read what is there now, and never more than the cap (a file can grow while it is read).
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    if (n > maxBytes) return { ok: false, why: 'too-large', message: `grew over the ${formatBytes(maxBytes)} size cap (maxFileBytes) while it was read` };
    return { ok: true, text: buf.subarray(0, n).toString('utf8') };
  } catch (e) {
    return { ok: false, why: 'unreadable', message: `cannot be read (${(e as Error).message})` };
  } finally {
    if (own) fs.closeSync(fd);
  }
}

/** The first bytes of a regular file (a `#!` line), or undefined for anything else. */
export function readHead(file: string, bytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('latin1');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
