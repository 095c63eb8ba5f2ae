import type { Rule } from '../rule';
import { parseSuppressions } from '../suppress';

export const rule: Rule = {
  meta: {
    id: 'suppression-without-reason',
    language: 'any',
    category: 'model-output-execution',
    severity: 'note',
    title: 'Suppression without a reason',
    explanation:
      'A fang-ignore comment silences a security finding but does not say why. The next reader cannot tell a reviewed exception from a ' +
      'hidden risk. Add `-- reason` after the rule id.',
    example: {
      bad: '# fang-ignore-next-line bash-model-output-exec\neval "$(llm "fix it")"\n',
      good: '# fang-ignore-next-line bash-model-output-exec -- runs only in the sandboxed eval harness\neval "$(llm "fix it")"\n',
    },
  },
  check({ tree, text }) {
    return parseSuppressions(tree, text)
      .filter((s) => !s.reason)
      .map((s) => ({
        range: s.range,
        message: `fang-ignore-${s.scope} ${s.ids.join(', ') || '(all rules)'} has no reason; write \`-- why this is safe\` after the rule id`,
        path: [],
        confidence: 'high' as const,
      }));
  },
};
