import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { describeOrigin, effectFindings, line, lowConfidenceNote } from './bash-common';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-model-output-staged',
    language: 'bash',
    category: 'model-output-execution',
    severity: 'warning',
    title: 'Model output is put on the command line, one keypress from running',
    explanation:
      'A shell integration puts what a model answered into your command line (zsh `BUFFER=`, `print -z`, bash `READLINE_LINE=`, `tmux send-keys` ' +
      'without Enter). Nothing runs yet, but a habitual Enter runs an unread, possibly prompt-injected command with your permissions. Show the ' +
      'suggestion apart from the prompt, or make accepting it a deliberate step.',
    example: {
      bad: '_ai_complete() {\n  BUFFER=$(llm "complete this shell command: $BUFFER")\n  zle end-of-line\n}\nzle -N _ai_complete\n',
      good: '_ai_explain() {\n  zle -M "$(llm "explain this shell command: $BUFFER")"\n}\nzle -N _ai_explain\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['stage'],
      (e, t) => `${describeOrigin(t, e.range)} is put on the command line by ${e.label} (line ${line(e.range)}): one Enter runs it${lowConfidenceNote(t)}`,
      (e) => `staged on the command line here by ${e.label}`,
    );
  },
};
