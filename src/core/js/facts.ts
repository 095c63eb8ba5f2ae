import { numberRef, placeRef } from '../refs';
import { collectErrors } from '../tree-util';
/** Facts about one JavaScript/TypeScript file, computed once and shared by the js-* rules. */
import type { Node, Tree } from 'web-tree-sitter';
import { wouldBeCategory } from '../rules/analysis-incomplete';
import { MODEL_API_HOSTS, MODEL_BASE_URL_VARS, MODEL_SDK_PACKAGES } from '../catalog';
import type { RawFinding, ReportsIncomplete } from '../rule';
import type { Range } from '../types';
import type { ProjectContext } from '../analysers';
import { runJsFlow } from './dataflow';
import { FlowState } from './flow-state';
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
    // tools handed to a model: their arguments are model output wherever the model call is
    'CallToolRequest|\\.registerTool\\(|\\binputSchema\\b|\\binput_schema\\b|\\bargsSchema\\b|createGadget|DynamicStructuredTool|DynamicTool\\b',
    '\\b(parameters|schema)\\s*:[^]{0,1500}?\\bexecute\\s*[(:]',
  ].join('|'),
);
/** Does it start processes? (model CLIs, self-spawn and unbounded spawning need one of these) */
const SPAWN_HINT = /child_process|\bBun\.(spawn|spawnSync|\$)|['"]execa['"]|['"]zx(\/globals)?['"]|worker_threads|['"](node:)?cluster['"]|\bnew Worker\b/;

function modeOf(t: string, extraSdk: readonly string[], extraCli: readonly string[]): 'full' | 'spawn' | 'none' {
  if (MODEL_HINT.test(t) || extraSdk.some((s) => t.includes(s)) || extraCli.some((c) => t.includes(c.trim().split(/\s+/)[0]!))) return 'full';
  return SPAWN_HINT.test(t) ? 'spawn' : 'none';
}

const RELATIVE_IMPORT = /['"`]\.{1,2}\//;
const RELATIVE_SPECS = /(?:from\s*|require\(\s*|import\(\s*)(?:'(\.{1,2}\/[^']*)'|"(\.{1,2}\/[^"]*)"|`(\.{1,2}\/[^`$]*)`)/g;
/** Code that runs strings, writes files or hands functions to a model as tools. */
const RUNS_OR_TOOLS = /\beval\b|\bFunction\s*\(|\bvm\b|writeFile|registerTool|CallToolRequest|setRequestHandler|\btool\s*\(|\bexecute\s*[:(]|\binputSchema\b/;
/** A generating method of a model client called on a value from elsewhere (`this.client.messages.create(`, `this.chat.sendMessage(`). */
const CLIENT_CALL = /\.(chat\.completions|completions|responses|messages)\.(create|stream|parse)\s*\(|\.(generateContent|generateContentStream|sendMessage|sendMessageStream|startChat|createChatCompletion|createCompletion)\s*\(|\.(chat|generate)\s*\(\s*(\{|this\.|params|options|request)/;
/** HTTP requests (a fetch helper, axios, got, http.request). */
const HTTP_CALL = /\bfetch\s*\(|\baxios\b|\bgot\s*\(|\bundici\b|\bhttps?\.(request|get)\s*\(|['"](node-)?fetch['"]/;
/** Imported modules larger than this are not followed (generated data, bundles). */
const MAX_FOLLOWED_BYTES = 256 * 1024;
/** Single- and double-quoted string literals on one line. */
const STRINGS = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g;
/** How many files the pre-filter reads through imports before it stops looking. */
const MAX_MODE_FILES = 200;

export class JsFacts implements ReportsIncomplete {
  private result: JsFlowResult | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraSdk: readonly string[],
    private readonly extraCli: readonly string[],
    private readonly budget: Budget = Budget.unlimited(),
    /** The project, when imports of other project files are followed. */
    private readonly project?: ProjectContext,
  ) {}

  private modeCache: 'full' | 'spawn' | 'none' | undefined;

  /** Whether the dataflow runs at all (cheap text test first). */
  get relevant(): boolean {
    return this.mode !== 'none';
  }

  /** full: the text could call a model; spawn: it only starts processes; none: nothing to follow. */
  get mode(): 'full' | 'spawn' | 'none' {
    this.modeCache ??= this.project ? this.projectMode(this.project) : modeOf(this.text, this.extraSdk, this.extraCli);
    return this.modeCache;
  }

  /**
   * Whether an imported project module can matter to the entry's findings: it (or a module it
   * imports) names a model, starts processes, runs code or hands tools to a model. Others are
   * left opaque (their functions pass their inputs on), which keeps data and utility modules cheap.
   */
  private readonly following = new Set<string>();
  private worthFollowing(path: string): boolean {
    const project = this.project!;
    if (this.following.has(path)) return false; // a cycle: decided by the first file on it
    return project.view.memo(`js-follow:${path}`, () => {
      this.following.add(path);
      try {
        return this.followable(project, path);
      } finally {
        this.following.delete(path);
      }
    });
  }

  private followable(project: ProjectContext, path: string): boolean {
    {
      const src = project.view.source(path);
      if (!src) return false;
      if (src.text.length > MAX_FOLLOWED_BYTES) {
        this.budget.note('files', undefined, `${path} is larger than the ${MAX_FOLLOWED_BYTES} characters the dataflow follows into another file (files); what passes through it is not followed`);
        return false;
      }
      if (modeOf(src.text, this.extraSdk, this.extraCli) !== 'none') return true;
      // code that runs strings or defines tools, read without the data: string literals (token
      // tables, prompts) cannot make a module relevant
      if (RUNS_OR_TOOLS.test(src.text) && RUNS_OR_TOOLS.test(src.text.replace(STRINGS, '""'))) return true;
      // a class or function that asks a model through a client it is handed (constructor argument, parameter)
      if (CLIENT_CALL.test(src.text)) return true;
      // a helper that sends requests or starts processes with what it is handed (`fetchWithRetry(url)`)
      if (HTTP_CALL.test(src.text)) return true;
      // through a module that re-exports or wraps another
      for (const m of src.text.matchAll(RELATIVE_SPECS)) {
        const target = project.view.resolveModule(path, m[1] ?? m[2] ?? m[3]!);
        if (target && target !== path && this.worthFollowing(target)) return true;
      }
      return false;
    }
  }

  /** In a project the files the entry imports count too: the model call may be in one, the process start in another. */
  private projectMode(project: ProjectContext): 'full' | 'spawn' | 'none' {
    let best = modeOf(this.text, this.extraSdk, this.extraCli);
    if (best === 'full' || !RELATIVE_IMPORT.test(this.text)) return best;
    const seen = new Set([project.path]);
    const queue: { path: string; text: string }[] = [{ path: project.path, text: this.text }];
    while (queue.length && seen.size < MAX_MODE_FILES) {
      const { path, text } = queue.shift()!;
      for (const m of text.matchAll(RELATIVE_SPECS)) {
        const target = project.view.resolveModule(path, m[1] ?? m[2] ?? m[3]!);
        if (!target || seen.has(target)) continue;
        seen.add(target);
        const src = project.view.source(target);
        if (!src || src.text.length > MAX_FOLLOWED_BYTES) continue;
        const mode = project.view.memo(`js-mode:${target}`, () => modeOf(src.text, this.extraSdk, this.extraCli));
        if (mode === 'full') return 'full';
        if (mode === 'spawn') best = 'spawn';
        queue.push({ path: target, text: src.text });
      }
    }
    // More imported files than this pre-check reads: the dataflow decides (it notes its own limits).
    if (queue.length && seen.size >= MAX_MODE_FILES) return 'full';
    return best;
  }

  get flow(): JsFlowResult {
    if (!this.result) {
      const mode = this.mode;
      const empty: JsFlowResult = { modelCalls: [], effects: [], spawns: [], leaves: [], fanouts: [] };
      try {
        const project = this.project ? { ...this.project, follows: (path: string) => this.worthFollowing(path) } : undefined;
        this.result = mode !== 'none' ? runJsFlow(new FlowState(this.tree.rootNode, this.extraSdk, this.extraCli, mode === 'spawn', this.budget, project)) : empty;
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
        if (inside) near = { range: inside.range, what: inside.what, over: `over lines ${numberRef({ line: row, column: 0 })}-${numberRef({ line: endRow, column: 0 })} covers` };
      }
      if (!near) continue;
      seen.add(row);
      out.push({
        category: 'model-output-execution',
        range: { start: { line: row, column: err.startPosition.column }, end: { line: row, column: (lines[row] ?? '').length } },
        message: `analysis incomplete: a syntax error ${near.over ?? `on line ${numberRef({ line: row, column: err.startPosition.column })} is next to`} ${near.what} (${placeRef(near.range)}), so Fang cannot tell where its output goes`,
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
        message: `analysis incomplete: output of ${from.label} (${placeRef(from.range)}) is passed to ${l.label}, imported from another file; Fang does not follow it there`,
        path: [...t.steps, { range: l.range, message: `leaves the file here through ${l.label}` }],
        confidence: 'low' as const,
      };
    });
  }
}
