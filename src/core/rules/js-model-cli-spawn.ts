import type { Rule } from '../rule';
import type { JsFacts } from '../js/facts';
import { callFindings } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-model-cli-spawn',
    language: 'typescript',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code starts a language model CLI',
    explanation:
      'This code starts a command-line model client (`llm`, `ollama run`, `claude -p`, `sgpt`, `aichat`, `gemini`, ...) through child_process, execa or zx. ' +
      'Code that asks a model what to do next is an agent: check what happens with the answer.',
    example: {
      bad: "import { execSync } from 'node:child_process';\nconst answer = execSync('llm \"summarise the log\"').toString();\n",
      good: "import { execSync } from 'node:child_process';\nconst status = execSync('git status --short').toString();\n",
    },
  },
  check({ facts }) {
    // an agent started with its approvals off runs model output: js-agent-cli-exec reports it
    return callFindings(facts, 'cli', (c) =>
      c.confidence === 'low' ? `${c.label} probably starts a language model client: ${c.reason} (lower confidence)` : `${c.label} starts ${c.reason}, a language model client`,
    );
  },
};
