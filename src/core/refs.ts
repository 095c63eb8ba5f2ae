/**
 * Positions inside messages, kept as data. A rule writes `(line ${numberRef(range)})` or
 * `(${placeRef(range)})` (`line 4`, or `llm.js line 4` in another file of a project); the
 * analyzer turns each reference into a `{n}` placeholder and a position in `Finding.refs`, maps
 * those positions with the finding (Markdown fences), and every output renders them
 * (`renderMessage`). A message never carries a line number as text, so no output shows one
 * that is off.
 *
 * A reference is a marker with a random per-process nonce: text from the analysed code that
 * ends up in a message (a command name, a label) cannot forge one, and its braces are escaped.
 */
import { randomBytes } from 'node:crypto';
import type { MessageRef, Position, Range } from './types';

const NONCE = randomBytes(6).toString('hex');
const MARK = new RegExp(`\\uE000${NONCE}:([np]):(\\d+):(\\d+):([A-Za-z0-9_-]*)\\uE001`, 'g');

function marker(kind: 'n' | 'p', at: Range | Position): string {
  const p = 'start' in at ? at.start : at;
  const file = 'start' in at && at.file !== undefined ? Buffer.from(at.file, 'utf8').toString('base64url') : '';
  return `\uE000${NONCE}:${kind}:${p.line}:${p.column}:${file}\uE001`;
}

/** A position in a rule's message, rendered as its 1-based line number: `(line ${numberRef(r)})`. */
export function numberRef(at: Range | Position): string {
  return marker('n', at);
}

/** A place in a rule's message, rendered as `line 4`, or `llm.js line 4` when it is in another file of the project. */
export function placeRef(at: Range | Position): string {
  return marker('p', at);
}

/** A rule's message as a template: braces escaped, each reference a `{n}` placeholder with its position. */
export function toTemplate(message: string): { message: string; refs: MessageRef[] } {
  const refs: MessageRef[] = [];
  let out = '';
  let last = 0;
  for (const m of message.matchAll(MARK)) {
    out += escape(message.slice(last, m.index)) + `{${refs.length}}`;
    const file = m[4] ? Buffer.from(m[4], 'base64url').toString('utf8') : undefined;
    refs.push({ line: Number(m[2]), column: Number(m[3]), ...(file !== undefined ? { file } : {}), ...(m[1] === 'p' ? { place: true as const } : {}) });
    last = m.index! + m[0].length;
  }
  return { message: out + escape(message.slice(last)), refs };
}

const escape = (s: string) => s.replace(/[{}]/g, (c) => c + c);

/**
 * The message as people read it. `line` says how a line number reads (by default 1-based, in
 * the finding's own file); a place in another file of the project is named with that file.
 */
export function renderMessage(f: { message: string; refs?: readonly MessageRef[] }, line: (p: Position) => string = (p) => String(p.line + 1)): string {
  return f.message.replace(/\{\{|\}\}|\{(\d+)\}/g, (all, n: string | undefined) => {
    if (n === undefined) return all[0]!;
    const p = f.refs?.[Number(n)];
    if (!p) return all;
    if (p.file !== undefined) return `${p.file.replace(/^.*\//, '')} line ${p.line + 1}`;
    return p.place ? `line ${line(p)}` : line(p);
  });
}
