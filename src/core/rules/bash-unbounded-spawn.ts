import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import type { BashFacts } from '../bash/facts';
import { enclosingLoops, isUnboundedLoop, rangeOf } from '../bash/tree';
import { describeOrigin, pathTo, pickTaint } from './bash-common';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-unbounded-spawn',
    language: 'bash',
    category: 'recursive-spawning',
    severity: 'warning',
    title: 'Background jobs or fan-out without a bound',
    explanation:
      'Processes are started in the background inside a loop that never ends and never waits, or fanned out over model output with no ' +
      'parallelism cap. The number of running processes is then decided by time or by the model, not by you. Cap the jobs and wait for them.',
    example: {
      bad: 'while true; do\n  ./poll-and-act.sh &\ndone\n',
      good: 'for host in web1 web2 web3; do\n  deploy "$host" &\ndone\nwait\n',
    },
  },
  check({ facts }) {
    const out: RawFinding[] = [];
    for (const amp of facts.structure().backgrounded) {
      const stmt = amp?.previousNamedSibling;
      if (!amp || !stmt) continue;
      const loop = enclosingLoops(stmt)[0];
      if (!loop || !spawnsWithoutBound(loop)) continue;
      if (waitsOrCaps(loop)) continue;
      out.push({
        range: rangeOf(stmt),
        message: `\`${firstLine(stmt.text)}\` is started in the background on every turn of ${isUnboundedLoop(loop) ? 'an endless loop' : 'a loop whose length the input decides'}, with no \`wait\` or job cap inside it`,
        path: [{ range: rangeOf(loop.child(0) ?? loop), message: isUnboundedLoop(loop) ? 'endless loop starts here' : 'loop starts here' }],
        confidence: 'high',
      });
    }
    for (const e of facts.flow.effects) {
      if (e.kind !== 'fanout') continue;
      const t = pickTaint(e.taint);
      if (!t) continue;
      out.push({
        range: e.range,
        message: `${e.label} fans out over ${describeOrigin(t, e.range)} with no cap on parallel jobs: the model decides how many processes start`,
        path: pathTo(t, e.range, `fanned out here by ${e.label}`),
        confidence: t.origin.call?.confidence === 'low' ? 'low' : 'high',
      });
    }
    return out;
  },
};

function waitsOrCaps(loop: Node): boolean {
  for (const c of loop.descendantsOfType('command')) {
    const n = c?.childForFieldName('name')?.text;
    if (n === 'wait' || n === 'sem' || n === 'jobs') return true;
  }
  return false;
}

const firstLine = (s: string) => {
  const l = s.split('\n')[0] ?? '';
  return l.length > 60 ? `${l.slice(0, 57)}...` : l;
};

/** `for x in a b c` and C-style `for` with a condition are bounded; `while`/`until` loops are not. */
function spawnsWithoutBound(loop: Node): boolean {
  if (isUnboundedLoop(loop)) return true;
  return loop.type === 'while_statement';
}
