import type { Rule, RawFinding } from '../rule';
import type { JsFacts } from '../js/facts';
import { isConditional, isUnboundedLoop, line, loopHasExit, pathTo, repeatingContexts } from './js-common';
import { enclosingFunction, LOOP_TYPES } from '../js/tree';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-self-spawn',
    language: 'typescript',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Program starts itself again without a bound',
    explanation:
      'The program starts a copy of itself (`process.argv[1]`, `__filename`, `import.meta.url`, `fork(__filename)`, `cluster.fork()`) in a loop ' +
      'or with nothing that stops the copy from doing the same. Each copy multiplies the work until the machine runs out of processes or memory. ' +
      'Guard the spawn with a role check (an environment variable, `cluster.isPrimary`) and a count.',
    example: {
      bad: "import { spawn } from 'node:child_process';\nspawn(process.execPath, [process.argv[1]], { detached: true, stdio: 'ignore' }).unref();\n",
      good: "import { spawn } from 'node:child_process';\nif (!process.env.FANG_CHILD) {\n  spawn(process.execPath, [process.argv[1]], { env: { ...process.env, FANG_CHILD: '1' }, stdio: 'inherit' });\n}\n",
    },
  },
  check({ facts, text }) {
    const out: RawFinding[] = [];
    // A file that checks its role (`isMainThread`, `cluster.isPrimary`) starts its own workers from functions on purpose.
    const workerRole = /\b(isMainThread|workerData|parentPort)\b/.test(text);
    const clusterRole = /\bis(Primary|Master|Worker)\b/.test(text);
    for (const s of facts.flow.spawns) {
      const t = s.self[0];
      if (!t) continue;
      const contexts = repeatingContexts(s.node);
      const loop = contexts.find((c) => LOOP_TYPES.includes(c.type) || c.type === 'call_expression');
      const unbounded = contexts.find((c) => isUnboundedLoop(c) && !loopHasExit(c));
      const guarded = isConditional(s.node);
      const roleChecked = (s.api === 'worker' && workerRole) || (s.label.includes('cluster') && clusterRole);
      if (!loop && !unbounded && roleChecked && enclosingFunction(s.node)) continue;
      let why: string | undefined;
      if (unbounded) why = unbounded.type === 'call_expression' ? 'from a `setInterval` callback' : 'inside a loop that never ends';
      else if (!guarded) why = loop ? 'inside a loop, and every copy runs the same loop' : 'with nothing that stops the copy from doing the same';
      if (!why) continue;
      out.push({
        range: s.range,
        message: `${s.label} starts this program again (${t.origin.label}, line ${line(t.origin.range)}) ${why}`,
        path: pathTo(t, s.range, `the program starts itself here with ${s.label}`).slice(1),
        confidence: 'high',
      });
    }
    return out;
  },
};
