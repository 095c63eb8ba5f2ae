/** Facts about one Bash file, computed once and shared by the Bash rules. */
import type { Node, Tree } from 'web-tree-sitter';
import { BashFlow, type FlowResult } from './dataflow';
import { literalText, namedChildren } from './tree';
import type { RawFinding, ReportsIncomplete } from '../rule';

/** Cheap text test: could this file call a model or read host lists at all? */
const MAYBE_SOURCE =
  /\b(llm|sgpt|ollama|aichat|mods|openai|claude|gemini|copilot|aider|fabric|tgpt|chatgpt|gpt|ai|models?|anthropic|generateContent|completions|v1\/messages|v1\/responses|11434|known_hosts|bash_history|zsh_history|\.ssh\/config|shell-gpt|llamafile|llama-cli|lms|codex|opencode|cursor-agent|q)\b|RUN_AI|[A-Z_]*(LLM|GPT|AI|MODEL)[A-Z_]*|ask|query|prompt/i;

export class BashFacts implements ReportsIncomplete {
  private flowResult: FlowResult | undefined;
  private selfCallsCache: Node[] | undefined;

  constructor(
    readonly tree: Tree,
    readonly text: string,
    private readonly extraModelCommands: readonly string[],
    /** The file's own name (basename), for self-invocation by name. */
    readonly ownName: string | undefined,
  ) {}

  /** The dataflow; skipped (empty) when nothing in the text could start a flow. */
  get flow(): FlowResult {
    if (!this.flowResult) {
      const needed = MAYBE_SOURCE.test(this.text) || this.extraModelCommands.length > 0 || /\$0|BASH_SOURCE/.test(this.text);
      this.flowResult = needed
        ? new BashFlow(this.tree.rootNode, this.extraModelCommands, this.ownName).run()
        : { modelCalls: [], effects: [], functions: new Map(), wrapperFunctions: new Set() };
    }
    return this.flowResult;
  }

  /** Every function definition, in source order (a name may be defined twice). */
  incompleteFindings(): RawFinding[] {
    return this.flow.effects
      .filter((e) => e.kind === 'incomplete')
      .map((e) => {
        const w = e.taint[0]?.steps[e.taint[0].steps.length - 1];
        return {
          category: 'model-output-execution' as const,
          range: e.range,
          message: `analysis incomplete: ${e.label} runs code from a file named only at run time, and this script writes model output to such a file${w ? ` (line ${w.range.start.line + 1})` : ''}; Fang cannot tell whether it runs model output`,
          path: w ? [{ range: w.range, message: 'model output written to a file named at run time here' }, { range: e.range, message: `code of unknown origin run here by ${e.label}` }] : [],
          confidence: 'low' as const,
        };
      });
  }

  functions(): [string, Node][] {
    const out: [string, Node][] = [];
    for (const f of this.tree.rootNode.descendantsOfType('function_definition')) {
      const name = f?.childForFieldName('name')?.text;
      if (f && name) out.push([name, f]);
    }
    return out;
  }

  /** Commands that run this script again: `"$0"`, `bash "$0"`, `${BASH_SOURCE[0]}`, `./own-name.sh`. */
  selfCalls(): Node[] {
    if (this.selfCallsCache) return this.selfCallsCache;
    const out: Node[] = [];
    const own = this.ownName;
    const mentionsSelf = /\$\{?0\b|BASH_SOURCE/.test(this.text) || (!!own && this.text.includes(own));
    if (mentionsSelf) {
      for (const cmd of this.tree.rootNode.descendantsOfType('command')) {
        if (cmd && this.invokesSelf(cmd)) out.push(cmd);
      }
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

export function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && ['pipeline', 'redirected_statement', 'negated_command', 'list'].includes(n.parent.type)) n = n.parent;
  return n;
}

export { namedChildren };
