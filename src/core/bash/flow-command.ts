/**
 * The Bash dataflow's simple commands: model calls (and `eval $llm`), functions of the file,
 * project files sourced or run, builtins that move data into variables and files, and what the
 * command does with tainted text (effects.ts). Unknown commands pass their input and arguments on.
 */
import type { Node } from 'web-tree-sitter';
import { CLEAN, extend, union, type Taints } from './taint';
import { rangeOf } from './tree';
import { basename, matchModelCall, skipPrefixCommands, NO_DATA_OUTPUT, HOST_FILES } from './commands';
import { classifyEffects } from './effects';
import type { FlowState, Word } from './flow-state';
import { word } from './flow-words';
import { withRedirects } from './flow-stmt';
import { callFunction, projectScript, runScript, sourceFile } from './flow-invoke';

/** Programs whose first operand is a script they run. */
const SCRIPT_RUNNERS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'source', '.']);

export function command(w: FlowState, node: Node, stdin: Taints): Taints {
  const redirects = w.shape(node).redirects;
  if (redirects.length) return withRedirects(w, redirects, stdin, node, (input) => plainCommand(w, node, input));
  return plainCommand(w, node, stdin);
}

function plainCommand(w: FlowState, node: Node, stdin: Taints): Taints {
  const shape = w.shape(node);
  const nameNode = shape.name;
  for (const c of shape.assignments) {
    const v = w.nodes.field(c, 'value');
    if (v) word(w, v);
  }
  if (!nameNode) return CLEAN;
  const nameWord = word(w, nameNode);
  const args = shape.args.map((a) => word(w, a));
  let words: Word[] = [nameWord, ...args];

  // `$LLM prompt` where LLM="ollama run llama3": split the literal value into words.
  if (nameWord.lit !== undefined && /\s/.test(nameWord.lit.trim()) && nameNode.type !== 'word') {
    const parts = nameWord.lit.trim().split(/\s+/);
    words = [...parts.map((p) => ({ node: nameNode, lit: p, key: p, taint: CLEAN })), ...args];
  }
  // `env KEY="$x" sgpt ...`: an assignment word is skipped even when its value is not literal
  const lits = words.map((x) => x.lit ?? (/^[A-Za-z_][A-Za-z0-9_]*=/.test(x.key) ? x.key : undefined));
  const { index: start } = skipPrefixCommands(lits);
  const real = start >= 0 ? words.slice(start) : words;
  const name = real[0]?.lit;

  // `source lib.sh` / `. "$DIR/lib.sh"` of a project file: it runs in this shell.
  if ((name === 'source' || name === '.') && real[1]) {
    const src = projectScript(w, node, real[1].key);
    if (src) return sourceFile(w, src, stdin);
  }
  // `./tool.sh args`, `bash tools/x.sh args`: another script of the project, run with these arguments.
  const runs = real.some((x) => /^-[a-z]*c$/.test(x.key)) ? -1 : name !== undefined && SCRIPT_RUNNERS.has(basename(name)) ? real.findIndex((x, i) => i > 0 && !x.key.startsWith('-')) : real[0] && /\/|\.(sh|bash)$/.test(real[0].key) ? 0 : -1;
  const script = runs >= 0 ? projectScript(w, node, real[runs]!.key) : undefined;
  if (script) return runScript(w, script, real.slice(runs + 1), stdin, node);
  // A shell function defined in this file.
  if (name !== undefined && w.functions.has(name)) {
    const f = w.functions.get(name)!;
    const out = callFunction(w, name, f, real.slice(1).map((x) => x.taint), stdin, node, real.slice(1).map((x) => x.lit), real.slice(1).map((x) => x.key));
    // A function whose body calls a model is a model wrapper by what it does: this call asks the model.
    const inner = w.wrapperInner.get(name);
    if (inner) {
      w.markWrappers(inner);
      if (!w.wrapperCalls.has(node.id)) w.wrapperCalls.set(node.id, { node, range: rangeOf(node), name, inner });
    }
    return extend(out, node, `returned by ${name}() here`);
  }

  // `eval $llm` where $llm names a model client or wrapper (not model output): that command runs
  const evalLine = name === 'eval' && real.length > 1 && !real.some((x) => x.taint.some((t) => t.origin.kind === 'model'))
    ? real.slice(1).map((x) => x.key).join(' ').trim().split(/\s+/)
    : undefined;
  const shown = nameNode.text;
  const completionSetup = shape.assignments.some((a) => /_COMPLETE=/.test(a.text));
  const match = evalLine && !completionSetup
    ? matchModelCall(evalLine.map((x) => x.replace(/^["']|["']$/g, '')), `eval ${evalLine.join(' ')}`.slice(0, 60), w.extraModelCommands)
    : real[0] && !completionSetup ? matchModelCall(real.map((x, i) => (i === 0 ? x.lit : (x.lit ?? x.key))), start > 0 ? (real[0].lit ?? shown) : shown, w.extraModelCommands) : undefined;
  let out: Taints = CLEAN;
  if (match) {
    let call = w.calls.get(node.id);
    if (!call) {
      call = { node, range: rangeOf(node), ...match };
      w.calls.set(node.id, call);
    }
    w.markWrappers(call);
    // One origin per call, however often a loop or function body is evaluated again.
    let produced = w.callTaints.get(node.id);
    if (!produced) {
      produced = [{ origin: { kind: 'model', call, range: call.range, label: call.label }, steps: [{ range: call.range, message: `model output produced by ${call.label} here` }] }];
      w.callTaints.set(node.id, produced);
    }
    out = produced;
  }

  const base = name !== undefined ? basename(name) : undefined;
  builtins(w, base, real, stdin, node);
  w.recordEffects(classifyEffects({ kind: 'command', node, words: real, allWords: words, stdin, flow: w }));

  if (match) return out;
  if (base !== undefined && NO_DATA_OUTPUT.has(base)) return CLEAN;
  if (w.mentionsHostFiles && base !== undefined && real.some((x, i) => i > 0 && HOST_FILES.test(x.key))) {
    const hosts = w.originAt('hosts', node, () => real.map((x) => x.key).find((k) => HOST_FILES.test(k)) ?? 'host list');
    out = union(out, [{ origin: hosts, steps: [{ range: rangeOf(node), message: `host names read from ${hosts.label} here` }] }]);
  }
  // Unknown commands pass their input and arguments on to their output.
  let passed: Taints = union(out, stdin, nameWord.taint);
  for (let i = 1; i < real.length; i++) if (real[i]!.taint.length) passed = union(passed, real[i]!.taint);
  return passed;
}

/** Builtins that move data into variables or files. */
function builtins(w: FlowState, base: string | undefined, words: Word[], stdin: Taints, node: Node): void {
  if (base === 'read' || base === 'mapfile' || base === 'readarray') {
    const names: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const x = words[i]!.lit ?? '';
      // options that take a value: read -p -d -n -N -t -u; mapfile -d -n -O -s -u -C -c
      if (base === 'read' ? /^-[pdntNu]$/.test(x) : /^-[dnOsuCc]$/.test(x)) {
        i++;
        continue;
      }
      if (x === '-a') {
        const n = words[i + 1]?.lit;
        if (n) names.push(n);
        i++;
        continue;
      }
      if (x.startsWith('-')) continue;
      names.push(x);
    }
    if (names.length === 0) names.push(base === 'read' ? 'REPLY' : 'MAPFILE');
    for (const n of names) w.setVar(n, extend(stdin, node, `read into ${n} here`), undefined);
  } else if (base === 'printf' && words[1]?.lit === '-v' && words[2]?.lit) {
    const n = words[2].lit;
    w.setVar(n, extend(union(...words.slice(3).map((x) => x.taint)), rangeOf(node), `formatted into ${n} here`), undefined);
  } else if (base === 'tee') {
    for (const x of words.slice(1)) if (!x.key.startsWith('-')) w.writeFile(x.key, stdin, rangeOf(node), words.some((y) => y.lit === '-a'), node);
  } else if ((base === 'cp' || base === 'mv' || base === 'install') && words.length >= 3) {
    const src = words[words.length - 2]!;
    const dst = words[words.length - 1]!;
    const t = w.fileTaintOf(src.key);
    if (t.length) w.writeFile(dst.key, t, rangeOf(node), false, node);
  }
}
