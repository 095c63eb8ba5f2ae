/**
 * Reads the Bash xtrace stream of the snippet. The sandbox sets
  * PS4=$'\x1e${BASHPID} ${LINENO} ${EPOCHREALTIME} ${BASH_SOURCE[0]-}\x1f', so each record is
 * RS(repeated once per nesting level) "pid line time source" US "command as bash printed it";
 * a command may span lines (a multi-line `eval` argument), so records split on RS, not on
 * newlines. This is what links processes and model calls to source lines.
 */

export interface XtraceRecord {
  pid: number;
  line: number;
  /** Seconds since the epoch ($EPOCHREALTIME), null when the shell had no such variable. */
  time: number | null;
  source: string;
  depth: number;
  /** The words of the command, unquoted. */
  words: string[];
  text: string;
  seq: number;
}

/** Splits a command as xtrace prints it (`'...'`, `$'...'`, `\x`) into words. */
export function xtraceWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) {
        cur += text.slice(i + 1);
        break;
      }
      cur += text.slice(i + 1, end);
      i = end;
    } else if (c === '$' && text[i + 1] === "'") {
      let j = i + 2;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[++j]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v', "'": "'", '\\': '\\', '"': '"' };
          if (n in map) cur += map[n];
          else if (n === 'x') {
            const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(j + 1))?.[0] ?? '';
            cur += String.fromCharCode(parseInt(hex || '0', 16));
            j += hex.length;
          } else if (/[0-7]/.test(n)) {
            const oct = /^[0-7]{1,3}/.exec(text.slice(j))![0];
            cur += String.fromCharCode(parseInt(oct, 8));
            j += oct.length - 1;
          } else cur += '\\' + n;
        } else cur += text[j];
      }
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
    } else cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}

export class XtraceParser {
  readonly records: XtraceRecord[] = [];
  private rest = '';
  private seq = 0;
  dropped = 0;

  push(chunk: string): void {
    const buf = this.rest + chunk;
    const matches = [...buf.matchAll(/(\x1e+)([^\x1e]*)/g)];
    const last = matches.pop();
    for (const m of matches) this.record(m[2]!, m[1]!.length);
    this.rest = last ? last[0] : '';
    if (this.rest.length > 1024 * 1024) this.rest = '';
  }

  end(): void {
    const m = /^(\x1e+)([^\x1e]*)$/.exec(this.rest);
    if (m) this.record(m[2]!, m[1]!.length);
    this.rest = '';
  }

  private record(part: string, depth: number): void {
    const us = part.indexOf('\x1f');
    if (us < 0) return;
    const head = /^(\d+) (\d+) (?:(\d+[.,]\d+) )?(.*)$/.exec(part.slice(0, us));
    if (!head) return;
    const text = part.slice(us + 1).replace(/\n$/, '');
    if (this.records.length >= 20000) {
      this.dropped++;
      return;
    }
    const time = head[3] ? Number(head[3].replace(',', '.')) : null;
    this.records.push({ pid: Number(head[1]), line: Number(head[2]), time, source: head[4] ?? '', depth, words: xtraceWords(text), text, seq: this.seq++ });
  }
}
