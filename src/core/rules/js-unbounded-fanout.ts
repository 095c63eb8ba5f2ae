import type { Rule, RawFinding } from '../rule';
import type { JsFacts } from '../js/facts';
import { within } from '../js/tree';
import { describeOrigin, pathTo, pickTaint } from './js-common';

const CAP = /Math\.min\(|\.slice\(\s*0\s*,|\.splice\(\s*0\s*,|\blimit\w*\(|pLimit|p-limit|p-map|pMap|mapLimit|Semaphore|semaphore|queue\.add|concurrency/;

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-unbounded-fanout',
    language: 'typescript',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Unbounded fan-out over model output',
    explanation:
      'The program starts one process, or one model call whose output is run, per item of a list the model produced, all at once ' +
      '(`Promise.all(items.map(...))`, `forEach`, a loop that does not wait). The model decides how many run: a long answer becomes ' +
      'hundreds of processes. Cap the list and the concurrency (`items.slice(0, 5)`, p-limit).',
    example: {
      bad: "import { execa } from 'execa';\nimport { generateObject } from 'ai';\nconst { object } = await generateObject({ model, schema, prompt: 'list the services to restart' });\nawait Promise.all(object.services.map((s) => execa('systemctl', ['restart', s])));\n",
      good: "import { execa } from 'execa';\nimport { generateObject } from 'ai';\nconst { object } = await generateObject({ model, schema, prompt: 'list the services to restart' });\nfor (const s of object.services.slice(0, 3)) await execa('systemctl', ['restart', s]);\n",
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    const { spawns, effects, modelCalls } = facts.flow;
    for (const f of facts.flow.fanouts) {
      if (CAP.test(f.over.text) || CAP.test(f.body.text)) continue;
      const isLoop = f.node.type === 'for_in_statement';
      const inBody = spawns.filter((s) => within(s.range, f.body) && !(isLoop && (s.sync || awaited(s.node, f.body))));
      const modelThenExec = modelCalls.some((c) => within(c.range, f.body)) && effects.some((e) => within(e.range, f.body));
      if (!inBody.length && !modelThenExec) continue;
      // A tool's list arguments (the files to read) are sized by the request the model answers, one
      // call at a time: the fan-out that runs away is over a model's own answer.
      const t = pickTaint(f.taint.filter((x) => !x.origin.tool));
      if (!t) continue;
      const what = inBody.length ? `starts a process (${inBody[0]!.label})` : 'calls a model and runs its output';
      out.push({
        range: f.range,
        message: `unbounded fan-out: ${f.how} ${what} ${f.per ?? 'for every item of'} ${describeOrigin(t, f.range)}${f.per ? ' says' : ''}, with no cap on their number`,
        path: pathTo(t, f.range, 'one task per item started here'),
        confidence: t.origin.call?.confidence ?? 'high',
      });
    }
    return out;
  },
};

function awaited(node: import('web-tree-sitter').Node, stop: import('web-tree-sitter').Node): boolean {
  for (let p = node.parent; p && p.id !== stop.id; p = p.parent) if (p.type === 'await_expression') return true;
  return false;
}
