// Finds the shell scripts installed on this machine: files under /usr/bin, /usr/sbin, /etc and
// /usr/share whose first line is a sh/bash/dash shebang, text only. Used by the benchmark and
// the benign corpus, so both measure the same files.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['/usr/bin', '/usr/sbin', '/etc', '/usr/share'];
const SHEBANG = /^#!\s*(\/usr)?\/bin\/(env\s+)?(sh|bash|dash)\b/;

export function systemScripts({ maxFiles = Infinity } = {}) {
  const out = [];
  const seen = new Set();
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile() && isShellScript(p)) {
        const st = statSync(p);
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(p);
      }
    }
  };
  for (const r of ROOTS) visit(r);
  return out;
}

function isShellScript(p) {
  let fd;
  try {
    fd = openSync(p, 'r');
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    if (!SHEBANG.test(head.subarray(0, 128).toString('latin1'))) return false;
    return !head.includes(0);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = systemScripts();
  console.log(files.join('\n'));
  console.error(`${files.length} scripts`);
}
