/** Files a hook must read: scripts a command runs, and a file as it will be after an edit or a patch. */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Edit } from './agents';

export { readText, type ReadResult } from '../read-file';

/** A path as a command wrote it, resolved like the shell would: `~/x`, relative to `cd` and the cwd. */
export function resolveScript(file: string, cwd: string, dir?: string): string {
  const home = (p: string) => (p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p);
  const base = dir ? path.resolve(cwd, home(dir)) : cwd;
  return path.resolve(base, home(file));
}

export interface Edited {
  content: string;
  /** 0-based lines of `content` the edits wrote. */
  changed: Set<number>;
}

/** The file after Claude Code's Edit/MultiEdit or Gemini's replace; a reason when an edit does not apply. */
export function applyEdits(before: string, edits: Edit[]): Edited | { failed: string } {
  let content = before;
  // Offsets of replaced text, kept in the coordinates of the latest content.
  let spans: [number, number][] = [];
  for (const [i, e] of edits.entries()) {
    if (e.old === '') {
      // A new file (Gemini's replace), or a patch hunk without context: the text goes at the end.
      const at = content.length;
      content += e.new;
      spans.push([at, content.length]);
      continue;
    }
    let from = 0;
    let hits = 0;
    for (;;) {
      const at = content.indexOf(e.old, from);
      if (at < 0) break;
      hits++;
      content = content.slice(0, at) + e.new + content.slice(at + e.old.length);
      const delta = e.new.length - e.old.length;
      spans = spans.map(([s, t]) => (s >= at + e.old.length ? [s + delta, t + delta] : [s, t]));
      spans.push([at, at + e.new.length]);
      from = at + e.new.length;
      if (!e.all) break;
    }
    if (hits === 0) return { failed: `old_string of edit ${i + 1} is not in the file` };
  }
  return { content, changed: linesOf(content, spans) };
}

function linesOf(text: string, spans: [number, number][]): Set<number> {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const lineAt = (off: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const out = new Set<number>();
  for (const [s, t] of spans) for (let l = lineAt(s); l <= lineAt(Math.max(s, t - 1)); l++) out.add(l);
  return out;
}

export interface PatchedFile {
  file: string;
  /** The file's content after the patch, when it could be rebuilt. */
  edit: { kind: 'add'; content: string } | { kind: 'update'; hunks: Edit[] } | { kind: 'delete' };
  moveTo?: string;
}

/**
 * Codex's apply_patch format: `*** Begin Patch`, then per file `*** Add File: p` (lines of `+`),
 * `*** Update File: p` (optional `*** Move to: q`, hunks after `@@` of ` `, `-`, `+` lines) or
 * `*** Delete File: p`, and `*** End Patch`.
 */
export function parsePatch(patch: string): PatchedFile[] {
  const lines = patch.replace(/\r\n/g, '\n').split('\n');
  const out: PatchedFile[] = [];
  let cur: PatchedFile | undefined;
  let added: string[] = [];
  let oldLines: string[] = [];
  let newLines: string[] = [];
  const flushHunk = () => {
    if (cur?.edit.kind === 'update' && (oldLines.length || newLines.length)) {
      cur.edit.hunks.push({ old: oldLines.join('\n'), new: newLines.join('\n'), all: false });
    }
    oldLines = [];
    newLines = [];
  };
  const flushFile = () => {
    flushHunk();
    if (cur?.edit.kind === 'add') cur.edit.content = added.join('\n') + (added.length ? '\n' : '');
    if (cur) out.push(cur);
    cur = undefined;
    added = [];
  };
  for (const line of lines) {
    const header = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
    if (header) {
      flushFile();
      const file = header[2]!.trim();
      cur = header[1] === 'Add' ? { file, edit: { kind: 'add', content: '' } } : header[1] === 'Update' ? { file, edit: { kind: 'update', hunks: [] } } : { file, edit: { kind: 'delete' } };
      continue;
    }
    if (!cur) continue;
    const move = /^\*\*\* Move to: (.+)$/.exec(line);
    if (move) {
      cur.moveTo = move[1]!.trim();
      continue;
    }
    if (line.startsWith('*** ')) {
      flushFile();
      continue;
    }
    if (cur.edit.kind === 'add') {
      if (line.startsWith('+')) added.push(line.slice(1));
      continue;
    }
    if (cur.edit.kind !== 'update') continue;
    if (line.startsWith('@@')) {
      flushHunk();
      continue;
    }
    if (line.startsWith('+')) newLines.push(line.slice(1));
    else if (line.startsWith('-')) oldLines.push(line.slice(1));
    else if (line.startsWith(' ') || line === '') {
      oldLines.push(line.slice(1));
      newLines.push(line.slice(1));
    }
  }
  flushFile();
  return out;
}
