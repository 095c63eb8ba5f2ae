/**
 * What a command does with tainted text: runs it as code, runs a file written from it,
 * persists it, spreads it to other hosts or fans it out without a bound.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../types';
import { CLEAN, ofKind, union, type Taints } from './taint';
import type { Word } from './flow-state';
import { rangeOf } from './tree';
import { basename, codeFlagsOf, isCodeFlag, isInterpreter, SHELLS, RC_FILE, SYSTEMD_DIR, CRON_PATH, REMOTE_COMMANDS } from './commands';

export type EffectKind = 'exec' | 'file-exec' | 'persist' | 'spread' | 'fanout' | 'incomplete' | 'stage';

export interface Effect {
  kind: EffectKind;
  node: Node;
  range: Range;
  /** The sink as written: "`eval`", "`bash -c`", "`| python3`", "`crontab`". */
  label: string;
  taint: Taints;
}

interface FlowView {
  fileTaintOf(key: string): Taints;
  readonly ownFileName: string | undefined;
  /** Set once model output was written to a file whose name is only known at run time. */
  readonly dynamicModelWrite: Taints;
}

export type EffectInput =
  | { kind: 'command'; node: Node; words: Word[]; allWords: Word[]; stdin: Taints; flow: FlowView }
  | { kind: 'write'; node: Node; range: Range; path: string; taint: Taints; flow: FlowView };

const model = (t: Taints) => ofKind(t, 'model').filter((x) => x.origin.kind === 'model');
const modelOrSelf = (t: Taints) => t.filter((x) => x.origin.kind === 'model' || x.origin.kind === 'self');

export function classifyEffects(input: EffectInput): Effect[] {
  const out: Effect[] = [];
  const add = (kind: EffectKind, label: string, taint: Taints, node: Node = input.node) => {
    if (taint.length) out.push({ kind, node, range: input.kind === 'write' ? input.range : rangeOf(input.node), label, taint });
  };
  if (input.kind === 'write') {
    const p = input.path.replace(/^~|^\$HOME|^\$\{HOME\}/, '~');
    if (RC_FILE.test(p) || SYSTEMD_DIR.test(p) || CRON_PATH.test(p)) {
      add('persist', `a write to ${input.path}`, modelOrSelf(input.taint));
      // what is written there is run: by cron on its schedule, by systemd as a unit, by every new shell
      const runner = CRON_PATH.test(p) ? 'cron' : SYSTEMD_DIR.test(p) ? 'systemd' : 'every new shell';
      add('file-exec', `${runner} (as ${input.path})`, model(input.taint));
    }
    return out;
  }
  const { words, allWords, stdin, flow } = input;
  const name = words[0];
  if (!name) return out;
  // Every effect below needs tainted text somewhere (files read are in the words' taint), except
  // the analysis-incomplete case after a dynamic write of model output.
  if (stdin.length === 0 && flow.dynamicModelWrite.length === 0 && !allWords.some((w) => w.taint.length > 0)) return out;
  const base = name.lit !== undefined ? basename(name.lit) : undefined;
  const args = words.slice(1);
  const prefixes = allWords.slice(0, allWords.length - words.length).map((w) => basename(w.lit ?? ''));

  // A name that is not literal but carries model text: `$CMD`, `$(llm ...)`.
  if (name.lit === undefined) {
    // `"$tmp"` where tmp names a file written from model output: write-then-run, like `./f`
    const written = model(flow.fileTaintOf(name.key));
    if (written.length) add('file-exec', `\`${name.node.text}\``, written);
    else add('exec', `\`${name.node.text}\` used as a command`, model(name.taint));
  } else if (name.taint.length && name.lit !== undefined && base !== undefined && !isInterpreter(base)) {
    add('file-exec', `\`${name.node.text}\``, model(flow.fileTaintOf(name.key)));
  }

  if (base === 'eval') add('exec', '`eval`', model(union(...args.map((a) => a.taint))));
  else if (base === 'source' || base === '.') {
    const a = args[0];
    if (a?.node.type === 'process_substitution') add('exec', `\`${base} <(...)\``, model(a.taint));
    else if (a) add('file-exec', `\`${base} ${a.node.text}\``, model(flow.fileTaintOf(a.key)));
  } else if (base !== undefined && isInterpreter(base)) {
    interpreter(base, args, stdin, flow, add);
  } else if (base === 'xargs' || base === 'parallel') {
    xargsLike(base, args, stdin, add);
  } else if (base !== undefined && REMOTE_COMMANDS.has(base)) {
    const hosts = union(...args.map((a) => a.taint)).filter((t) => t.origin.kind === 'hosts');
    add('spread', `\`${base}\``, hosts);
    if (base === 'ssh') add('exec', '`ssh` (runs it on another host)', model(union(...args.slice(1).map((a) => a.taint))));
  } else if (base === 'trap' || base === 'watch') {
    add('exec', `\`${base}\``, model(args[0]?.taint ?? CLEAN));
  } else if ((base === 'su' || base === 'runuser' || base === 'script') && args.some((a) => a.lit === '-c')) {
    const i = args.findIndex((a) => a.lit === '-c');
    add('exec', `\`${base} -c\``, model(args[i + 1]?.taint ?? CLEAN));
  } else if ((base === 'print' && args.some((a) => a.lit !== undefined && /^-[a-y]*z/.test(a.lit))) || (base === 'zle' && args[0]?.lit === '-U')) {
    // zsh: `print -z TEXT` and `zle -U TEXT` push TEXT into the line editor, ready to run
    add('stage', `\`${base} ${base === 'zle' ? '-U' : '-z'}\``, model(union(...args.map((a) => a.taint))));
  } else if (base === 'tmux' && args.some((a) => a.lit === 'send-keys' || a.lit === 'send')) {
    // typed into a pane: run there when Enter follows, waiting for one keypress when it does not
    const keys = args.slice(args.findIndex((a) => a.lit === 'send-keys' || a.lit === 'send') + 1);
    const t = model(union(...keys.map((a) => a.taint)));
    const last = keys[keys.length - 1]?.lit;
    if (last !== undefined && /^(Enter|C-m|KPEnter|C-j)$/i.test(last)) add('exec', '`tmux send-keys` with Enter (runs it in the pane)', t);
    else add('stage', '`tmux send-keys` (typed, not yet entered)', t);
  } else if (base === 'xdotool' && args[0]?.lit === 'type') {
    add('stage', '`xdotool type`', model(union(...args.map((a) => a.taint))));
  } else if (base === 'at' || base === 'batch') {
    add('persist', `\`${base}\``, modelOrSelf(union(stdin, ...args.map((a) => a.taint))));
  } else if (base === 'crontab') {
    const fileArg = args.find((a) => a.lit !== undefined && !a.lit.startsWith('-'));
    const t = fileArg ? flow.fileTaintOf(fileArg.key) : args.some((a) => a.lit === '-l' || a.lit === '-r') && !args.some((a) => a.lit === '-') ? CLEAN : stdin;
    add('persist', '`crontab`', modelOrSelf(t));
    if (fileArg) add('file-exec', `\`crontab ${fileArg.node.text}\` (installs it as scheduled jobs)`, model(t));
  }

  // Code read from a file the analysis cannot name, in a script that writes model output to such a file.
  if (flow.dynamicModelWrite.length && !out.some((e) => e.kind === 'exec' || e.kind === 'file-exec')) {
    const code = codeWord(base, args);
    if (code && code.lit === undefined && model(code.taint).length === 0) {
      out.push({ kind: 'incomplete', node: input.node, range: rangeOf(input.node), label: `\`${base}\``, taint: flow.dynamicModelWrite });
    }
  }

  // `nohup "$0" &`, `setsid "$0"`: the script keeps itself alive.
  if ((prefixes.includes('nohup') || prefixes.includes('setsid')) && isSelf(name, flow)) {
    add('persist', `\`${prefixes.includes('nohup') ? 'nohup' : 'setsid'}\` of the script itself`, name.taint.filter((t) => t.origin.kind === 'self').length ? name.taint.filter((t) => t.origin.kind === 'self') : selfMarker(name));
  }

  // `docker run img sh -c "$x"`, `kubectl exec pod -- bash -c "$x"`: an interpreter further in.
  if (!out.some((e) => e.kind === 'exec')) {
    for (let i = 1; i + 2 < words.length + 1; i++) {
      const w = words[i]?.lit;
      const flag = words[i + 1]?.lit;
      const code = words[i + 2];
      if (w && flag && code && isInterpreter(w) && isCodeFlag(w, flag)) add('exec', `\`${basename(w)} ${flag}\``, model(code.taint));
    }
  }
  return out;
}

/** The word whose text or file a command runs: eval's argument, `-c` code, a script operand. */
function codeWord(base: string | undefined, args: Word[]): Word | undefined {
  if (base === undefined) return undefined;
  if (base === 'eval' || base === 'source' || base === '.') return args[0];
  if (!isInterpreter(base)) return undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.lit !== undefined && isCodeFlag(base, a.lit)) return args[i + 1];
    if (a.lit !== undefined && a.lit.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

function interpreter(base: string, args: Word[], stdin: Taints, flow: FlowView, add: (k: EffectKind, l: string, t: Taints) => void): void {
  const flags = codeFlagsOf(base);
  // `bash -n f`: a syntax check runs nothing
  if (SHELLS.has(base) && args.some((a) => a.lit !== undefined && /^-[a-mo-z]*n[a-z]*$/.test(a.lit) && !isCodeFlag(base, a.lit))) return;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.node.type === 'process_substitution') {
      add('exec', `\`${base} <(...)\``, model(a.taint));
      return;
    }
    if (a.lit !== undefined && isCodeFlag(base, a.lit)) {
      add('exec', `\`${base} ${a.lit}\``, model(args[i + 1]?.taint ?? CLEAN));
      return;
    }
    if (a.lit === '-s' || a.lit === '-') break;
    if (a.lit !== undefined && a.lit.startsWith('-')) {
      if (['-o', '-O', '+O', '-m', '-W', '-X'].includes(a.lit)) i++;
      continue;
    }
    if (flags.length || SHELLS.has(base)) {
      // the first operand is a script file
      add('file-exec', `\`${base} ${a.node.text}\``, model(flow.fileTaintOf(a.key)));
      return;
    }
    return;
  }
  add('exec', stdin.length ? `\`${base}\` reading its program from standard input` : `\`${base}\``, model(stdin));
}

function xargsLike(base: string, args: Word[], stdin: Taints, add: (k: EffectKind, l: string, t: Taints) => void): void {
  const withValue = new Set(['-I', '-i', '-P', '-n', '-L', '-l', '-d', '-E', '-e', '-s', '-a', '-j', '--jobs', '-S', '--sshlogin']);
  let unbounded = false;
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i]!.lit ?? '';
    if (w === ':::' || w === '::::') break;
    if (/^(-P|--max-procs=|-j|--jobs=)0$/.test(w) || ((w === '-P' || w === '-j' || w === '--jobs') && args[i + 1]?.lit === '0')) unbounded = true;
    if (/^-P0$|^--max-procs=0$|^-j0$/.test(w)) unbounded = true;
    if (withValue.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith('-')) continue;
    break;
  }
  const cmd = args[i];
  const listed = union(stdin, ...args.slice(args.findIndex((a) => a.lit === ':::') + 1 || args.length).map((a) => a.taint));
  const modelItems = model(listed);
  if (base === 'parallel' || unbounded) add('fanout', `\`${base}${unbounded && base === 'xargs' ? ' -P 0' : ''}\``, modelItems);
  const cmdName = cmd?.lit;
  if (cmdName !== undefined && REMOTE_COMMANDS.has(basename(cmdName))) {
    add('spread', `\`${base} ${basename(cmdName)}\``, listed.filter((t) => t.origin.kind === 'hosts'));
  }
  if (!cmd || cmdName === ':::' || cmdName === undefined) {
    if (base === 'parallel') add('exec', '`parallel` (runs each input line as a command)', modelItems);
    return;
  }
  if (isInterpreter(cmdName) || cmdName === '{}' || cmdName === 'eval') add('exec', `\`${base} ${basename(cmdName)}${args[i + 1]?.lit?.startsWith('-') ? ' ' + args[i + 1]!.lit : ''}\``, modelItems);
}

function isSelf(name: Word, flow: FlowView): boolean {
  if (name.taint.some((t) => t.origin.kind === 'self')) return true;
  const own = flow.ownFileName;
  return !!own && !!name.lit && basename(name.lit) === own;
}

function selfMarker(name: Word): Taints {
  return [{ origin: { kind: 'self', range: { start: { line: name.node.startPosition.row, column: name.node.startPosition.column }, end: { line: name.node.endPosition.row, column: name.node.endPosition.column } }, label: name.node.text }, steps: [] }];
}
