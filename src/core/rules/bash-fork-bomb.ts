import type { Node } from 'web-tree-sitter';
import type { Rule, RawFinding } from '../rule';
import { isCallOf, type BashFacts } from '../bash/facts';
import { enclosingLoops, isBackgrounded, isUnboundedLoop, rangeOf } from '../bash/tree';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-fork-bomb',
    language: 'bash',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Fork bomb',
    explanation:
      'This function starts copies of itself in the background or through a pipe, so the number of processes doubles until the machine ' +
      'runs out of them. It makes the system unusable and is never needed in a real script.',
    example: {
      bad: ':(){ :|:& };:\n',
      good: 'worker() { process_batch "$1"; }\nworker a & worker b &\nwait\n',
    },
  },
  check({ facts }) {
    return facts.memo('fork-bombs', () => forkBombs(facts));
  },
};

function forkBombs(facts: BashFacts): RawFinding[] {
  {
    const out: RawFinding[] = [];
    for (const { name, fn, calls } of facts.recursiveFunctions()) {
      const piped = calls.filter((c) => c.parent?.type === 'pipeline' && c.parent.namedChildren.filter((x) => x && isCallOf(x, name)).length >= 2);
      const bg = calls.filter((c) => isBackgrounded(c));
      const bgInLoop = bg.filter((c) => enclosingLoops(c).some((l) => isInside(l, fn) && isUnboundedLoop(l)));
      if (piped.length >= 2 || (calls.length >= 2 && bg.length >= 1) || bgInLoop.length >= 1) {
        out.push({
          range: rangeOf(fn.childForFieldName('name') ?? fn),
          message: `fork bomb: ${name}() starts ${piped.length >= 2 ? 'two copies of itself through a pipe' : bgInLoop.length && calls.length < 2 ? 'copies of itself in the background in a loop' : `${calls.length} copies of itself in the background`}, doubling processes until the system runs out`,
          path: calls.map((c) => ({ range: rangeOf(c), message: `${name}() starts itself here${isBackgrounded(c) ? ' in the background' : ''}` })),
          confidence: 'high',
        });
      }
    }
    return out;
  }
}

function isInside(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}
