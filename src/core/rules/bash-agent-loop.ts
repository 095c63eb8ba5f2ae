import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { BashFacts } from '../bash/facts';
import { enclosingFunction, enclosingLoops, rangeOf } from '../bash/tree';
import { describeOrigin, line, pathTo, pickTaint } from './bash-common';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-agent-loop',
    language: 'bash',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Agent loop: a loop runs model output as code',
    explanation:
      'Each turn of this loop asks a model for code and runs it, so the script acts autonomously: the model decides what happens next, ' +
      'as many times as the loop goes on, with your permissions. Cap the iterations and confirm each generated command, or dry-run it in the sandbox.',
    example: {
      bad: 'llm "list cleanup ideas" | while read -r idea; do\n  eval "$(llm "code for: $idea")"\ndone\n',
      good: 'llm "list cleanup ideas" | while read -r idea; do\n  echo "idea: $idea"\ndone\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    const report = (head: Node, anchor: Node, e: (typeof facts.flow.effects)[number], what: string) => {
      if (seen.has(head.id)) return;
      const t = pickTaint(e.taint);
      if (!t) return;
      seen.add(head.id);
      const kw = anchor.child(0) ?? anchor;
      // The loop's own input from a model (the list of ideas) makes the structure plain.
      const fed = pickTaint(facts.flow.loopInputs.get(head.id) ?? []);
      const feeds = fed && fed.origin !== t.origin ? `; it iterates over ${describeOrigin(fed)}` : '';
      const path = pathTo(t, e.range, `executed here by ${e.label}, once per iteration`);
      if (feeds && fed) path.unshift({ range: fed.origin.range, message: `the loop's input comes from ${fed.origin.label} here` });
      out.push({
        range: rangeOf(kw),
        message: `agent loop: ${what} runs ${describeOrigin(t)} through ${e.label} (line ${line(e.range)})${feeds}`,
        path,
        confidence: t.origin.call?.confidence === 'low' ? 'low' : 'high',
      });
    };
    for (const e of facts.flow.effects) {
      if (e.kind !== 'exec' && e.kind !== 'file-exec') continue;
      const loop = enclosingLoops(e.node)[0];
      if (loop) {
        report(loop, loop, e, 'each iteration');
        continue;
      }
      // A function that runs model output and calls itself is the same loop, written as recursion.
      const fn = enclosingFunction(e.node);
      const name = fn?.childForFieldName('name')?.text;
      if (fn && name && selfCalls(fn, name)) report(fn, fn, e, `the recursive function ${name}()`);
    }
    return out;
  },
};

function selfCalls(fn: Node, name: string): boolean {
  const body = fn.childForFieldName('body');
  return !!body && body.descendantsOfType('command').some((c) => c?.childForFieldName('name')?.text === name);
}
