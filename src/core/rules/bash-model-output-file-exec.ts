import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { describeOrigin, effectFindings, line, lowConfidenceNote } from './bash-common';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-model-output-file-exec',
    language: 'bash',
    category: 'model-output-execution',
    severity: 'error',
    title: 'A file written from model output is run',
    explanation:
      'The script saves what a language model produced to a file and then runs or sources that file. Writing it to disk first does not make ' +
      'it safer: the generated program runs unreviewed with your permissions.',
    example: {
      bad: 'llm "write a backup script" > backup.sh\nchmod +x backup.sh\n./backup.sh\n',
      good: 'llm "write a backup script" > backup.sh\nless backup.sh\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['file-exec'],
      (e, t) => `${describeOrigin(t, e.range)} is written to a file that ${e.label} (line ${line(e.range)}) runs${lowConfidenceNote(t)}`,
      (e) => `run here by ${e.label}`,
      { confirmations: true },
    );
  },
};
