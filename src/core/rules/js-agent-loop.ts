import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { JsFacts } from '../js/facts';
import { within } from '../js/tree';
import type { Range } from '../types';
import { describeContext, describeOrigin, headRange, line, lowConfidenceNote, pathTo, repeatingContexts, selfReferences } from './js-common';
import { isFunction, rangeOf } from '../js/tree';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-agent-loop',
    language: 'typescript',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Agent loop: a loop asks a model for code and runs it',
    explanation:
      'Each turn of this loop (or recursive function, or interval callback) calls a language model and runs what it answers, so the program acts ' +
      'autonomously: the model decides what happens next, as often as the loop goes on, with your permissions. Cap the turns and confirm each step, ' +
      'or dry-run it in the sandbox.',
    example: {
      bad: "import Anthropic from '@anthropic-ai/sdk';\nconst claude = new Anthropic();\nwhile (true) {\n  const msg = await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages });\n  eval(msg.content[0].text);\n}\n",
      good: "import Anthropic from '@anthropic-ai/sdk';\nconst claude = new Anthropic();\nfor (let turn = 0; turn < 3; turn++) {\n  const msg = await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages });\n  console.log(msg.content[0].text);\n}\n",
    },
  },
  check({ facts, tree }) {
    const out: RawFinding[] = [];
    const seen = new Set<number>();
    const root = tree.rootNode;
    const nodeAt = (r: Range): Node | null => root.descendantForPosition({ row: r.start.line, column: r.start.column });
    for (const e of facts.flow.effects) {
      for (const t of e.taint) {
        if (t.origin.kind !== 'model') continue;
        // An agent framework's own loop: the model calls a tool that runs code, then is asked again.
        const toolStep = t.steps.find((s) => s.message === 'tool arguments chosen by the model here');
        const call = t.origin.call;
        if (toolStep && call && !seen.has(call.node.id) && frameworkLoops(call.node, call.reason)) {
          seen.add(call.node.id);
          out.push({
            range: call.range,
            message: `agent loop: ${call.label} lets the model call a tool that runs its arguments through ${e.label} (line ${line(e.range)}), step after step${lowConfidenceNote(t)}`,
            path: pathTo(t, e.range, `executed here by ${e.label}, once per tool call`),
            confidence: call.confidence,
          });
          continue;
        }
        // Where the model call happens (directly or through a helper) and where its output is run.
        const callPoints = [t.origin.range, ...t.steps.filter((s) => s.message.startsWith('returned by')).map((s) => s.range)];
        const runPoints = [e.range, ...t.steps.filter((s) => s.message.startsWith('passed to')).map((s) => s.range)];
        const candidates = new Map<number, Node>();
        for (const r of [...callPoints, ...runPoints]) {
          const n = nodeAt(r);
          if (n) for (const c of repeatingContexts(n)) candidates.set(c.id, c);
        }
        for (const c of [...candidates.values()].sort((a, b) => a.startIndex - b.startIndex)) {
          if (seen.has(c.id)) continue;
          if (!callPoints.some((r) => within(r, c)) || !runPoints.some((r) => within(r, c))) continue;
          seen.add(c.id);
          // a recursive function is reported at its self-call, where the loop closes
          const self = isFunction(c) ? selfReferences(c)[0] : undefined;
          out.push({
            range: self ? rangeOf(self) : headRange(c),
            message: `agent loop: ${describeContext(c)} runs ${describeOrigin(t, e.range)} through ${e.label} (line ${line(e.range)})${lowConfidenceNote(t)}`,
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

/** Does the framework loop over tool calls: AI SDK with maxSteps/stopWhen, OpenAI runTools, LangChain agents? */
function frameworkLoops(call: Node, reason: string): boolean {
  const text = call.text;
  if (/\brunTools\b/.test(call.childForFieldName('function')?.text ?? '')) return true;
  if (/LangChain/.test(reason)) return true;
  const steps = /maxSteps\s*:\s*(\d+)/.exec(text);
  if (steps) return Number(steps[1]) > 1;
  return /\b(stopWhen|maxToolRoundtrips|maxIterations)\b/.test(text);
}
