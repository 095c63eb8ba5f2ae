/** Facts about one Python file, computed once and shared by the py-* rules. */
import type { Node, Tree } from 'web-tree-sitter';
import { Budget, isStackOverflow } from '../budget';
import { MODEL_API_HOSTS, MODEL_BASE_URL_VARS, PYTHON_SDK_MODULES } from '../catalog';
import { numberRef } from '../refs';
import type { RawFinding, ReportsIncomplete } from '../rule';
import { wouldBeCategory } from '../rules/analysis-incomplete';
import { collectErrors } from '../tree-util';
import type { Range } from '../types';
import type { ProjectContext } from '../analysers';
import { PyFlow } from './dataflow';
import type { PyFlowResult } from './results';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Could this text call a model at all? An SDK import, an endpoint, a model CLI in a string, a wrapper's name. */
const MODEL_HINT = new RegExp(
  [
    `\\b(import|from)\\s+(${PYTHON_SDK_MODULES.map(esc).join('|')}|langchain\\w*|langgraph|llama_index)\\b`,
    MODEL_API_HOSTS.map(esc).join('|'),
    'v1/(chat/)?completions|v1/messages|v1/responses|chat/completions|:11434|generateContent',
    MODEL_BASE_URL_VARS.join('|'),
    // a wrapper by its name: `ask_llm`, `query_model`, `call_openai`, `from .llm import`
    '\\b(ask|query|prompt|call|complete|chat|invoke|generate|run)_?(llm|LLM|gpt|GPT|ai|AI|model|Model|claude|gemini|openai|ollama)\\b',
    'from\\s+\\.+(llm|gpt|ai|openai|anthropic|claude|gemini|ollama)\\b',
  ].join('|'),
);
// Model CLIs are started through processes: the spawn flow finds them (SPAWN_HINT).
/** Does it start processes or read its own path? (model CLIs, self-spawn and unbounded spawning need one of these) */
const SPAWN_HINT = /\bsubprocess\b|\bos\.(system|popen|exec|spawn|fork|posix_spawn)|\bpty\b|\bmultiprocessing\b|\bconcurrent\.futures\b|create_subprocess_|\bpexpect\b|\bparamiko\b|\bfabric\b|\bfrom\s+os\s+import\b|\bfork\s*\(/;

/** Code that runs strings or loads code: an imported module with these is followed even without a model or a process. */
const RUNS_CODE = /\b(exec|eval|compile|__import__|import_module|run_path|run_module|loads?|Template|from_string)\s*\(/;
/** `import a.b`, `from .x import y, z` (the names may be submodules). */
const IMPORTS = /^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w, \t]+)|import[ \t]+([\w.]+))/gm;
const MAX_MODE_FILES = 60;
const MAX_FOLLOWED_BYTES = 512 * 1024;

/** full: the text could call a model; spawn: it only starts processes; none: nothing to follow. */
function modeOf(t: string, extraSdk: readonly string[], extraCli: readonly string[]): 'full' | 'spawn' | 'none' {
  if (MODEL_HINT.test(t) || extraSdk.some((s) => t.includes(s)) || extraCli.some((c) => t.includes(c.trim().split(/\s+/)[0]!))) return 'full';
  return SPAWN_HINT.test(t) ? 'spawn' : 'none';
}

export class PyFacts implements ReportsIncomplete {
  private result: PyFlowResult | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraSdk: readonly string[],
    private readonly extraCli: readonly string[],
    private readonly budget: Budget = Budget.unlimited(),
    /** The project, when imports of other project files are followed. */
    private readonly project?: ProjectContext,
  ) {}

  private modeMemo: 'full' | 'spawn' | 'none' | undefined;

  /** full: the text could call a model; spawn: it only starts processes; none: nothing to follow. */
  get mode(): 'full' | 'spawn' | 'none' {
    return (this.modeMemo ??= this.computeMode());
  }

  private computeMode(): 'full' | 'spawn' | 'none' {
    const own = modeOf(this.text, this.extraSdk, this.extraCli);
    if (own === 'full' || !this.project) return own;
    // In a project the modules the entry imports count too: the model call may be in one, the process start in another.
    let best = own;
    for (const path of this.imported(this.project, MAX_MODE_FILES)) {
      const src = this.project.view.source(path);
      if (!src) continue;
      const mode = this.project.view.memo(`py-mode:${path}`, () => modeOf(src.text, this.extraSdk, this.extraCli));
      if (mode === 'full') return 'full';
      if (mode === 'spawn') best = 'spawn';
    }
    return best;
  }

  /** Project files the entry imports, directly or through other project files, breadth first. */
  private imported(project: ProjectContext, max: number): string[] {
    const out: string[] = [];
    const seen = new Set([project.path]);
    const queue = [{ path: project.path, text: this.text }];
    while (queue.length && out.length < max) {
      const { path, text } = queue.shift()!;
      for (const m of text.matchAll(IMPORTS)) {
        const dotted = (m[1] ?? m[3] ?? '').trim();
        const level = /^\.*/.exec(dotted)![0].length;
        const names = m[2] ? m[2].split(',').map((x) => x.trim().split(/\s+/)[0]!).filter((x) => /^\w+$/.test(x)) : [];
        const targets = [dotted.slice(level), ...names.map((n) => `${dotted.slice(level)}${dotted.slice(level) ? '.' : ''}${n}`)];
        for (const t of targets) {
          const target = project.view.resolvePython(path, t, level);
          if (!target || seen.has(target)) continue;
          seen.add(target);
          const src = project.view.source(target);
          if (!src || src.text.length > MAX_FOLLOWED_BYTES) continue;
          out.push(target);
          queue.push({ path: target, text: src.text });
        }
      }
    }
    return out;
  }

  /** Whether an imported project module can matter: it names a model, starts processes, runs code, or imports one that does. */
  private worthFollowing(path: string): boolean {
    const project = this.project!;
    return project.view.memo(`py-follow:${path}`, () => {
      const src = project.view.source(path);
      if (!src || src.text.length > MAX_FOLLOWED_BYTES) return false;
      if (modeOf(src.text, this.extraSdk, this.extraCli) !== 'none' || RUNS_CODE.test(src.text)) return true;
      return /^\s*(from|import)\s/m.test(src.text);
    });
  }

  get flow(): PyFlowResult {
    if (!this.result) {
      const mode = this.mode;
      const empty: PyFlowResult = { modelCalls: [], effects: [], spawns: [], leaves: [], fanouts: [], dispatch: new Map(), callers: new Map() };
      try {
        const project = this.project ? { ...this.project, follows: (path: string) => this.worthFollowing(path) } : undefined;
        this.result = mode !== 'none' ? new PyFlow(this.tree.rootNode, this.extraSdk, this.extraCli, mode === 'spawn', this.budget, project).run() : empty;
      } catch (e) {
        // Stack exhaustion on absurdly nested code: say so once instead of failing every rule.
        if (!isStackOverflow(e)) throw e;
        this.result = empty;
        if (mode === 'full') this.budget.noteStop(e, 'the dataflow');
      }
    }
    return this.result;
  }

  /**
   * The functions a call site runs, and the ones they run in turn (a bounded walk), with whether
   * each runs beside the caller (a thread, a process, a pool).
   */
  reachable(from: Node, concurrent = false, depth = 4, seen = new Set<number>()): { fn: Node; concurrent: boolean }[] {
    const out: { fn: Node; concurrent: boolean }[] = [];
    if (depth === 0) return out;
    for (const c of from.descendantsOfType('call')) {
      if (!c) continue;
      for (const d of this.flow.dispatch.get(c.id) ?? []) {
        if (seen.has(d.fn.id)) continue;
        seen.add(d.fn.id);
        const conc = concurrent || d.concurrent || insideConcurrentCall(c, from);
        out.push({ fn: d.fn, concurrent: conc }, ...this.reachable(d.fn, conc, depth - 1, seen));
      }
    }
    return out;
  }

  /** Model output handed to a function of another module, or a syntax error next to a model call or sink. */
  incompleteFindings(): RawFinding[] {
    return [...this.leavingFindings(), ...this.brokenFindings()];
  }

  private brokenFindings(): RawFinding[] {
    if (!this.tree.rootNode.hasError) return [];
    const errors: Node[] = [];
    collectErrors(this.tree.rootNode, errors);
    const lines = this.text.split('\n');
    const places = [
      ...this.flow.modelCalls.map((c) => ({ range: c.range, what: `the model call ${c.label}` })),
      ...this.flow.effects.map((e) => ({ range: e.range, what: `${e.label}` })),
      ...this.flow.effects.flatMap((e) => e.taint.flatMap((t) => t.steps.map((st) => ({ range: st.range, what: `the path of model output (${st.message.replace(/ here$/, '')})` })))),
    ];
    const runsCode = /\b(exec|eval|compile|system|popen|Popen|run|call|check_output|execv\w*|execl\w*|spawn\w*|import_module|__import__|run_path|loads)\s*\(/;
    const calls = this.flow.modelCalls;
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    for (const err of errors) {
      const row = err.startPosition.row;
      if (seen.has(row) || wouldBeCategory(lines[row] ?? '')) continue;
      let near: { range: Range; what: string; over?: string } | undefined = places.find((p) => Math.abs(p.range.start.line - row) <= 1 || (p.range.start.line <= row && row <= p.range.end.line));
      const errText = err.endPosition.row - row <= 3 ? lines.slice(row, err.endPosition.row + 1).join('\n') : (lines[row] ?? '');
      if (!near && calls.length && runsCode.test(errText)) near = { range: calls[0]!.range, what: `code execution in a file that calls a model (${calls[0]!.label})` };
      const endRow = err.endPosition.row;
      if (!near && endRow > row) {
        const inside = places.find((p) => p.range.start.line >= row && p.range.start.line <= endRow);
        if (inside) near = { range: inside.range, what: inside.what, over: `over lines ${numberRef({ line: row, column: 0 })}-${numberRef({ line: endRow, column: 0 })} covers` };
      }
      if (!near) continue;
      seen.add(row);
      out.push({
        category: 'model-output-execution',
        range: { start: { line: row, column: err.startPosition.column }, end: { line: row, column: (lines[row] ?? '').length } },
        message: `analysis incomplete: a syntax error ${near.over ?? `on line ${numberRef({ line: row, column: err.startPosition.column })} is next to`} ${near.what} (line ${numberRef(near.range)}), so Fang cannot tell where its output goes`,
        path: [],
        confidence: 'low',
      });
    }
    return out;
  }

  private leavingFindings(): RawFinding[] {
    return this.flow.leaves.map((l) => {
      const t = l.taint[0]!;
      return {
        category: 'model-output-execution' as const,
        range: l.range,
        message: `analysis incomplete: output of ${t.origin.label} (line ${numberRef(t.origin.range)}) is passed to ${l.label}, imported from another module of the project; Fang does not follow it there`,
        path: [...t.steps, { range: l.range, message: `leaves the file here through ${l.label}` }],
        confidence: 'low' as const,
      };
    });
  }
}

/** Inside the arguments of `create_task(...)`, `gather(...)`, `ensure_future(...)` below `stop`. */
function insideConcurrentCall(call: Node, stop: Node): boolean {
  for (let p = call.parent; p && p.id !== stop.id; p = p.parent) {
    if (p.type === 'call' && /(^|\.)(create_task|ensure_future|gather|start_soon|submit)$/.test(p.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}
