import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { BashFacts } from '../bash/facts';
import { enclosingFunction, enclosingLoops, isOpenEndedLoop, rangeOf } from '../bash/tree';
import { confirmationNote, describeOrigin, line, pathTo, pickTaint } from './bash-common';

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
  check({ facts, tree, text }) {
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    const report = (head: Node, anchor: Node, e: (typeof facts.flow.effects)[number], what: string, calledEachTurn = false) => {
      if (seen.has(head.id)) return;
      // The model is asked again on every turn: the call, or a function returning its answer,
      // runs inside the loop. One answer run line by line is model-output-execution, not a loop.
      const t = pickTaint(calledEachTurn ? e.taint : e.taint.filter((x) => askedEachTurn(x, head)));
      if (!t) return;
      seen.add(head.id);
      const kw = anchor.child(0) ?? anchor;
      // The loop's own input from a model (the list of ideas) makes the structure plain.
      const fed = pickTaint(facts.flow.loopInputs.get(head.id) ?? []);
      const feeds = fed && fed.origin !== t.origin ? `; it iterates over ${describeOrigin(fed, e.range)}` : '';
      const path = pathTo(t, e.range, `executed here by ${e.label}, once per iteration`);
      if (feeds && fed) path.unshift({ range: fed.origin.range, message: `the loop's input comes from ${fed.origin.label} here` });
      // Asking before each run keeps a person in the loop: still reported, at a lower severity.
      const guard = facts.confirmations.guardOf(e.node);
      out.push({
        range: rangeOf(kw),
        message: `agent loop: ${what} runs ${describeOrigin(t, e.range)} through ${e.label} (line ${line(e.range)})${feeds}${guard ? confirmationNote(guard) : ''}`,
        path,
        confidence: t.origin.call?.confidence === 'low' ? 'low' : 'high',
        ...(guard ? { severity: 'warning' as const } : {}),
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
      if (!fn || !name) continue;
      // reported at the self-call, where the recursion is, not at the declaration
      const self = selfCall(fn, name);
      if (self) {
        report(fn, self, e, `the recursive function ${name}()`);
        continue;
      }
      // A function that asks the model and runs the answer, called from a loop.
      for (const site of callSites(tree.rootNode, text, name)) {
        const outer = enclosingLoops(site)[0];
        if (outer) report(outer, outer, { ...e, taint: e.taint.filter((x) => inside(x.origin.range, fn)) }, `each iteration, through ${name}() (line ${line(rangeOf(site))}),`, true);
      }
    }
    // A coding agent with approvals off, started again and again with nothing bounding the turns.
    for (const c of facts.flow.modelCalls) {
      if (!c.approvalsOff) continue;
      const loop = enclosingLoops(c.node).find(isOpenEndedLoop);
      if (!loop || seen.has(loop.id)) continue;
      seen.add(loop.id);
      out.push({
        range: rangeOf(loop.child(0) ?? loop),
        message: `agent loop: each iteration starts ${c.label} (line ${line(c.range)}), a coding agent running without approvals (\`${c.approvalsOff}\`), and nothing bounds the iterations`,
        path: [{ range: c.range, message: `${c.label} runs what its model writes here, once per iteration` }],
        confidence: c.confidence,
      });
    }
    return out;
  },
};

function selfCall(fn: Node, name: string): Node | undefined {
  const body = fn.childForFieldName('body');
  return body?.descendantsOfType('command').find((c) => c?.childForFieldName('name')?.text === name) ?? undefined;
}

function inside(r: { start: { line: number; column: number } }, n: Node): boolean {
  const { row, column } = n.startPosition;
  const end = n.endPosition;
  const l = r.start.line;
  const c = r.start.column;
  return (l > row || (l === row && c >= column)) && (l < end.row || (l === end.row && c <= end.column));
}

function askedEachTurn(t: { origin: { range: { start: { line: number; column: number } } }; steps: { range: { start: { line: number; column: number } }; message: string }[] }, loop: Node): boolean {
  if (inside(t.origin.range, loop)) return true;
  return t.steps.some((s) => s.message.startsWith('returned by') && inside(s.range, loop));
}

/** Commands that call `name`, found from its mentions in the text. */
function callSites(root: Node, text: string, name: string): Node[] {
  const out: Node[] = [];
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    let n: Node | null = root.descendantForIndex(i);
    for (let up = 0; n && n.type !== 'command' && up < 3; up++) n = n.parent;
    if (n?.type === 'command' && n.childForFieldName('name')?.text === name) out.push(n);
  }
  return out;
}
