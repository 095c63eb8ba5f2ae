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

/** Bounds on what the trace may hold: the snippet writes into it, as much as it likes. */
export const XTRACE_CAPS = { records: 5000, sinks: 5000, textChars: 8192, words: 64, wordChars: 4096 };
/** Records the report reads as more than a source line: code run from a string, signals, HTTP calls, the trace itself. */
const SINK = /^(eval|source|\.|kill|set|unset|fetch|https?\.request|BASH_XTRACEFD=)(\s|$)|^BASH_XTRACEFD=/;

/** Whether a record turns Bash's trace off or sends it elsewhere. */
export function switchesOff(words: string[]): boolean {
  const [cmd, ...args] = words;
  if (cmd === 'set') return args.some((a, i) => /^\+[a-zA-Z]*x/.test(a) || (a === '+o' && args[i + 1] === 'xtrace'));
  if (cmd === 'unset') return args.includes('BASH_XTRACEFD');
  return cmd !== undefined && /^BASH_XTRACEFD=/.test(cmd);
}
const MAX_PID = 4_194_304;
const MAX_LINE = 10_000_000;

export class XtraceParser {
  readonly records: XtraceRecord[] = [];
  private rest = '';
  private seq = 0;
  private started = false;
  /** Records beyond the cap. */
  dropped = 0;
  /** Records of sinks (eval, source, kill, HTTP calls, ...) beyond their own cap: executed model output may be missing. */
  droppedSinks = 0;
  /** Records where the snippet switched the trace off (`set +x`, a new BASH_XTRACEFD), first few. */
  readonly switchedOff: XtraceRecord[] = [];
  private sinks = 0;
  /** Text that is no record Bash or the node hook writes: forged by the snippet, dropped. */
  rejected = 0;

  push(chunk: string): void {
    let buf = this.rest + chunk;
    if (!this.started) {
      // Anything before the first record separator is not a record.
      const first = buf.indexOf('\x1e');
      if (first < 0) {
        if (buf.trim()) this.rejected++;
        this.rest = '';
        return;
      }
      if (buf.slice(0, first).trim()) this.rejected++;
      buf = buf.slice(first);
      this.started = true;
    }
    const matches = [...buf.matchAll(/(\x1e+)([^\x1e]*)/g)];
    const last = matches.pop();
    for (const m of matches) this.record(m[2]!, m[1]!.length);
    this.rest = last ? last[0] : '';
    if (this.rest.length > 1024 * 1024) {
      this.rest = '';
      this.rejected++;
    }
  }

  end(): void {
    const m = /^(\x1e+)([^\x1e]*)$/.exec(this.rest);
    if (m) this.record(m[2]!, m[1]!.length);
    this.rest = '';
  }

  private record(part: string, depth: number): void {
    const us = part.indexOf('\x1f');
    const head = us < 0 ? null : /^(\d{1,7}) (\d{1,8}) (?:(\d{1,12}[.,]\d{1,9}) )?(.{0,4096})$/s.exec(part.slice(0, us));
    const pid = Number(head?.[1]);
    const line = Number(head?.[2]);
    if (!head || pid < 1 || pid > MAX_PID || line < 1 || line > MAX_LINE || depth > 1000) {
      this.rejected++;
      return;
    }
    const text = part.slice(us + 1, us + 1 + XTRACE_CAPS.textChars).replace(/\n$/, '');
    // Sinks have a cap of their own: a loop of plain commands must not push an eval out.
    const sink = SINK.test(text);
    if (sink ? this.sinks >= XTRACE_CAPS.sinks : this.records.length - this.sinks >= XTRACE_CAPS.records) {
      if (sink) this.droppedSinks++;
      else this.dropped++;
      return;
    }
    const words = xtraceWords(text).slice(0, XTRACE_CAPS.words).map((w) => w.slice(0, XTRACE_CAPS.wordChars));
    const time = head[3] ? Number(head[3].replace(',', '.')) : null;
    const record = { pid, line, time, source: head[4] ?? '', depth, words, text, seq: this.seq++ };
    if (sink) this.sinks++;
    this.records.push(record);
    if (switchesOff(words) && this.switchedOff.length < 5) this.switchedOff.push(record);
  }
}
