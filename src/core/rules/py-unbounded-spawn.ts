import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import { functionName, isFunction } from '../python/tree';
import { isUnboundedLoop, loopHasExit, repeatingContexts } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-unbounded-spawn',
    language: 'python',
    category: 'recursive-spawning',
    severity: 'warning',
    title: 'Processes started in a loop that never ends, without waiting',
    explanation:
      'A process (`subprocess.Popen`, `os.fork`, `multiprocessing.Process`, `os.spawn*` with `P_NOWAIT`) is started inside `while True:` or a function that ' +
      'always calls itself again, and nothing waits for it to finish or ends the loop. Processes pile up until the machine runs out of them (`while True: os.fork()` ' +
      'is a fork bomb). Wait for each child, or keep a count and stop.',
    example: {
      bad: 'import subprocess\nwhile True:\n    subprocess.Popen(["python3", "worker.py"])\n',
      good: 'import subprocess\nwhile True:\n    p = subprocess.Popen(["python3", "worker.py"])\n    p.wait()\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    for (const s of facts.flow.spawns) {
      if (s.self.length || s.sync) continue; // self-spawns: py-self-spawn; run/call/system wait
      const loop = repeatingContexts(s.node).find((c) => isUnboundedLoop(c));
      if (!loop || loopHasExit(loop) || waited(s.node, loop)) continue;
      out.push({
        range: s.range,
        message: `${s.label} starts a process ${isFunction(loop) ? `in \`${functionName(loop)}()\`, which always calls itself again,` : 'in a loop that never ends'} without waiting for it; processes pile up without a bound`,
        path: [],
        confidence: 'high',
      });
    }
    return out;
  },
};

/** The loop waits for the child it started: `p.wait()`, `p.communicate()`, `p.join()`, `os.wait()`, `await proc.wait()`, or a `with Popen(...)` block. */
function waited(spawn: Node, loop: Node): boolean {
  let child: string | undefined;
  for (let p = spawn.parent; p && p.id !== loop.id && !isFunction(p); p = p.parent) {
    if (p.type === 'with_item') return true;
    if (p.type === 'assignment') child = p.childForFieldName('left')?.text;
  }
  const body = loop.childForFieldName('body');
  if (!body) return false;
  const text = body.text;
  if (/\bos\.(wait|waitpid|wait3|wait4)\s*\(/.test(text)) return true;
  if (!child || !/^[\w.]+$/.test(child)) return false;
  return new RegExp(`\\b${child.replace(/\./g, '\\.')}\\.(wait|communicate|join)\\s*\\(`).test(text);
}
