import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import { within } from '../python/tree';
import type { Range } from '../types';
import { describeContext, describeOrigin, headRange, line, lowConfidenceNote, pathTo, repeatingContexts } from './py-common';

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
            message: `agent loop: ${call.label} lets the model run code through ${e.label} (line ${line(e.range)}), step after step${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per tool call`),
            confidence: call.confidence,
          });
          continue;
        }
        // Where the model call happens (directly or through a helper) and where its output is run.
        const callPoints = [t.origin.range, ...t.steps.filter((s) => s.message.startsWith('returned by')).map((s) => s.range)];
        const runPoints = [e.range, ...t.steps.filter((s) => s.message.startsWith('passed to') || s.message.startsWith('received by')).map((s) => s.range)];
        const candidates = new Map<number, Node>();
        for (const r of [...callPoints, ...runPoints]) {
          const n = nodeAt(r);
          if (n) for (const c of repeatingContexts(n)) candidates.set(c.id, c);
        }
        for (const c of [...candidates.values()].sort((a, b) => a.startIndex - b.startIndex)) {
          if (seen.has(c.id)) continue;
          if (!callPoints.some((r) => within(r, c)) || !runPoints.some((r) => within(r, c))) continue;
          seen.add(c.id);
          out.push({
            range: headRange(c),
            message: `agent loop: ${describeContext(c)} runs ${describeOrigin(t)} through ${e.label} (line ${line(e.range)})${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per turn`),
            confidence: t.origin.call?.confidence ?? 'high',
          });
          break;
        }
      }
    }
    return out;
  },
};
