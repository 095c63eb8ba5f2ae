/**
 * Which files a Bash command runs (`bash f.sh`, `./f.sh`, `source f.sh`, `node f.js`,
 * `python f.py`, behind `sudo`/`env`/`timeout` and after `cd DIR &&`), which code it runs inline
 * (`bash -c '...'`, `node -e '...'`), and which files it writes itself, with what where the text
 * is literal (`cat > f.sh <<'EOF'`, `echo '...' > f.sh`, `printf`, `cp a.sh f.sh`) and by whom
 * where it is not (`curl -o f.sh`, `llm ... > f.sh`). Reads the tree only: the caller reads files.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Range } from '../types';
import { basename, isCodeFlag, skipPrefixCommands, SHELLS } from './commands';
import { commandArgs, commandNameNode, literalText, namedChildren, rangeOf } from './tree';

export interface ScriptRun {
  /** How the command names the run, for messages: `bash`, `source`, `./loop.sh`, `node`. */
  via: string;
  /** The file as written (relative to `dir` or the command's working directory); unset for inline code. */
  file?: string;
  /** Inline code (`bash -c CODE`, `node -e CODE`). */
  code?: string;
  /** Set when the file or the code is not a literal word (`bash "$f"`): Fang cannot know what runs. */
  dynamic?: string;
  /** The language the interpreter implies; unset for a file run directly (`./f`: its name or `#!` decides). */
  language?: string;
  /** The directory of the last literal `cd DIR` before it in the command, as written. */
  dir?: string;
  range: Range;
}

export interface WrittenFile {
  file: string;
  dir?: string;
  /** The text written, when the command spells it out (a here-document, `echo`/`printf` of literals). */
  content?: string;
  /** `cp SRC file`: the file gets SRC's content (as written, relative like `file`). */
  copyOf?: string;
  /** The command that writes it, for messages: `cat`, `curl`, `a redirect of llm`. */
  by: string;
  range: Range;
}

export interface CommandScripts {
  runs: ScriptRun[];
  /** Files the command writes, in order; a run after a write of the same file runs what was written. */
  written: WrittenFile[];
}

const JS_RUNNERS = new Set(['node', 'nodejs', 'bun', 'deno', 'tsx', 'ts-node', 'ts-node-esm', 'esno', 'vite-node']);
/** Options that take a value, per interpreter family. */
const OPTS_WITH_VALUE: Record<string, Set<string>> = {
  shell: new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']),
  js: new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--input-type', '--tsconfig', '-P', '--project']),
  python: new Set(['-W', '-X', '-Q']),
};

export function scriptRuns(tree: Tree): CommandScripts {
  const out: CommandScripts = { runs: [], written: [] };
  let dir: string | undefined;
  const visit = (n: Node): void => {
    if (n.type === 'command') {
      const w = commandWrite(n);
      if (w) out.written.push({ ...w, ...(dir !== undefined ? { dir } : {}) });
      dir = command(n, dir, out.runs);
      return;
    }
    if (n.type === 'redirected_statement') {
      const body = n.childForFieldName('body');
      if (body) visit(body);
      const w = redirectWrite(n, body);
      if (w) out.written.push({ ...w, ...(dir !== undefined ? { dir } : {}) });
      for (const c of namedChildren(n)) if (c !== body) visit(c);
      return;
    }
    for (const c of namedChildren(n)) visit(c);
  };
  visit(tree.rootNode);
  return out;
}

/** Records the run a command makes; returns the working directory after it (`cd DIR`). */
function command(cmd: Node, dir: string | undefined, runs: ScriptRun[]): string | undefined {
  const nameNode = commandNameNode(cmd);
  const argNodes = commandArgs(cmd);
  const nodes = [nameNode, ...argNodes];
  const words = nodes.map((w) => literalText(w));
  const { index } = skipPrefixCommands(words);
  if (index < 0) return dir;
  const name = words[index];
  if (name === undefined) return dir;
  const rest = nodes.slice(index + 1);
  const at = rangeOf(cmd);
  const base = basename(name);
  if (base === 'cd' && index === 0) {
    const target = literalText(argNodes[0]);
    if (target === undefined || target === '-') return undefined;
    return dir === undefined || target.startsWith('/') || target.startsWith('~') ? target : `${dir}/${target}`;
  }
  const push = (r: Omit<ScriptRun, 'range' | 'dir'>) => runs.push({ ...r, range: at, ...(dir !== undefined ? { dir } : {}) });
  if (base === 'source' || base === '.') {
    const file = rest[0];
    if (file) push(fileOrDynamic(base, file, 'bash'));
    return dir;
  }
  if (SHELLS.has(base)) {
    interpreted(name, rest, 'shell', 'bash', push);
    return dir;
  }
  if (JS_RUNNERS.has(base) || (base === 'npx' && JS_RUNNERS.has(words[index + 1] ?? ''))) {
    const args = base === 'npx' ? rest.slice(1) : rest;
    const runner = base === 'npx' ? words[index + 1]! : base;
    // `deno run f.ts`, `bun run f.ts`: the subcommand first
    const sub = literalText(args[0]);
    const skip = (runner === 'deno' || runner === 'bun') && sub !== undefined && /^(run|x)$/.test(sub) ? 1 : 0;
    interpreted(runner, args.slice(skip), 'js', /^(tsx|ts-node|ts-node-esm|esno|vite-node)$/.test(runner) ? 'typescript' : 'javascript', push);
    return dir;
  }
  if (/^(python|pypy)(\d(\.\d+)?)?$/.test(base)) {
    interpreted(name, rest, 'python', 'python', push);
    return dir;
  }
  // `./loop.sh`, `/tmp/x`, `bin/run`: the file itself, its name or `#!` line says the language
  if (name.includes('/')) push({ via: name, file: name });
  return dir;
}

/** `bash [opts] FILE`, `bash -c CODE`, `node -e CODE`, `python -m mod` (no file). */
function interpreted(
  interp: string,
  args: (Node | null)[],
  family: 'shell' | 'js' | 'python',
  language: string,
  push: (r: Omit<ScriptRun, 'range' | 'dir'>) => void,
): void {
  for (let i = 0; i < args.length; i++) {
    const node = args[i];
    if (!node) return;
    const w = literalText(node);
    if (w === undefined) {
      push({ via: interp, dynamic: node.text, language });
      return;
    }
    if (isCodeFlag(interp, w) || (family === 'js' && /^(-e|--eval|-p|--print)$/.test(w)) || (family === 'python' && w === '-c')) {
      const codeNode = args[i + 1];
      if (!codeNode) return;
      const code = literalText(codeNode);
      push(code === undefined ? { via: `${interp} ${w}`, dynamic: codeNode.text, language } : { via: `${interp} ${w}`, code, language });
      return;
    }
    if (family === 'python' && w === '-m') return; // a module, not a file
    if (family === 'shell' && /^-[a-zA-Z]*n[a-zA-Z]*$/.test(w)) return; // `bash -n f.sh` reads, never runs
    if (w === '-' || w === '--') return; // the program comes from standard input: the rules see the pipe
    if (w.startsWith('-') || (family === 'shell' && w.startsWith('+'))) {
      if (OPTS_WITH_VALUE[family]!.has(w)) i++;
      continue;
    }
    push({ via: interp, file: w, language: family === 'js' ? jsLanguage(w, language) : language });
    return;
  }
}

function jsLanguage(file: string, fallback: string): string {
  if (/\.(ts|mts|cts)$/.test(file)) return 'typescript';
  if (/\.tsx$/.test(file)) return 'tsx';
  if (/\.(js|mjs|cjs|jsx)$/.test(file)) return 'javascript';
  return fallback;
}

function fileOrDynamic(via: string, node: Node, language: string): Omit<ScriptRun, 'range' | 'dir'> {
  const file = literalText(node);
  return file === undefined ? { via, dynamic: node.text, language } : { via, file, language };
}

type Write = Omit<WrittenFile, 'dir'>;

/** `cat > f.sh <<'EOF'`, `tee f.sh <<EOF`, `echo '...' > f.sh`, `printf ... >> f.sh`, `llm x > f.sh`. */
function redirectWrite(stmt: Node, body: Node | null): Write | undefined {
  const redirects = stmt.childrenForFieldName('redirect').filter((r): r is Node => r !== null);
  const heredoc = redirects.find((r) => r.type === 'heredoc_redirect');
  const heredocText = heredoc ? namedChildren(heredoc).find((c) => c.type === 'heredoc_body')?.text : undefined;
  const cmd = !body ? undefined : body.type === 'command' ? body : lastCommand(body);
  const name = cmd ? literalText(commandNameNode(cmd)) : undefined;
  const range = rangeOf(stmt);
  if (name === 'tee' && cmd && heredocText !== undefined) {
    const file = commandArgs(cmd).map((a) => literalText(a)).find((w) => w !== undefined && !w.startsWith('-'));
    return file ? { file, content: heredocText, by: 'tee', range } : undefined;
  }
  const toFile = [...redirects, ...(heredoc ? namedChildren(heredoc) : [])].find((r) => r.type === 'file_redirect' && /^(>|>>|>\||&>|&>>)$/.test(r.child(0)?.text ?? ''));
  const file = literalText(toFile?.childForFieldName('destination'));
  if (!file || file.startsWith('/dev/')) return undefined;
  if (name === 'cat' && heredocText !== undefined) return { file, content: heredocText, by: 'cat', range };
  const printed = cmd && (name === 'echo' || name === 'printf') ? printedText(name, commandArgs(cmd)) : undefined;
  if (printed !== undefined) return { file, content: printed, by: name!, range };
  return { file, by: name ? `\`${name}\`` : 'a redirect', range };
}

/** What `echo`/`printf` of literal words prints; undefined when a word is not literal. */
function printedText(name: string, args: Node[]): string | undefined {
  const words = args.map((a) => literalText(a));
  if (words.some((w) => w === undefined)) return undefined;
  const unescape = (t: string) => t.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
  if (name === 'echo') {
    let i = 0;
    let escapes = false;
    while (i < words.length && /^-[neE]+$/.test(words[i]!)) escapes ||= words[i++]!.includes('e');
    const text = `${words.slice(i).join(' ')}\n`;
    return escapes ? unescape(text) : text;
  }
  const [format = '', ...rest] = words as string[];
  let k = 0;
  const out = unescape(format).replace(/%[sb]/g, () => rest[k++] ?? '');
  return k < rest.length ? `${out}\n${rest.slice(k).join('\n')}` : out;
}

/** Writers named by their arguments: `cp a.sh b.sh`, `curl -o f.sh URL`, `wget -O f.sh`, `tee f.sh`, `dd of=f`. */
function commandWrite(cmd: Node): Write | undefined {
  const name = literalText(commandNameNode(cmd));
  if (!name) return undefined;
  const args = commandArgs(cmd).map((a) => literalText(a));
  const range = rangeOf(cmd);
  const base = basename(name);
  if (base === 'cp' || base === 'mv' || base === 'install' || base === 'ln') {
    const plain = args.filter((a): a is string => a !== undefined && !a.startsWith('-'));
    if (args.some((a) => a === undefined) || plain.length !== 2 || plain[1]!.endsWith('/')) return undefined;
    return { file: plain[1]!, copyOf: plain[0]!, by: `\`${base}\``, range };
  }
  const valueOf = (flags: string[]) => {
    const i = args.findIndex((a) => a !== undefined && flags.includes(a));
    return i >= 0 ? args[i + 1] : args.find((a) => a !== undefined && flags.some((f) => f.startsWith('--') && a.startsWith(`${f}=`)))?.replace(/^[^=]*=/, '');
  };
  let file: string | undefined;
  if (base === 'curl') file = valueOf(['-o', '--output']);
  else if (base === 'wget') file = valueOf(['-O', '--output-document']);
  else if (base === 'tee') file = args.find((a) => a !== undefined && !a.startsWith('-'));
  else if (base === 'dd') file = args.find((a) => a?.startsWith('of='))?.slice(3);
  return file && file !== '-' && !file.startsWith('/dev/') ? { file, by: `\`${base}\``, range } : undefined;
}

function lastCommand(n: Node): Node | undefined {
  const kids = namedChildren(n);
  for (let i = kids.length - 1; i >= 0; i--) {
    const k = kids[i]!;
    if (k.type === 'command') return k;
    const inner = lastCommand(k);
    if (inner) return inner;
  }
  return undefined;
}
