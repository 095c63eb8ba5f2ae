import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { BashFacts } from '../bash/facts';
import { enclosingLoops, isBackgrounded, isConditional, rangeOf } from '../bash/tree';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-self-spawn',
    language: 'bash',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Script or function spawns itself without a bound',
    explanation:
      'The script starts itself again (through $0, BASH_SOURCE or its own name) in a loop or with nothing that stops it, or a function ' +
      'recursively spawns copies of itself. Each copy can do the same, so the work multiplies without limit. Add a depth or count guard.',
    example: {
      bad: 'while true; do\n  "$0" "$@" &\n  sleep 1\ndone\n',
      good: 'if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    for (const call of facts.selfCalls()) {
      const text = call.text.trimStart();
      const first = call.childForFieldName('name')?.text ?? '';
      if (first === 'nohup' || first === 'setsid') continue; // persistence: bash-spread-persist
      if (first === 'source' || first === '.') continue;
      // `"$0" --help; exit 1`: printing usage on the way out is not a spawning loop
      if (/\s(--help|-h|--usage|--version)\b/.test(text) || endsRun(call)) continue;
      const loop = enclosingLoops(call)[0];
      const isExec = first === 'exec';
      const bg = isBackgrounded(call);
      if (!loop && (isExec || isConditional(call))) continue;
      if (isExec && loop === undefined) continue;
      const why = loop ? 'inside a loop' : bg ? 'in the background with nothing that stops it' : 'with nothing that stops it';
      out.push({
        range: rangeOf(call),
        message: `the script runs itself again (\`${text.split('\n')[0]!.slice(0, 60)}\`) ${why}; each copy can do the same`,
        path: [],
        confidence: 'high',
      });
    }
    // Recursive functions that spawn (fork bombs are reported by their own rule).
    const bombs = new Set(facts.forkBombs().map((b) => (b.fn.childForFieldName('name') ?? b.fn).startPosition.row));
    for (const { name, fn, calls } of facts.recursiveFunctions()) {
      if (bombs.has(fn.childForFieldName('name')?.startPosition.row ?? fn.startPosition.row)) continue;
      const body = fn.childForFieldName('body');
      if (!body) continue;
      const spawnsElse = body.descendantsOfType('&').length > 0 || /\b(ssh|llm|sgpt|ollama|aichat|mods|claude|gemini|curl|wget|nohup|setsid)\b/.test(body.text);
      if (hasDepthBound(body)) continue;
      for (const c of calls) {
        const spawning = isBackgrounded(c) || c.parent?.type === 'pipeline' || spawnsElse;
        if (!spawning) continue;
        if (isConditional(c, fn) && !spawnsElse && !isBackgrounded(c)) continue;
        out.push({
          range: rangeOf(c),
          message: `${name}() calls itself ${isBackgrounded(c) ? 'in the background ' : ''}with no depth limit while spawning processes`,
          path: [{ range: rangeOf(fn.childForFieldName('name') ?? fn), message: `${name}() defined here` }],
          confidence: 'high',
        });
      }
    }
    return out;
  },
};

export type { Node };

/** A numeric test or arithmetic on the arguments: `[ "$depth" -le 0 ] && return`, `$((n-1))`. */
function hasDepthBound(body: Node): boolean {
  const t = body.text;
  return /-(le|lt|ge|gt|eq)\b/.test(t) || /\(\([^)]*(<|>|<=|>=|==|--|-=|\+\+|\+=|-\s*1|\+\s*1)/.test(t);
}

/** The statement after the call ends the script or the loop: `exit`, `return`, `break`. */
function endsRun(call: Node): boolean {
  let stmt: Node = call;
  while (stmt.parent && ['pipeline', 'redirected_statement', 'list', 'negated_command'].includes(stmt.parent.type)) stmt = stmt.parent;
  const next = stmt.nextNamedSibling;
  const name = next?.type === 'command' ? next.childForFieldName('name')?.text : undefined;
  return name === 'exit' || name === 'return' || name === 'break';
}
