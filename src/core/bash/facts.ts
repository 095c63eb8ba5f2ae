/** Facts about one Bash file, computed once and shared by the Bash rules. */
import { numberRef } from '../refs';
import type { Node, Tree } from 'web-tree-sitter';
import { runBashFlow, type FlowResult } from './dataflow';
import { enclosingLoops, isBackgrounded, isUnboundedLoop, literalText, namedChildren } from './tree';
import type { RawFinding, ReportsIncomplete } from '../rule';
import { scanText, type TextScan } from './scan';
import { findModelCli, nameLooksLikeModelWrapper, urlLooksLikeModelApi } from '../catalog';
import { Budget } from '../budget';
import { ConfirmationFinder } from './guard';
import type { ProjectContext } from '../analysers';

/** Cheap text tests: could this file call a model, read host lists, or persist itself at all? */
function mayNeedFlow(text: string, scan: TextScan, extra: readonly string[]): 'yes' | 'no' | 'if-source-names' | 'if-wrapper-names' {
  if (extra.length && extra.some((c) => text.includes(c.split(/\s+/)[0]!))) return 'yes';
  if (scan.host || (scan.persist && scan.selfMentions.length > 0)) return 'yes';
  if (scan.strong) return 'if-source-names';
  return scan.weak ? 'if-wrapper-names' : 'no';
}

/** `$RUN_AI`, `$LLM`, or `$cmd` where the file assigns cmd a model client: worth a dataflow. */
function variableMayHoldModel(shown: string, text: string, depth = 0, seen = new Set<string>()): boolean {
  // depth -1: only wrapper-like names count (the text names no model client at all)
  const weakOnly = depth < 0;
  const name = /^"?\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(shown)?.[1];
  if (!name) return !weakOnly; // `$(...)` as a command name: only the dataflow can tell
  if (seen.has(name)) return false;
  seen.add(name);
  if (nameLooksLikeModelWrapper(name)) return true;
  if (depth > 3) return true;
  const assign = new RegExp(`\\b${name}=(["']?)([^\\s"';)]+)`, 'g');
  for (let m = assign.exec(text); m; m = assign.exec(text)) {
    const v = m[2]!;
    if (v.startsWith('$(') || v.startsWith('`')) {
      if (!weakOnly) return true; // a command's output: only the dataflow can tell
      continue;
    }
    if (v.startsWith('$')) {
      if (variableMayHoldModel(v, text, weakOnly ? -1 : depth + 1, seen)) return true;
      continue;
    }
    const base = v.replace(/^.*\//, '');
    if (findModelCli(base) || nameLooksLikeModelWrapper(base)) return true;
  }
  return false;
}

/** Lines of the strong hints a quick look visits before walking every command name. */
const QUICK_LINES = 64;

/** Second, still cheap stage: does any command name look like a model client or a wrapper variable? */
function hasSourceNames(root: Node, text: string, strong: boolean, budget: Budget, strongAt: readonly number[]): boolean {
  // an endpoint spelled through a variable (`$OLLAMA_URL/api/generate`) still names its path or port
  const urls = urlLooksLikeModelApi(text) || /11434|\/api\/(generate|chat)\b|OLLAMA_HOST|OPENAI_BASE_URL|ANTHROPIC_BASE_URL/.test(text);
  const checked = new Set<string>();
  const looksLikeModel = (t: string) => {
    if (t.startsWith('$') || t.startsWith('"$')) return variableMayHoldModel(t, text, strong ? 0 : -1);
    const base = t.replace(/^.*\//, '');
    return !!(findModelCli(base) || nameLooksLikeModelWrapper(base) || (urls && /^(curl|wget|http|https|xh|curlie)$/.test(base)));
  };
  // First the command names on the lines that name a model client (the usual yes, without
  // walking the whole tree); the answer is the one the full walk below would give.
  for (const row of rowsOf(text, strongAt, QUICK_LINES)) {
    for (const n of root.descendantsOfType('command_name', { row, column: 0 }, { row: row + 1, column: 0 })) {
      const t = n?.text;
      if (t && looksLikeModel(t)) return true;
    }
  }
  for (const n of root.descendantsOfType('command_name')) {
    const t = n?.text;
    if (!t || checked.has(t)) continue;
    checked.add(t);
    // Out of time: say yes, and the dataflow notes where it stopped.
    if (budget.expired()) return true;
    if (looksLikeModel(t)) return true;
  }
  // `eval $llm` where a caller passes the wrapper script's path as an argument: the name stands in a word
  if (/\beval\s+["']?\$/.test(text)) {
    for (const n of root.descendantsOfType(['word', 'string_content'])) {
      const t = n?.text;
      if (t && !t.includes('$') && /[\w-]\.(py|sh|js|rb|pl)$|\//.test(t) && looksLikeModel(t)) return true;
    }
  }
  return false;
}

/** The distinct 0-based rows of sorted offsets, at most `max` of them. */
function rowsOf(text: string, offsets: readonly number[], max: number): number[] {
  const rows: number[] = [];
  let row = 0;
  let at = 0;
  for (const o of offsets) {
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < o; nl = text.indexOf('\n', nl + 1)) {
      row++;
      at = nl + 1;
    }
    if (rows[rows.length - 1] !== row) rows.push(row);
    if (rows.length >= max) break;
  }
  return rows;
}

/** `source lib.sh`, `. "$DIR/x.sh"`, `./run.sh`, `bash tools/x.sh`: the files a script may read or run, as written. */
const FILE_REFS = /(?:^|[\s;&|({])(?:source|\.)\s+("(?:\$\([^)\n]*\)|[^"\n])*"|'[^'\n]*'|[^\s;&|)]+)|([\w./${}()-]*[\w}]\.(?:sh|bash|zsh))\b|(?:^|[\s;&|({])(\.\/[\w.-]+)/gm;
/** Project files followed below an entry when deciding whether its dataflow is needed. */
const MAX_LINK_DEPTH = 3;

/**
 * Does the script source or run a project file that (itself or through files it links) may call a
 * model? Only then does a project give a script without model words of its own a dataflow.
 */
function linksToModelCode(ctx: ProjectContext, from: string, text: string, extra: readonly string[], visiting: Set<string>): boolean {
  for (const m of text.matchAll(FILE_REFS)) {
    // `"$(dirname "$0")/lib/x.sh"` seen from its end: `)/lib/x.sh`, a folder known at run time
    const path = ctx.view.resolveScript(from, m[1] ?? m[2]?.replace(/^[^/]*\)\//, '$D/') ?? m[3] ?? '');
    if (!path || visiting.has(path)) continue;
    const hit = ctx.view.memo(`bash-links-model:${path}`, () => {
      const src = ctx.view.source(path);
      if (!src || src.language !== 'bash') return false;
      if (mayNeedFlow(src.text, scanText(src.text, undefined), extra) !== 'no') return true;
      if (visiting.size >= MAX_LINK_DEPTH) return false;
      visiting.add(path);
      try {
        return linksToModelCode(ctx, path, src.text, extra, visiting);
      } finally {
        visiting.delete(path);
      }
    });
    if (hit) return true;
  }
  return false;
}

/** A fork bomb: `how` it multiplies (two copies through a pipe, copies in the background, in the background in a loop). */
export interface ForkBomb {
  name: string;
  fn: Node;
  calls: Node[];
  how: 'pipe' | 'background' | 'background-loop';
}

function isInside(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

export class BashFacts implements ReportsIncomplete {
  private flowResult: FlowResult | undefined;
  private scanCache: TextScan | undefined;
  private selfCallsCache: Node[] | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraModelCommands: readonly string[],
    /** The file's own name (basename), for self-invocation by name. */
    readonly ownName: string | undefined,
    private readonly budget: Budget = Budget.unlimited(),
    /** The project, when sourced files and scripts run by path are followed. */
    readonly project?: ProjectContext,
  ) {}

  private readonly memos = new Map<string, unknown>();
  /** A value computed once per file and shared by the rules that need it. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Everything decided from the text alone, in one pass. */
  get scan(): TextScan {
    this.scanCache ??= scanText(this.text, this.ownName);
    return this.scanCache;
  }

  /** The dataflow; skipped (empty) when nothing in the text could start a flow. */
  get flow(): FlowResult {
    if (!this.flowResult) {
      const hint = mayNeedFlow(this.text, this.scan, this.extraModelCommands);
      // in a project, a script that sources or runs another may get its model calls from there
      const needed =
        hint === 'yes' ||
        (hint !== 'no' && hasSourceNames(this.tree.rootNode, this.text, hint === 'if-source-names', this.budget, this.scan.strongAt)) ||
        (!!this.project && linksToModelCode(this.project, this.project.path, this.text, this.extraModelCommands, new Set([this.project.path])));
      this.flowResult = needed
        ? runBashFlow({ root: this.tree.rootNode, extraModelCommands: this.extraModelCommands, ownName: this.ownName, mentionsHostFiles: this.scan.host, functionDefs: this.structure().functions, budget: this.budget, project: this.project })
        : { modelCalls: [], effects: [], functions: new Map(), wrapperFunctions: new Set(), wrapperCalls: [], loopInputs: new Map() };
    }
    return this.flowResult;
  }

  /** Confirmations that guard an execution (`read -p "Run?"`, `confirm`), found on demand. */
  get confirmations(): ConfirmationFinder {
    return this.memo('confirmations', () => new ConfirmationFinder(this.tree.rootNode, this.text, this.flow.functions));
  }

  incompleteFindings(): RawFinding[] {
    return this.flow.effects
      .filter((e) => e.kind === 'incomplete')
      .map((e) => {
        const w = e.taint[0]?.steps[e.taint[0].steps.length - 1];
        return {
          category: 'model-output-execution' as const,
          range: e.range,
          message: `analysis incomplete: ${e.label} runs code from a file named only at run time, and this script writes model output to such a file${w ? ` (line ${numberRef(w.range)})` : ''}; Fang cannot tell whether it runs model output`,
          path: w ? [{ range: w.range, message: 'model output written to a file named at run time here' }, { range: e.range, message: `code of unknown origin run here by ${e.label}` }] : [],
          confidence: 'low' as const,
        };
      });
  }

  private functionsCache: [string, Node][] | undefined;
  /** Every function definition, in source order (a name may be defined twice). */
  functions(): [string, Node][] {
    if (this.functionsCache) return this.functionsCache;
    const out: [string, Node][] = [];
    for (const f of this.structure().functions) {
      const name = f.childForFieldName('name')?.text;
      if (name) out.push([name, f]);
    }
    this.functionsCache = out;
    return out;
  }

  private structureCache: { functions: Node[]; backgrounded: Node[] } | undefined;
  /** Function definitions and `&` tokens, found in one pass over the tree (only when the text can hold them). */
  structure(): { functions: Node[]; backgrounded: Node[] } {
    if (this.structureCache) return this.structureCache;
    // Found from the text, then confirmed in the tree: cheaper than walking every node.
    const functions: Node[] = [];
    const backgrounded: Node[] = [];
    const root = this.tree.rootNode;
    const seen = new Set<number>();
    for (const at of this.scan.functionHeads) {
      // `(` of `name()` is a child of the definition; after `function ` the name is
      let n: Node | null = root.descendantForIndex(at);
      for (let up = 0; n && n.type !== 'function_definition' && up < 3; up++) n = n.parent;
      if (n?.type === 'function_definition' && !seen.has(n.id)) {
        seen.add(n.id);
        functions.push(n);
      }
    }
    for (const at of this.scan.amps) {
      const n = root.descendantForIndex(at);
      if (n?.type === '&') backgrounded.push(n);
    }
    functions.sort((a, b) => a.startIndex - b.startIndex);
    this.structureCache = { functions, backgrounded };
    return this.structureCache;
  }

  private recursiveCache: { name: string; fn: Node; calls: Node[] }[] | undefined;
  /** Functions that call themselves, with those calls. */
  recursiveFunctions(): { name: string; fn: Node; calls: Node[] }[] {
    if (this.recursiveCache) return this.recursiveCache;
    this.recursiveCache = this.functions()
      .map(([name, fn]) => ({ name, fn, calls: selfCallsIn(fn, name) }))
      .filter((r) => r.calls.length > 0);
    return this.recursiveCache;
  }

  /** Recursive functions that start copies of themselves in parallel: two through a pipe, in the background, or in the background in an endless loop. */
  forkBombs(): ForkBomb[] {
    return this.memo('fork-bombs', () => {
      const out: ForkBomb[] = [];
      for (const { name, fn, calls } of this.recursiveFunctions()) {
        const piped = calls.filter((c) => c.parent?.type === 'pipeline' && c.parent.namedChildren.filter((x) => x && isCallOf(x, name)).length >= 2);
        const bg = calls.filter((c) => isBackgrounded(c));
        const bgInLoop = bg.filter((c) => enclosingLoops(c).some((l) => isInside(l, fn) && isUnboundedLoop(l)));
        if (piped.length >= 2 || (calls.length >= 2 && bg.length >= 1) || bgInLoop.length >= 1) {
          out.push({ name, fn, calls, how: piped.length >= 2 ? 'pipe' : bgInLoop.length && calls.length < 2 ? 'background-loop' : 'background' });
        }
      }
      return out;
    });
  }

  /** Commands that run this script again: `"$0"`, `bash "$0"`, `${BASH_SOURCE[0]}`, `./own-name.sh`. */
  selfCalls(): Node[] {
    if (this.selfCallsCache) return this.selfCallsCache;
    const out: Node[] = [];
    const seen = new Set<number>();
    for (const at of this.scan.selfMentions) {
      const m = { index: at };
      // only mentions in a command position or after a launcher: `"$0" ...`, `bash "$0"`, `nohup $0`
      const lineStart = this.text.lastIndexOf('\n', m.index) + 1;
      const before = this.text.slice(Math.max(lineStart, m.index - 80), m.index);
      if (!COMMAND_POSITION.test(before)) continue;
      // climb from the mention to the command it is a word of
      let n: Node | null = this.tree.rootNode.descendantForIndex(m.index);
      while (n && n.type !== 'command' && !STATEMENT_STOP.has(n.type)) n = n.parent;
      if (!n || n.type !== 'command' || seen.has(n.id)) continue;
      seen.add(n.id);
      if (this.invokesSelf(n)) out.push(n);
    }
    this.selfCallsCache = out;
    return out;
  }

  private invokesSelf(cmd: Node): boolean {
    const words = [cmd.childForFieldName('name'), ...cmd.childrenForFieldName('argument')].filter((n): n is Node => !!n);
    const isSelfWord = (w: Node | undefined): boolean => {
      if (!w) return false;
      const t = w.text.replace(/^"|"$/g, '');
      if (/^\$\{?0\}?$|^\$\{?BASH_SOURCE(\[0\])?\}?$/.test(t)) return true;
      const lit = literalText(w.type === 'command_name' ? w.namedChild(0) : w);
      return !!this.ownName && !!lit && lit.replace(/^.*\//, '') === this.ownName && /^(\.\/|\/)|\.(sh|bash)$/.test(lit);
    };
    // `command -v "$0"`, `type "$0"` look the name up without running it
    const firstLit = literalText(words[0]?.namedChild(0) ?? words[0]);
    if (firstLit === 'command' && /^-[vV]$/.test(literalText(words[1]) ?? '')) return false;
    // the command word itself, or after prefixes/interpreters: `bash "$0"`, `nohup "$0"`, `exec sudo "$0"`
    const skip = new Set(['bash', 'sh', 'zsh', 'dash', 'exec', 'sudo', 'nohup', 'setsid', 'env', 'command', 'time', 'nice', 'timeout', 'source', '.']);
    for (const w of words) {
      const lit = literalText(w.type === 'command_name' ? w.namedChild(0) : w);
      if (isSelfWord(w.type === 'command_name' ? (w.namedChild(0) ?? w) : w)) return true;
      if (lit === undefined || !(skip.has(lit.replace(/^.*\//, '')) || /^-/.test(lit) || /^\d+[smh]?$/.test(lit))) return false;
    }
    return false;
  }
}

export function isCallOf(cmd: Node, name: string): boolean {
  return cmd.type === 'command' && cmd.childForFieldName('name')?.text === name;
}

/** Calls of `name` inside the body of `fn`. */
export function selfCallsIn(fn: Node, name: string): Node[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  // cheap text test first: most functions never mention their own name
  const text = body.text;
  if (!text.includes(name)) return [];
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`(^|[\\s;|&({\`])${escaped}($|[\\s;|&)}])`).test(text)) return [];
  return body.descendantsOfType('command').filter((c): c is Node => !!c && isCallOf(c, name));
}

/** `name() {`, `name ()`, `function name {`: where a function definition may start. */

/** A lone `&` (not `&&`, `>&`, `&>`, `|&`). Group 1 is what precedes it. */


/** What may stand before a word that is run as a command: nothing, a separator, a launcher, a path prefix. */
const COMMAND_POSITION =
  /(^|[;&|({`]|\b(then|do|else|exec|bash|sh|zsh|dash|ksh|nohup|setsid|sudo|env|command|time|nice|timeout\s+\S+|source|\.|xargs|disown)|\$\()\s*["']?(\.\/|[\w./-]*\/)?$|^\s*(-\S+\s+)+["']?$/;

const STATEMENT_STOP = new Set(['program', 'function_definition', 'compound_statement', 'do_group', 'command_substitution', 'process_substitution', 'heredoc_body']);

export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && ['pipeline', 'redirected_statement', 'negated_command', 'list'].includes(n.parent.type)) n = n.parent;
  return n;
}

export { namedChildren };
