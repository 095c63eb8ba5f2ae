/** What Bash commands mean to Fang: model clients, interpreters, wrappers, quiet commands. */
import { HOUSEKEEPING, agentApprovalsOff, findModelCli, nameLooksLikeModelWrapper, urlLooksLikeModelApi, MODEL_BASE_URL_VARS } from '../catalog';

export function basename(name: string): string {
  return name.replace(/^.*\//, '');
}

/** Commands that run the rest of their words as a command: `sudo x`, `nohup x`, `timeout 5 x`. */
const PREFIX_COMMANDS: Record<string, { optsWithValue?: string[]; positional?: number }> = {
  sudo: { optsWithValue: ['-u', '-g', '-C', '-D', '-h', '-p', '-U', '-r', '-t'] },
  doas: { optsWithValue: ['-u', '-C'] },
  env: { optsWithValue: ['-u', '-C', '-S'] },
  nohup: {},
  setsid: {},
  time: {},
  command: {},
  builtin: {},
  exec: { optsWithValue: ['-a'] },
  nice: { optsWithValue: ['-n'] },
  ionice: { optsWithValue: ['-c', '-n', '-p'] },
  stdbuf: { optsWithValue: ['-i', '-o', '-e'] },
  timeout: { optsWithValue: ['-s', '-k', '--signal', '--kill-after'], positional: 1 },
  chronic: {},
  caffeinate: {},
  unbuffer: {},
  'cpulimit': { optsWithValue: ['-l', '-p'] },
};

/**
 * Index of the word that is the real command after prefix commands, or -1 when none.
 * `words[i]` is the literal text, undefined where not literal.
 */
export function skipPrefixCommands(words: (string | undefined)[]): { index: number; prefixes: string[] } {
  const prefixes: string[] = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (w === undefined) break;
    const spec = PREFIX_COMMANDS[basename(w)];
    if (!spec) break;
    if (basename(w) === 'command' && (words[i + 1] === '-v' || words[i + 1] === '-V')) break;
    prefixes.push(basename(w));
    i++;
    let positional = spec.positional ?? 0;
    while (i < words.length) {
      const a = words[i];
      if (a === undefined) break;
      if (basename(w) === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
        i++;
        continue;
      }
      if (a === '--') {
        i++;
        break;
      }
      if (a.startsWith('-') && a.length > 1) {
        i += spec.optsWithValue?.includes(a) ? 2 : 1;
        continue;
      }
      if (positional > 0) {
        positional--;
        i++;
        continue;
      }
      break;
    }
  }
  return { index: i < words.length ? i : -1, prefixes };
}

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'busybox', 'yash']);

/** Interpreters and the flag after which their code stands. */
export const CODE_FLAGS: Record<string, string[]> = {
  sh: ['-c'],
  bash: ['-c'],
  zsh: ['-c'],
  dash: ['-c'],
  ksh: ['-c'],
  mksh: ['-c'],
  ash: ['-c'],
  fish: ['-c', '--command'],
  yash: ['-c'],
  python: ['-c'],
  python2: ['-c'],
  python3: ['-c'],
  pypy3: ['-c'],
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  lua: ['-e'],
  Rscript: ['-e'],
  osascript: ['-e'],
  pwsh: ['-c', '-Command', '-command'],
  powershell: ['-c', '-Command', '-command'],
  tclsh: [],
  awk: [],
};

const INTERPRETERS = new Set([...Object.keys(CODE_FLAGS), ...SHELLS]);

export function isInterpreter(name: string): boolean {
  const b = name.includes('/') ? basename(name) : name;
  return INTERPRETERS.has(b) || /^(python|pypy)\d(\.\d+)?$/.test(b);
}

export function codeFlagsOf(name: string): string[] {
  const b = basename(name);
  if (/^python\d(\.\d+)?$/.test(b)) return ['-c'];
  return CODE_FLAGS[b] ?? [];
}

/** True when `word` is a code flag of the interpreter, including bundles like `-ec`, `-lc`. */
export function isCodeFlag(interp: string, word: string): boolean {
  const flags = codeFlagsOf(interp);
  if (flags.includes(word)) return true;
  if (SHELLS.has(basename(interp)) && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(word) && !word.startsWith('--')) return true;
  return false;
}


export interface ModelCallMatch {
  kind: 'cli' | 'http' | 'wrapper';
  confidence: 'high' | 'low';
  label: string;
  reason: string;
  /** A coding agent started with its approvals off: the flag or subcommand that does it. */
  approvalsOff?: string;
}

/**
 * The subcommand among `words` (after the program name): global flags may stand before it,
 * and a short flag may take the next word as its value (`codex -C dir exec`).
 */
export function findSubcommand(words: readonly (string | undefined)[], subs: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) return undefined;
    if (subs.includes(w)) return w;
    if (w.startsWith('-')) continue;
    const prev = words[i - 1];
    if (prev !== undefined && /^-[A-Za-z]$/.test(prev)) continue; // the value of a short flag
    return undefined;
  }
  return undefined;
}

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie', 'httpie', 'aria2c']);

/**
 * Decides whether a command (its resolved literal words; undefined where a word is dynamic) is
 * a model call. `shown` is how the command name is written in the source (`$RUN_AI`).
 */
export function matchModelCall(words: (string | undefined)[], shown: string, extraCommands: readonly string[]): ModelCallMatch | undefined {
  const name = words[0];
  if (name === undefined) {
    // `$RUN_AI "..."` with RUN_AI set outside the script: the variable's name is all there is
    const v = /^"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?$/.exec(shown)?.[1];
    if (v && nameLooksLikeModelWrapper(v)) {
      return { kind: 'wrapper', confidence: 'low', label: `\`${shown}\``, reason: 'a variable named like a model wrapper, set outside this script (lower confidence)' };
    }
    return undefined;
  }
  const base = basename(name.trim().split(/\s+/)[0] ?? '');
  const via = shown !== name ? ` (${name})` : '';
  const cli = findModelCli(base, extraCommands);
  if (cli) {
    const first = words[1];
    const rest = words.slice(1);
    const approvalsOff = agentApprovalsOff(cli, rest);
    const agent = approvalsOff ? { approvalsOff } : {};
    if (cli.sub && cli.sub.length > 0) {
      const sub = findSubcommand(rest, cli.sub);
      if (sub === undefined) return undefined;
      // `gh copilot alias -- bash`, `ollama run --help`: setup, not a question to the model
      if (rest.slice(rest.indexOf(sub) + 1).some((w) => w !== undefined && HOUSEKEEPING.has(w) && w !== 'show' && w !== 'create')) return undefined;
      return { kind: 'cli', confidence: 'high', label: `\`${shown} ${sub}\`${via}`, reason: 'a language-model CLI', ...agent };
    }
    if (first !== undefined && HOUSEKEEPING.has(first)) return undefined;
    return { kind: 'cli', confidence: 'high', label: `\`${shown}\`${via}`, reason: cli.agent ? 'a coding-agent CLI' : 'a language-model CLI', ...agent };
  }
  if (HTTP_CLIENTS.has(base)) {
    for (const w of words.slice(1)) {
      if (w === undefined) continue;
      const ollamaPath = /\/api\/(generate|chat)\b/.test(w) && /OLLAMA|11434/i.test(w);
      if (ollamaPath || urlLooksLikeModelApi(w) || MODEL_BASE_URL_VARS.some((v) => w.includes(`$${v}`) || w.includes(`\${${v}`))) {
        const host = /https?:\/\/([^/\s"']+)/.exec(w)?.[1] ?? w.replace(/^.*?(\/v1\/|\/api\/)/, '$1');
        return { kind: 'http', confidence: 'high', label: `\`${base}\` to ${host}`, reason: 'an HTTP request to a model API' };
      }
    }
    return undefined;
  }
  if (nameLooksLikeModelWrapper(name) || nameLooksLikeModelWrapper(shown.replace(/^[$"{]+|[}"]+$/g, ''))) {
    const first = words[1];
    if (first !== undefined && HOUSEKEEPING.has(first)) return undefined;
    return {
      kind: 'wrapper',
      confidence: 'low',
      label: `\`${shown}\`${via}`,
      reason: 'a name that stands for a model wrapper (lower confidence: Fang cannot see its body)',
    };
  }
  return undefined;
}

/** Commands whose standard output carries nothing of their input or arguments. */
export const NO_DATA_OUTPUT = new Set([
  'cd', 'chmod', 'chown', 'mkdir', 'rm', 'rmdir', 'touch', 'sleep', 'wait', 'kill', 'true', 'false', ':', 'exit',
  'return', 'shift', 'set', 'shopt', 'test', '[', '[[', 'trap', 'ulimit', 'umask', 'unset', 'export', 'local',
  'declare', 'readonly', 'typeset', 'alias', 'unalias', 'hash', 'pushd', 'popd', 'ln', 'sync', 'break', 'continue',
]);

export const RC_FILE = /(^|\/)(\.bashrc|\.bash_profile|\.bash_login|\.profile|\.zshrc|\.zprofile|\.zshenv|\.kshrc|\.config\/fish\/config\.fish)$|^\/etc\/(profile|bash\.bashrc|profile\.d\/)/;
export const SYSTEMD_DIR = /(^|\/)(etc\/systemd\/system|\.config\/systemd\/user|lib\/systemd\/system)\//;
export const CRON_PATH = /^\/etc\/cron|\/var\/spool\/cron/;
export const HOST_FILES = /known_hosts|\.bash_history|\.zsh_history|\.ssh\/config|\/etc\/hosts\b|\.ssh\/authorized_keys/;
export const REMOTE_COMMANDS = new Set(['ssh', 'scp', 'rsync', 'sshpass', 'pssh', 'parallel-ssh', 'pdsh', 'mosh', 'sftp']);
