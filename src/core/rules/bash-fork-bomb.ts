import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { isBackgrounded, rangeOf } from '../bash/tree';

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
    return facts.forkBombs().map(({ name, fn, calls, how }) => ({
      range: rangeOf(fn.childForFieldName('name') ?? fn),
      message: `fork bomb: ${name}() starts ${how === 'pipe' ? 'two copies of itself through a pipe' : how === 'background-loop' ? 'copies of itself in the background in a loop' : `${calls.length} copies of itself in the background`}, doubling processes until the system runs out`,
      path: calls.map((c) => ({ range: rangeOf(c), message: `${name}() starts itself here${isBackgrounded(c) ? ' in the background' : ''}` })),
      confidence: 'high' as const,
    }));
  },
};
