/** Facts about one Python file, computed once and shared by the py-* rules. */
import type { Node, Tree } from 'web-tree-sitter';
import { Budget, isStackOverflow } from '../budget';
import { MODEL_API_HOSTS, MODEL_BASE_URL_VARS, PYTHON_SDK_MODULES } from '../catalog';
import { numberRef } from '../refs';
import type { RawFinding, ReportsIncomplete } from '../rule';
import { wouldBeCategory } from '../rules/analysis-incomplete';
import { collectErrors } from '../tree-util';
import type { Range } from '../types';
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

export class PyFacts implements ReportsIncomplete {
  private result: PyFlowResult | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraSdk: readonly string[],
    private readonly extraCli: readonly string[],
    private readonly budget: Budget = Budget.unlimited(),
  ) {}

  private modeMemo: 'full' | 'spawn' | 'none' | undefined;

  /** full: the text could call a model; spawn: it only starts processes; none: nothing to follow. */
  get mode(): 'full' | 'spawn' | 'none' {
    return (this.modeMemo ??= this.computeMode());
  }

  private computeMode(): 'full' | 'spawn' | 'none' {
    const t = this.text;
    if (MODEL_HINT.test(t) || this.extraSdk.some((s) => t.includes(s)) || this.extraCli.some((c) => t.includes(c.trim().split(/\s+/)[0]!))) return 'full';
    return SPAWN_HINT.test(t) ? 'spawn' : 'none';
  }

  get flow(): PyFlowResult {
    if (!this.result) {
      const mode = this.mode;
      const empty: PyFlowResult = { modelCalls: [], effects: [], spawns: [], leaves: [], fanouts: [], dispatch: new Map() };
      try {
        this.result = mode !== 'none' ? new PyFlow(this.tree.rootNode, this.extraSdk, this.extraCli, mode === 'spawn', this.budget).run() : empty;
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
