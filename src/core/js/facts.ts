/** Facts about one JavaScript/TypeScript file, computed once and shared by the js-* rules. */
import type { Tree } from 'web-tree-sitter';
import { MODEL_API_HOSTS, MODEL_BASE_URL_VARS, MODEL_CLIS, MODEL_SDK_PACKAGES } from '../catalog';
import type { RawFinding, ReportsIncomplete } from '../rule';
import { JsFlow } from './dataflow';
import type { JsFlowResult } from './results';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Could this text call a model at all? An SDK import, an endpoint, a model CLI in a string. */
const MODEL_HINT = new RegExp(
  [
    `['"\`](${MODEL_SDK_PACKAGES.map(esc).join('|')}|@langchain/[\\w-]+|langchain/[\\w/-]+|@ai-sdk/[\\w-]+|@anthropic-ai/[\\w-]+)['"\`]`,
    MODEL_API_HOSTS.map(esc).join('|'),
    'v1/(chat/)?completions|v1/messages|v1/responses|chat/completions|11434|generateContent',
    MODEL_BASE_URL_VARS.join('|'),
    `['"\`\\s](${MODEL_CLIS.map((c) => esc(c.name)).join('|')})[\\s'"\`]`,
  ].join('|'),
);
/** Does it start processes or name its own path? (self-spawn and unbounded spawning need no model) */
const SPAWN_HINT = /child_process|['"]execa['"]|['"]zx(\/globals)?['"]|worker_threads|['"](node:)?cluster['"]|\bnew Worker\b/;

export class JsFacts implements ReportsIncomplete {
  private result: JsFlowResult | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraSdk: readonly string[],
    private readonly extraCli: readonly string[],
  ) {}

  /** Whether the dataflow runs at all (cheap text test first). */
  get relevant(): boolean {
    const t = this.text;
    return (
      MODEL_HINT.test(t) ||
      SPAWN_HINT.test(t) ||
      this.extraSdk.some((s) => t.includes(s)) ||
      this.extraCli.some((c) => t.includes(c.trim().split(/\s+/)[0]!))
    );
  }

  get flow(): JsFlowResult {
    if (!this.result) {
      this.result = this.relevant
        ? new JsFlow(this.tree.rootNode, this.extraSdk, this.extraCli).run()
        : { modelCalls: [], effects: [], spawns: [], leaves: [], fanouts: [] };
    }
    return this.result;
  }

  /** Model output handed to a function of another local module: the flow leaves the file. */
  incompleteFindings(): RawFinding[] {
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
