import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import { userReadEachRound } from '../python/user-read';
import { enclosingFunction, functionName, isFunction, LOOP_TYPES, within } from '../python/tree';
import type { Range } from '../types';
import { fileOfNode } from '../tree-util';
import { describeContext, describeOrigin, headRange, lowConfidenceNote, pathTo, repeatingContexts, selfReferences } from './py-common';
import { rangeOf } from '../tree-util';
import { lineRef } from './where';

/**
 * A loop that runs, through calls of this file (up to three deep), a function holding both a
 * point where the model is asked and a point where its answer runs.
 */
function loopCalling(facts: PyFacts, points: Node[], callPoints: Range[], runPoints: Range[]): { loop: Node; fn: Node } | undefined {
  const turns: Node[] = [];
  for (const p of points) {
    const f = enclosingFunction(p);
    if (f && !turns.some((x) => x.id === f.id) && callPoints.some((r) => within(r, f)) && runPoints.some((r) => within(r, f))) turns.push(f);
  }
  for (const fn of turns) {
    let frontier: Node[] = [fn];
    for (let depth = 0; depth < 3 && frontier.length; depth++) {
      const next: Node[] = [];
      for (const f of frontier) {
        for (const site of facts.flow.callers.get(f.id) ?? []) {
          if (site.tree !== fn.tree) continue;
          const loop = repeatingContexts(site).find((c) => (LOOP_TYPES.includes(c.type) || (isFunction(c) && c.id !== f.id)) && !userReadEachRound(c));
          if (loop) return { loop, fn };
          const up = enclosingFunction(site);
          if (up && up.id !== f.id) next.push(up);
        }
      }
      frontier = next;
    }
  }
  return undefined;
}

/** Agent frameworks that call the model again after each tool call, until it stops asking for tools. */
const FRAMEWORK = /LangChain|langgraph|llama_index|pydantic_ai|`agents`|smolagents|crewai/;

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-agent-loop',
    language: 'python',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Agent loop: a loop asks a model for code and runs it',
    explanation:
      'Each turn of this loop (or recursive function, or agent framework run) calls a language model and runs what it answers, so the program acts ' +
      'autonomously: the model decides what happens next, as often as the loop goes on, with your permissions. Cap the turns and confirm each step, ' +
      'or dry-run it in the sandbox.',
    example: {
      bad: 'import subprocess\nfrom openai import OpenAI\nclient = OpenAI()\nwhile True:\n    r = client.chat.completions.create(model="gpt-4o", messages=history)\n    subprocess.run(r.choices[0].message.content, shell=True)\n',
      good: 'from openai import OpenAI\nclient = OpenAI()\nfor turn in range(3):\n    r = client.chat.completions.create(model="gpt-4o", messages=history)\n    print(r.choices[0].message.content)\n',
    },
  },
  check({ facts, tree }) {
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    const root = tree.rootNode;
    const nodeAt = (r: Range): Node | null => root.descendantForPosition({ row: r.start.line, column: r.start.column });
    // In a project the entry's own tree knows its file: positions in other files are not looked up in it.
    const entryFile = fileOfNode(root);
    for (const e of facts.flow.effects) {
      if (e.kind !== 'exec' && e.kind !== 'file-exec') continue;
      for (const t of e.taint) {
        if (t.origin.kind !== 'model') continue;
        const call = t.origin.call;
        // An agent framework's own loop: the model calls a tool that runs code, then is asked again.
        const viaTool = t.steps.some((s) => s.message === 'tool arguments chosen by the model here') || (call && e.node.id === call.node.id);
        if (viaTool && call && !seen.has(call.node.id) && FRAMEWORK.test(call.reason)) {
          seen.add(call.node.id);
          out.push({
            range: call.range,
            message: `agent loop: ${call.label} lets the model run code through ${e.label} (${lineRef(e.range, call.range)}), step after step${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per tool call`),
            confidence: call.confidence,
          });
          continue;
        }
        // Where the model call happens (directly or through a helper) and where its output is run.
        const callPoints = [t.origin.range, ...t.steps.filter((s) => s.message.startsWith('returned by')).map((s) => s.range)];
        const runPoints = [e.range, ...t.steps.filter((s) => s.message.startsWith('passed to') || s.message.startsWith('received by')).map((s) => s.range)];
        const local = (r: Range) => r.file === entryFile;
        const candidates = new Map<number, Node>();
        for (const r of [...callPoints, ...runPoints].filter(local)) {
          const n = nodeAt(r);
          if (n) for (const c of repeatingContexts(n)) candidates.set(c.id, c);
        }
        // A loop that waits for the user's input on every round (a REPL) is driven by the user, not by the model.
        const hit = [...candidates.values()]
          .sort((a, b) => a.startIndex - b.startIndex)
          .find((c) => !seen.has(c.id) && callPoints.some((r) => within(r, c)) && runPoints.some((r) => within(r, c)) && !userReadEachRound(c));
        if (hit) {
          seen.add(hit.id);
          // a recursive function is reported at its self-call, where the loop closes
          const self = isFunction(hit) ? selfReferences(hit)[0] : undefined;
          out.push({
            range: self ? rangeOf(self) : headRange(hit),
            message: `agent loop: ${describeContext(hit)} runs ${describeOrigin(t, e.range)} through ${e.label} (${lineRef(e.range)})${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per turn`),
            confidence: t.origin.call?.confidence ?? 'high',
          });
          continue;
        }
        // A function that asks the model and runs the answer, called from a loop (`while self.run_once():`).
        const turn = loopCalling(facts, [...callPoints, ...runPoints].filter(local).map(nodeAt).filter((n): n is Node => !!n), callPoints, runPoints);
        if (turn && !seen.has(turn.loop.id)) {
          seen.add(turn.loop.id);
          out.push({
            range: headRange(turn.loop),
            message: `agent loop: each iteration of this loop calls \`${functionName(turn.fn)}()\`, which runs ${describeOrigin(t, e.range)} through ${e.label} (${lineRef(e.range)})${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per turn`),
            confidence: t.origin.call?.confidence ?? 'high',
          });
        }
      }
    }
    return out;
  },
};
