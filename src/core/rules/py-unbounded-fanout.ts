import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import { within } from '../python/tree';
import { describeOrigin, pathTo, pickTaint } from './py-common';

/** A bound on the items or the workers: a slice, `islice`, `max_workers=N`, a semaphore. */
const CAP = /\[\s*:\s*\d+\s*\]|\[\s*0\s*:\s*\d+\s*\]|\bislice\(|\bmin\(|Semaphore|BoundedSemaphore|max_workers\s*=\s*\d|processes\s*=\s*\d|\blimit\w*\(|\bTaskGroup\b.*\blimit/;

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-unbounded-fanout',
    language: 'python',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Unbounded fan-out over model output',
    explanation:
      'The program starts one process (or one model call whose output is run) per item of a list the model produced, all at once: `asyncio.gather` over a ' +
      'comprehension, an executor or pool `map`, `Popen` or `Process` in a loop that does not wait. The model decides how many run: a long answer becomes hundreds ' +
      'of processes. Cap the list and the workers (`items[:5]`, `ThreadPoolExecutor(max_workers=4)`, a semaphore).',
    example: {
      bad: 'import json, subprocess\nfrom openai import OpenAI\nr = OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "list services to restart as JSON"}])\nfor s in json.loads(r.choices[0].message.content):\n    subprocess.Popen(["systemctl", "restart", s])\n',
      good: 'import json, subprocess\nfrom openai import OpenAI\nr = OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "list services to restart as JSON"}])\nfor s in json.loads(r.choices[0].message.content)[:3]:\n    subprocess.run(["systemctl", "restart", s])\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    const { spawns, effects, modelCalls } = facts.flow;
    for (const f of facts.flow.fanouts) {
      if (f.cap || CAP.test(f.over.text) || CAP.test(f.body.text)) continue;
      // The work per item: the body, and the functions it runs (beside it, through a pool or a thread, or in turn).
      // A loop (or a comprehension) runs one item after the other; gather, pools and threads run them side by side.
      const isLoop = f.node.type === 'for_statement' || /comprehension|generator_expression/.test(f.node.type);
      const concurrentAll = !isLoop;
      const places = [{ node: f.body, concurrent: concurrentAll }, ...facts.reachable(f.body, concurrentAll).map((r) => ({ node: r.fn, concurrent: r.concurrent }))];
      const started = spawns.filter((s) => places.some((p) => within(s.range, p.node) && (p.concurrent || !s.sync)) && !(isLoop && waitedInLoop(s.node, f.body)));
      const modelThenExec = places.some((p) => p.concurrent || !isLoop) && places.some((p) => modelCalls.some((c) => within(c.range, p.node))) && places.some((p) => effects.some((e) => e.kind === 'exec' && within(e.range, p.node)));
      if (!started.length && !modelThenExec) continue;
      const t = pickTaint(f.taint);
      if (!t) continue;
      const what = started.length ? `starts a process (${started[0]!.label})` : 'calls a model and runs its output';
      out.push({
        range: f.range,
        message: `unbounded fan-out: ${f.how} ${what} for every item of ${describeOrigin(t, f.range)}, with no cap on their number`,
        path: pathTo(t, f.range, 'one task per item started here'),
        confidence: t.origin.call?.confidence ?? 'high',
      });
    }
    return out;
  },
};

/** A spawn in a loop body that the body waits for before the next item: `p.wait()`, `p.join()`, a `with Popen(...)` block. */
function waitedInLoop(node: Node, body: Node): boolean {
  for (let p = node.parent; p && p.id !== body.id; p = p.parent) if (p.type === 'with_item') return true;
  return /\.(wait|communicate|join)\s*\(|\bos\.wait(pid)?\s*\(/.test(body.text);
}
