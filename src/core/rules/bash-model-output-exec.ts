import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { describeOrigin, effectFindings, line, lowConfidenceNote } from './bash-common';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-model-output-exec',
    language: 'bash',
    category: 'model-output-execution',
    severity: 'error',
    title: 'Model output is executed as code',
    explanation:
      'Text produced by a language model reaches a command that runs it as code. Whatever the model answers, including a prompt-injected ' +
      'or simply wrong answer, runs with your user, files and credentials. Print the generated code and ask before running it, or run it in a sandbox.',
    example: {
      bad: 'eval "$(llm "write a command that frees disk space")"\n',
      good: 'cmd=$(llm "write a command that frees disk space")\nprintf \'%s\\n\' "$cmd"\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['exec'],
      (e, t) => `${describeOrigin(t, e.range)} reaches ${e.label} (line ${line(e.range)}) and runs as code${lowConfidenceNote(t)}`,
      (e) => `executed here by ${e.label}`,
      { confirmations: true },
    );
  },
};
