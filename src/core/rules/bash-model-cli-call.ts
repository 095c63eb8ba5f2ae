import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { lineRef } from './where';

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
    // A function that calls a model is a model wrapper by what it does: each call of it is a model call.
    const wrappers = facts.flow.wrapperCalls
      .map((w) => ({
        range: w.range,
        message: `${w.script ? `runs ${w.name}` : `calls ${w.name}()`}, which calls a model: ${w.inner.label} (${lineRef(w.inner.range, w.range)})`,
        path: [
          { range: w.range, message: `${w.script ? w.name : `${w.name}()`} called here` },
          { range: w.inner.range, message: `${w.inner.label} asked here, inside ${w.script ? w.name : `${w.name}()`}` },
        ],
        confidence: w.inner.confidence,
      }));
    return [...wrappers, ...facts.flow.modelCalls
      .filter((c) => c.kind !== 'http' && !c.approvalsOff) // an agent acting without approvals: bash-agent-cli-exec
      .map((c) => ({
        range: c.range,
        message:
          c.confidence === 'low'
            ? `calls ${c.label}, which looks like a model wrapper (lower confidence: inferred from its name)`
            : `calls ${c.label}, ${c.reason}`,
        path: [],
        confidence: c.confidence,
      }))];
  },
};
