import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-model-cli-call',
    language: 'bash',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Script calls a language model',
    explanation:
      'This command asks a language model for text at run time, so what the script does next depends on an answer nobody has read yet. ' +
      'Combined with code execution or a loop, a script like this is an agent that acts with your credentials.',
    example: {
      bad: 'answer=$(llm "Summarise the failing tests")\necho "$answer"\n',
      good: 'pip install llm\nllm --version\n',
    },
  },
  check({ facts }) {
    return facts.flow.modelCalls
      .filter((c) => c.kind !== 'http' && !c.approvalsOff) // an agent acting without approvals: bash-agent-cli-exec
      .map((c) => ({
        range: c.range,
        message:
          c.confidence === 'low'
            ? `calls ${c.label}, which looks like a model wrapper (lower confidence: inferred from its name)`
            : `calls ${c.label}, ${c.reason}`,
        path: [],
        confidence: c.confidence,
      }));
  },
};
