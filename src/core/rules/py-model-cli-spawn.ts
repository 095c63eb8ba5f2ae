import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { callFindings } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-model-cli-spawn',
    language: 'python',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code runs a language model CLI',
    explanation:
      'This Python code starts a command-line client of a language model (`llm`, `ollama run`, `claude -p`, `sgpt`, `aichat`, ...) through subprocess, ' +
      '`os.system` or `os.popen`, or a program whose name says it wraps one. Code that asks a model what to do next is an agent: check what happens with the answer.',
    example: {
      bad: 'import subprocess\nout = subprocess.check_output(["llm", "write a haiku"], text=True)\n',
      good: 'import subprocess\nout = subprocess.check_output(["git", "log", "-1"], text=True)\n',
    },
  },
  check({ facts }) {
    return callFindings(facts, 'cli', (c) => `${c.label} runs a language model: ${c.reason}`);
  },
};
