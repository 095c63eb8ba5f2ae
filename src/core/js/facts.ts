import { collectErrors } from '../tree-util';
/** Facts about one JavaScript/TypeScript file, computed once and shared by the js-* rules. */
import type { Node, Tree } from 'web-tree-sitter';
import { wouldBeCategory } from '../rules/analysis-incomplete';
import { MODEL_API_HOSTS, MODEL_BASE_URL_VARS, MODEL_SDK_PACKAGES } from '../catalog';
import type { RawFinding, ReportsIncomplete } from '../rule';
import type { Range } from '../types';
import { JsFlow } from './dataflow';
import { Budget, isStackOverflow } from '../budget';
import type { JsFlowResult } from './results';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Could this text call a model at all? An SDK import, an endpoint, a model CLI in a string. */
const MODEL_HINT = new RegExp(
  [
    `(from\\s*|require\\(\\s*|import\\(\\s*)['"\`](${MODEL_SDK_PACKAGES.map(esc).join('|')}|@langchain/[\\w-]+|langchain/[\\w/-]+|@ai-sdk/[\\w-]+|@anthropic-ai/[\\w-]+)['"\`]`,
    MODEL_API_HOSTS.map(esc).join('|'),
    'v1/(chat/)?completions|v1/messages|v1/responses|chat/completions|11434|generateContent',
    MODEL_BASE_URL_VARS.join('|'),
    // a local wrapper by its name: `askLLM`, `query_model`, `callOpenAI`, `from './llm'`
    '\\b(ask|query|prompt|call|complete|chat|invoke|generate|run)_?(LLM|Llm|llm|GPT|Gpt|gpt|AI|Ai|Model|model|Claude|Gemini|OpenAI|Ollama)\\b',
    `from\\s*['"]\\.{1,2}/[^'"]*\\b(llm|gpt|ai|openai|anthropic|claude|gemini|ollama)\\b[^'"]*['"]`,
  ].join('|'),
);
/** Does it start processes? (model CLIs, self-spawn and unbounded spawning need one of these) */
const SPAWN_HINT = /child_process|\bBun\.(spawn|spawnSync|\$)|['"]execa['"]|['"]zx(\/globals)?['"]|worker_threads|['"](node:)?cluster['"]|\bnew Worker\b/;

export class JsFacts implements ReportsIncomplete {
  private result: JsFlowResult | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraSdk: readonly string[],
    private readonly extraCli: readonly string[],
    private readonly budget: Budget = Budget.unlimited(),
  ) {}

  /** Whether the dataflow runs at all (cheap text test first). */
  get relevant(): boolean {
    return this.mode !== 'none';
  }

  /** full: the text could call a model; spawn: it only starts processes; none: nothing to follow. */
  get mode(): 'full' | 'spawn' | 'none' {
    const t = this.text;
    if (MODEL_HINT.test(t) || this.extraSdk.some((s) => t.includes(s)) || this.extraCli.some((c) => t.includes(c.trim().split(/\s+/)[0]!))) return 'full';
    return SPAWN_HINT.test(t) ? 'spawn' : 'none';
  }

  get flow(): JsFlowResult {
    if (!this.result) {
      const mode = this.mode;
      const empty: JsFlowResult = { modelCalls: [], effects: [], spawns: [], leaves: [], fanouts: [] };
      try {
        this.result = mode !== 'none' ? new JsFlow(this.tree.rootNode, this.extraSdk, this.extraCli, mode === 'spawn', this.budget).run() : empty;
      } catch (e) {
        // Stack exhaustion on absurdly nested code: say so once instead of failing every rule.
        if (!isStackOverflow(e)) throw e;
        this.result = empty;
        if (mode === 'full') this.budget.noteStop(e, 'the dataflow');
      }
    }
    return this.result;
  }

  /** Model output handed to a function of another local module, or a syntax error on a model call or sink. */
  incompleteFindings(): RawFinding[] {
    return [...this.leavingFindings(), ...this.brokenFindings()];
  }

  /** Syntax errors within a line of a model call or a sink that the generic rule cannot see (no model word on the line). */
  private brokenFindings(): RawFinding[] {
    if (!this.tree.rootNode.hasError) return [];
    const errors: Node[] = [];
    collectErrors(this.tree.rootNode, errors);
    const lines = this.text.split('\n');
    const places = [
      ...this.flow.modelCalls.map((c) => ({ range: c.range, what: `the model call ${c.label}` })),
      ...this.flow.effects.map((e) => ({ range: e.range, what: `${e.label}` })),
      // the steps in between: where model output is assigned, passed, returned
      ...this.flow.effects.flatMap((e) => e.taint.flatMap((t) => t.steps.map((st) => ({ range: st.range, what: `the path of model output (${st.message.replace(/ here$/, '')})` })))),
    ];
    // In a file that calls a model, a broken line that runs code may be where its output runs.
    const runsCode = /\b(eval|Function|exec|execSync|execa\w*|spawn|spawnSync|execFile|fork|runInThisContext|runInNewContext|Worker)\s*\(|\bimport\s*\(|\$`/;
    const calls = this.flow.modelCalls;
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    for (const err of errors) {
      const row = err.startPosition.row;
      if (seen.has(row) || wouldBeCategory(lines[row] ?? '')) continue;
      let near: { range: Range; what: string; over?: string } | undefined = places.find((p) => Math.abs(p.range.start.line - row) <= 1 || (p.range.start.line <= row && row <= p.range.end.line));
      const errText = err.endPosition.row - row <= 3 ? lines.slice(row, err.endPosition.row + 1).join('\n') : (lines[row] ?? '');
      if (!near && calls.length && runsCode.test(errText)) near = { range: calls[0]!.range, what: `code execution in a file that calls a model (${calls[0]!.label})` };
      // A parse that went wrong over many lines: it covers the model call or sink itself.
      const endRow = err.endPosition.row;
      if (!near && endRow > row) {
        const inside = places.find((p) => p.range.start.line >= row && p.range.start.line <= endRow);
        if (inside) near = { range: inside.range, what: inside.what, over: `over lines ${row + 1}-${endRow + 1} covers` };
      }
      if (!near) continue;
      seen.add(row);
      out.push({
        category: 'model-output-execution',
        range: { start: { line: row, column: err.startPosition.column }, end: { line: row, column: (lines[row] ?? '').length } },
        message: `analysis incomplete: a syntax error ${near.over ?? `on line ${row + 1} is next to`} ${near.what} (line ${near.range.start.line + 1}), so Fang cannot tell where its output goes`,
        path: [],
        confidence: 'low',
      });
    }
    return out;
  }

  private leavingFindings(): RawFinding[] {
    return this.flow.leaves.map((l) => {
      const t = l.taint[0]!;
      const from = t.origin;
      return {
        category: 'model-output-execution' as const,
        range: l.range,
        message: `analysis incomplete: output of ${from.label} (line ${from.range.start.line + 1}) is passed to ${l.label}, imported from another file; Fang does not follow it there`,
        path: [...t.steps, { range: l.range, message: `leaves the file here through ${l.label}` }],
        confidence: 'low' as const,
      };
    });
  }
}
