/**
 * How text that Fang did not write (a snippet's output, argv, file names, prompts and answers,
 * workspace settings, error texts quoting any of these) is shown in every output: the CLI's
 * text report, the output channels, notifications, hovers, the Markdown copy and the report
 * page (which loads this module as a bundle, dist/webview/display.js).
 *
 * One convention everywhere: a character that would act instead of being seen (escape
 * sequences, C0 and C1 controls) or that is invisible or turns the text around (zero-width,
 * bidi controls, tags, variation selectors) is shown as its name in angle brackets:
 * `⟨ESC⟩`, `⟨U+202E⟩`; a run of the same one as `⟨U+200B ×500⟩`. The bracket itself is shown as
 * `⟨U+27E8⟩`, so no marker can be forged. Clipping says how much was left out and how much of
 * that was invisible: `⟨… 812 more characters, 800 of them invisible⟩`.
 *
 * Pure functions, no imports: the webview and the sandbox use the same code.
 */

const C0_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];

/** Controls, format characters (bidi, zero-width, tags), separators, lone surrogates, the
 *  default-ignorable code points (fillers, variation selectors) and the marker's own bracket. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u27E8]/u;
const PICTO = /\p{Extended_Pictographic}/u;
const COMBINING = /\p{M}/u;
/** Anything `pieces` treats specially; text without any of these is shown as it is. */
const SPECIAL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\p{M}\u27E8]/u;
/** More combining marks than this on one character are counted, not drawn (they overdraw lines). */
const MAX_MARKS = 3;

export const OPEN = '⟨';
export const CLOSE = '⟩';

export interface DisplayOptions {
  /** Keep line feeds and tabs (a block of output shown over several lines). Default: false. */
  multiline?: boolean;
  /** Longest result in characters, markers included; what is left out is said. Default: no limit. */
  max?: number;
  /** How a clip is said: the count of what was left out (default), or only `…` where space is short (a graph label). */
  note?: 'count' | 'ellipsis';
  /** Which end to keep when clipping: the start (default) or the end. */
  keep?: 'start' | 'end';
}

/** The marker for one hidden character, e.g. `ESC` or `U+202E`. */
export function nameOf(cp: number): string {
  if (cp < 0x20) return C0_NAMES[cp]!;
  if (cp === 0x7f) return 'DEL';
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

interface Piece {
  text: string;
  /** Code points of the input this piece stands for. */
  units: number;
  hidden: number;
}

function isHidden(cp: number, ch: string, prev: number | undefined, next: number | undefined, multiline: boolean): boolean {
  if (multiline && (cp === 0x0a || cp === 0x09)) return false;
  if (!HIDDEN.test(ch)) return false;
  // Emoji keep their joiners and presentation selectors: ❤️, 👩‍💻.
  const picto = (c: number | undefined) => c !== undefined && PICTO.test(String.fromCodePoint(c));
  if (cp === 0xfe0f && picto(prev)) return false;
  if (cp === 0x200d && picto(prev) && picto(next)) return false;
  return true;
}

/** Splits text into what is shown as is and markers, in order. */
function pieces(s: string, multiline: boolean): Piece[] {
  const cps: number[] = [];
  for (const ch of s) cps.push(ch.codePointAt(0)!);
  const out: Piece[] = [];
  let plain = '';
  let plainUnits = 0;
  let marks = 0;
  const flush = () => {
    if (plainUnits) out.push({ text: plain, units: plainUnits, hidden: 0 });
    plain = '';
    plainUnits = 0;
  };
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    const ch = String.fromCodePoint(cp);
    // A CR before a LF is the line ending of a multi-line block, not a cursor move.
    if (multiline && cp === 0x0d && cps[i + 1] === 0x0a) continue;
    const prev = i > 0 ? cps[i - 1] : undefined;
    const next = cps[i + 1];
    // the emoji exceptions look past one presentation selector
    const nextSkip = next === 0xfe0f ? cps[i + 2] : next;
    if (isHidden(cp, ch, prev, nextSkip, multiline)) {
      let j = i + 1;
      while (j < cps.length && cps[j] === cp) j++;
      const n = j - i;
      flush();
      out.push({ text: `${OPEN}${nameOf(cp)}${n > 1 ? ` ×${n}` : ''}${CLOSE}`, units: n, hidden: n });
      i = j - 1;
      marks = 0;
      continue;
    }
    if (COMBINING.test(ch)) {
      let j = i + 1;
      while (j < cps.length && COMBINING.test(String.fromCodePoint(cps[j]!)) && !HIDDEN.test(String.fromCodePoint(cps[j]!))) j++;
      const n = j - i;
      if (n + marks > MAX_MARKS) {
        flush();
        out.push({ text: `${OPEN}${n} combining marks${CLOSE}`, units: n, hidden: n });
        i = j - 1;
        continue;
      }
      marks += n;
      plain += String.fromCodePoint(...cps.slice(i, j));
      plainUnits += n;
      i = j - 1;
      continue;
    }
    marks = 0;
    plain += ch;
    plainUnits += 1;
  }
  flush();
  return out;
}

/**
 * The text with every hidden or acting character shown by name (see the module comment),
 * clipped to `max` characters with the rest said.
 */
export function visible(s: string, o: DisplayOptions = {}): string {
  const fromEnd = o.keep === 'end';
  // Most text holds nothing to mark and needs no clip: one scan instead of one per character.
  if (!SPECIAL.test(s) && s.length <= (o.max ?? Infinity)) return s;
  const parts = pieces(s, o.multiline ?? false);
  if (fromEnd) parts.reverse();
  const max = o.max ?? Infinity;
  let out = '';
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (out.length + p.text.length <= max) {
      out = fromEnd ? p.text + out : out + p.text;
      continue;
    }
    // Cut inside plain text at a code point boundary; a marker is never cut.
    let room = Math.max(0, max - out.length);
    const chars = p.hidden === 0 ? [...p.text] : [];
    if (fromEnd) chars.reverse();
    const kept: string[] = [];
    for (const ch of chars) {
      if (room < ch.length) break;
      kept.push(ch);
      room -= ch.length;
    }
    const rest = parts.slice(k + 1);
    const more = p.units - kept.length + rest.reduce((n, r) => n + r.units, 0);
    const hidden = (p.hidden ? p.units : 0) + rest.reduce((n, r) => n + r.hidden, 0);
    const note = o.note === 'ellipsis' ? '…' : clipNote(more, hidden);
    return fromEnd ? `${note}${kept.reverse().join('')}${out}` : `${out}${kept.join('')}${note}`;
  }
  return out;
}

function clipNote(more: number, hidden: number): string {
  const what = `${more} more character${more === 1 ? '' : 's'}`;
  return `${OPEN}… ${what}${hidden ? `, ${hidden} of them invisible` : ''}${CLOSE}`;
}

/** Whether the text holds anything `visible` would mark. */
export function hasHidden(s: string, multiline = false): boolean {
  return pieces(s, multiline).some((p) => p.hidden > 0);
}

/**
 * argv as one line a shell would read: words with blanks, quotes or backslashes in double
 * quotes. Hidden characters stay as they are, for `visible` to name.
 */
export function argvText(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /[\s'"\\$`]/.test(a) ? `"${a.replace(/["\\$`]/g, (c) => `\\${c}`)}"` : a)).join(' ');
}

/**
 * Text for a notification, a status text, a progress title or a plain message: visible and on
 * one line, and link syntax broken up. VS Code turns `[label](command:...)` (and `https:`,
 * `file:`) in notification messages into links that run; `] (` is not one.
 */
export function plainMessage(s: string, max = 1000): string {
  return visible(s, { max }).replace(/\]\(/g, '] (');
}

/** Markdown-escaped text: no emphasis, link, image, heading, list, table, HTML or entity. */
export function markdownText(s: string, o: DisplayOptions = {}): string {
  return visible(s, { ...o, multiline: false })
    .replace(/[\\`*_{}[\]()<>#+\-.!|~:&"']/g, (c) => `\\${c}`);
}

/**
 * An inline code span of any text: a backtick run longer than any inside it, on one line. In a
 * table cell (`cell`), `|` is escaped so the cell is not split (GFM drops that backslash there).
 */
export function markdownCode(s: string, o: DisplayOptions & { cell?: boolean } = {}): string {
  const one = visible(s, { ...o, multiline: false });
  const t = o.cell ? one.replace(/\|/g, '\\|') : one;
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || /^ .* $/.test(t) ? ' ' : '';
  return t === '' ? '`(empty)`' : `${ticks}${pad}${t}${pad}${ticks}`;
}

/** A fenced code block of any text: the fence is longer than any backtick run inside. */
export function markdownFence(s: string, o: DisplayOptions = {}): string {
  const t = visible(s.replace(/\n$/, ''), { ...o, multiline: true });
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}text\n${t}\n${ticks}`;
}

/**
 * JSON text safe to print on a terminal: C1 controls, DEL and every other hidden character
 * escaped as `\uXXXX` (JSON.stringify escapes only C0). The data read back is the same.
 */
export function inertJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u27e8\ufeff\ufff9-\ufffb]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\u{e0000}-\u{e0fff}]/gu, (c) => {
      const cp = c.codePointAt(0)! - 0x10000;
      const hi = 0xd800 + (cp >> 10);
      const lo = 0xdc00 + (cp & 0x3ff);
      return `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
    });
}
