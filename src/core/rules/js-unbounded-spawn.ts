import type { Rule, RawFinding } from '../rule';
import type { JsFacts } from '../js/facts';
import { isUnboundedLoop, loopHasExit, repeatingContexts } from './js-common';
import { functionName, isFunction } from '../js/tree';
import type { Node } from 'web-tree-sitter';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-unbounded-spawn',
    language: 'typescript',
    category: 'recursive-spawning',
    severity: 'warning',
    title: 'Processes started in a loop that never ends, without waiting',
    explanation:
      'A process (child_process, execa, zx, a Worker) is started inside `while (true)`, `for (;;)` or a `setInterval` callback, and nothing waits for ' +
      'it to finish or ends the loop. Processes pile up until the machine runs out of them. Wait for each child, or keep a count and stop.',
    example: {
      bad: "import { spawn } from 'node:child_process';\nsetInterval(() => {\n  spawn('node', ['worker.js'], { detached: true });\n}, 100);\n",
      good: "import { spawn } from 'node:child_process';\nimport { once } from 'node:events';\nwhile (true) {\n  const child = spawn('node', ['worker.js']);\n  await once(child, 'exit');\n}\n",
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    for (const s of facts.flow.spawns) {
      if (s.self.length || s.sync) continue; // self-spawns: js-self-spawn; sync calls wait
      const loop = repeatingContexts(s.node).find((c) => isUnboundedLoop(c));
      if (!loop || loopHasExit(loop)) continue;
      if (waited(s.node, loop)) continue;
      const interval = loop.type === 'call_expression';
      // A periodic command that runs to completion (`exec('git fetch')` every minute) is a job, not a pile-up.
      if (interval && (s.api === 'shell' || /execFile/.test(s.label)) && !s.detached) continue;
      if (interval && /clearInterval/.test(loop.text)) continue;
      out.push({
        range: s.range,
        message: `${s.label} starts a process ${interval ? 'from a `setInterval` callback' : isFunction(loop) ? `in \`${functionName(loop)}()\`, which always calls itself again,` : 'in a loop that never ends'} without waiting for it; processes pile up without a bound`,
        path: [],
        confidence: 'high',
      });
    }
    return out;
  },
};

/** The spawn is awaited, or the loop awaits something that names the child (`await once(child, 'exit')`). */
function waited(spawn: Node, loop: Node): boolean {
  let child: string | undefined;
  for (let p = spawn.parent; p && p.id !== loop.id && !isFunction(p); p = p.parent) {
    if (p.type === 'await_expression') return true;
    if (p.type === 'variable_declarator') child = p.childForFieldName('name')?.text;
  }
  if (!child) return false;
  const body = loop.type === 'call_expression' ? loop : loop.childForFieldName('body');
  return !!body && body.descendantsOfType('await_expression').some((a) => !!a && new RegExp(`\\b${child}\\b`).test(a.text));
}
