import type { Rule, RawFinding } from '../rule';
import type { PyFacts } from '../python/facts';
import { enclosingFunction, functionName, LOOP_TYPES, rangeOf, within } from '../python/tree';
import { isConditional, isUnboundedLoop, lineRef, loopHasExit, pathTo, repeatingContexts } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-self-spawn',
    language: 'python',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Program starts itself again without a bound',
    explanation:
      'The program starts a copy of itself (`subprocess.Popen([sys.executable, __file__])`, `os.execv(sys.executable, [sys.executable] + sys.argv)`, ' +
      'a `multiprocessing.Process` whose function starts another) in a loop or with nothing that stops the copy from doing the same. Each copy multiplies ' +
      'the work, or restarts forever. Guard the spawn with a role check (an environment variable, an argument) and a count.',
    example: {
      bad: 'import subprocess, sys\nsubprocess.Popen([sys.executable, __file__], start_new_session=True)\n',
      good: 'import os, subprocess, sys\nif not os.environ.get("FANG_CHILD"):\n    subprocess.Popen([sys.executable, __file__], env={**os.environ, "FANG_CHILD": "1"})\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    for (const s of facts.flow.spawns) {
      // A process whose function starts the same process again: `Process(target=worker)` inside `worker`.
      if (s.api === 'process' && s.target && within(s.range, s.target) && !isConditional(s.node, s.target)) {
        out.push({ range: s.range, message: `${s.label} runs \`${functionName(s.target)}()\`, which starts another process running it again (${lineRef(rangeOf(s.target), s.range)}), with nothing that stops the chain`, path: [], confidence: 'high' });
        continue;
      }
      const t = s.self[0];
      if (!t) continue;
      const contexts = repeatingContexts(s.node);
      const loop = contexts.find((c) => LOOP_TYPES.includes(c.type));
      const unbounded = contexts.find((c) => isUnboundedLoop(c) && !loopHasExit(c));
      const guarded = isConditional(s.node);
      let why: string | undefined;
      if (unbounded) why = 'inside a loop that never ends';
      else if (!guarded && s.replaces) why = 'in place of itself with nothing that stops the new copy from doing the same: it restarts forever';
      else if (!guarded) why = loop ? 'inside a loop, and every copy runs the same loop' : enclosingFunction(s.node) ? 'from a function with nothing that stops the copy from doing the same' : 'with nothing that stops the copy from doing the same';
      if (!why) continue;
      out.push({
        range: s.range,
        message: `${s.label} starts this program again (${t.origin.label}, ${lineRef(t.origin.range, s.range)}) ${why}`,
        path: pathTo(t, s.range, `the program starts itself here with ${s.label}`).slice(1),
        confidence: 'high',
      });
    }
    return out;
  },
};
