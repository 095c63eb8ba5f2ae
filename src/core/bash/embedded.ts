/**
 * Bash inside strings: the argument of `sh -c`, `su -c`, `script -c`, `eval`, `ssh HOST`,
 * `watch`, `parallel`, `tmux send-keys ... Enter` (also behind `sudo`, `timeout`, `nohup`, `env`,
 * `xargs`, `docker exec`, `kubectl exec`), a crontab line and a systemd `Exec*=` line are
 * commands too. When such a string is literal, its text is handed back as code placed at its
 * real position (the lines before it empty, its first line indented to its column), so the
 * analysis of that code reports what is inside where it stands in the file.
 */
import type { Node } from 'web-tree-sitter';
import { basename } from './commands';
import { commandArgs } from './tree';

export interface EmbeddedCode {
  /** The inner code, preceded by newlines and spaces so that its positions are those in the file. */
  code: string;
  /** What runs it, for messages: `sh -c`, `ssh`, `a crontab line`. */
  via: string;
  /** Run on a schedule or at boot (crontab, systemd): persistence when it runs model output. */
  scheduled?: boolean;
}

/** Strings handed over per file (a generated script with thousands of `sh -c` is cut here). */
const MAX_EMBEDDED = 64;
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'busybox']);
const DASH_C = /^-[a-zA-Z]*c[a-zA-Z]*$/;
/** ssh options that take a value. */
const SSH_VALUE_OPTS = /^-[46AaCfGgKkMNnqsTtVvXxYy]*[BbcDEeFIiJLlmOoPpQRSWw]$/;
/** Words that hint at a command in a string, to find candidates without walking every command. */
const TRIGGER = /(?:^|[\s;|&(`])(?:-[a-zA-Z]*c|ssh|watch|parallel|send-keys|send|eval)(?=\s)/gm;
const CRON_FIELD = '(?:[0-9*][0-9*/,-]*|[A-Za-z]{3}(?:-[A-Za-z]{3})?)';
const CRON_LINE = new RegExp(`^[ \\t]*(?:@(?:reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)|${CRON_FIELD}(?:[ \\t]+${CRON_FIELD}){4})[ \\t]+(?:root[ \\t]+(?=\\S))?`, 'gm');
const UNIT_LINE = /^[ \t]*Exec(?:Start|StartPre|StartPost|Stop|StopPost|Reload|Condition)=[-@:+!]*/gm;
/** Only code that names something the Bash rules look for is worth a parse. */
const WORTH = /[a-z]|:\s*\(\)/i;

/** The literal content of a quoted word and where it starts in the text, or undefined. */
function quotedContent(w: Node): { start: number; text: string } | undefined {
  if (w.type === 'raw_string') return { start: w.startIndex + 1, text: w.text.slice(1, -1) };
  if (w.type !== 'string') return undefined;
  if (w.namedChildren.some((c) => c && c.type !== 'string_content')) return undefined;
  // `\"`, `\$`, `` \` `` and `\\` keep their place: the backslash becomes a space
  return { start: w.startIndex + 1, text: w.text.slice(1, -1).replace(/\\([$`"\\\n])/g, ' $1') };
}

const lit = (w: Node | undefined): string | undefined => (w && (w.type === 'word' || w.type === 'number') ? w.text : undefined);

/** The word of `words` holding a command string, and what runs it. */
function commandString(words: Node[]): { word: Node; via: string }[] {
  const name = basename(lit(words[0]) ?? '');
  // a shell with -c anywhere in the line: sh -c, sudo sh -c, timeout 5 bash -c, docker exec x sh -c, xargs sh -c
  for (let i = 0; i < words.length; i++) {
    const shell = basename(lit(words[i]) ?? '');
    if (!SHELLS.has(shell)) continue;
    for (let j = i + 1; j < words.length && lit(words[j])?.startsWith('-'); j++) {
      if (DASH_C.test(lit(words[j])!) && words[j + 1]) return [{ word: words[j + 1]!, via: i === 0 ? `${shell} ${lit(words[j])}` : `${name} … ${shell} ${lit(words[j])}` }];
    }
  }
  if (name === 'su' || name === 'runuser' || name === 'script') {
    const j = words.findIndex((w, k) => k > 0 && (DASH_C.test(lit(w) ?? '') || lit(w) === '--command'));
    return j > 0 && words[j + 1] ? [{ word: words[j + 1]!, via: `${name} -c` }] : [];
  }
  if (name === 'eval' && words.length === 2) return [{ word: words[1]!, via: 'eval' }];
  if (name === 'ssh') {
    let j = 1;
    while (j < words.length && lit(words[j])?.startsWith('-') && lit(words[j]) !== '--') j += SSH_VALUE_OPTS.test(lit(words[j])!) ? 2 : 1;
    if (lit(words[j]) === '--') j++;
    j++; // the host
    if (lit(words[j]) === '--') j++;
    return j === words.length - 1 ? [{ word: words[j]!, via: 'ssh' }] : [];
  }
  if (name === 'watch') {
    let j = 1;
    while (j < words.length && lit(words[j])?.startsWith('-')) j += /^(-n|--interval|-q|--equexit)$/.test(lit(words[j])!) ? 2 : 1;
    return words[j] ? [{ word: words[j]!, via: 'watch' }] : [];
  }
  if (name === 'parallel') {
    const end = words.findIndex((w) => /^:::+$/.test(lit(w) ?? ''));
    const s = words.slice(1, end < 0 ? undefined : end).find((w) => w.type === 'raw_string' || w.type === 'string');
    return s ? [{ word: s, via: 'parallel' }] : [];
  }
  if (name === 'tmux' && words.some((w) => /^send(-keys)?$/.test(lit(w) ?? ''))) {
    // typed and entered: keys followed by Enter run; without it they wait on the command line
    const enter = words.findIndex((w) => /^(Enter|C-m|KPEnter)$/.test(lit(w) ?? ''));
    if (enter < 0) return [];
    return words.slice(1, enter).filter((w) => w.type === 'raw_string' || w.type === 'string').map((w) => ({ word: w, via: 'tmux send-keys … Enter' }));
  }
  return [];
}

/** Text of the file up to `index` turned into newlines and spaces, so the code after it keeps its position. */
function placed(text: string, index: number, code: string): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) rows++;
  return '\n'.repeat(rows) + ' '.repeat(index - lineStart) + code;
}

/** Commands in literal strings and in crontab and systemd lines of `root`, placed at their positions. */
export function embeddedBash(root: Node, text: string): EmbeddedCode[] {
  const out: EmbeddedCode[] = [];
  const seen = new Set<number>();
  const add = (start: number, code: string, via: string, scheduled?: boolean) => {
    if (out.length < MAX_EMBEDDED && code.trim() && WORTH.test(code)) out.push({ code: placed(text, start, code), via, ...(scheduled ? { scheduled } : {}) });
  };
  for (const m of text.matchAll(TRIGGER)) {
    let n: Node | null = root.descendantForIndex(m.index + m[0].length - 1);
    for (let up = 0; n && n.type !== 'command' && up < 4; up++) n = n.parent;
    if (!n || n.type !== 'command' || seen.has(n.id)) continue;
    seen.add(n.id);
    const name = n.childForFieldName('name');
    const words = [...(name ? [name.firstNamedChild ?? name] : []), ...commandArgs(n)];
    for (const { word, via } of commandString(words)) {
      const q = quotedContent(word);
      if (q) add(q.start, q.text, via);
    }
  }
  // crontab and systemd lines written by the script (here-documents, echo/printf strings)
  const cron = /cron/i.test(text);
  const unit = /Exec(Start|Stop|Reload|Condition)/.test(text);
  if (!cron && !unit) return out;
  for (const n of root.descendantsOfType(['heredoc_body', 'raw_string', 'string'])) {
    if (!n || (n.type === 'string' && n.parent?.type === 'string')) continue;
    const body = n.type === 'heredoc_body' ? n.text : n.text.slice(1, -1);
    const base = n.type === 'heredoc_body' ? n.startIndex : n.startIndex + 1;
    for (const [re, via, on] of [[CRON_LINE, 'a crontab line', cron], [UNIT_LINE, 'a systemd unit line', unit]] as const) {
      if (!on) continue;
      for (const m of body.matchAll(re)) {
        const from = m.index + m[0].length;
        const eol = body.indexOf('\n', from);
        // printf '...\n...': the line ends at a written `\n` too
        let line = body.slice(from, eol < 0 ? undefined : eol);
        if (n.type !== 'heredoc_body') line = line.replace(/\\n.*$/, '');
        add(base + from, line, via, true);
      }
    }
  }
  return out;
}
