import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { describeOrigin, effectFindings, lineRef } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-model-output-exec',
    language: 'python',
    category: 'model-output-execution',
    severity: 'error',
    title: 'Model output is executed as code',
    explanation:
      'Text produced by a language model reaches code execution: `exec`, `eval`, `compile`, a shell through subprocess with `shell=True` or `["sh", "-c", ...]`, ' +
      '`os.system`, `os.popen`, `pty.spawn`, `os.exec*`, `__import__`/`importlib` of a name it chose, pickle or marshal loads, or a template engine rendering a template ' +
      'it wrote. Whatever the model answers, including a prompt-injected answer, runs with your permissions. Show the code and ask before running it, or run it in a sandbox.',
    example: {
      bad: 'import anthropic\nclient = anthropic.Anthropic()\nmsg = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=[{"role": "user", "content": "python to list files"}])\nexec(msg.content[0].text)\n',
      good: 'import anthropic\nclient = anthropic.Anthropic()\nmsg = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=[{"role": "user", "content": "python to list files"}])\nprint(msg.content[0].text)\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['exec'],
      (e, t) => `${describeOrigin(t, e.range)} reaches ${e.label} (${lineRef(e.range)}) and runs as code`,
      (e) => `executed here by ${e.label}`,
      { confirmations: true },
    );
  },
};
