import type { Rule } from '../rule';
import type { JsFacts } from '../js/facts';
import { throughPath } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-agent-cli-exec',
    language: 'typescript',
    category: 'model-output-execution',
    severity: 'error',
    title: 'Code starts a coding agent with its approvals off',
    explanation:
      'Coding-agent CLIs (Claude Code, Codex, Gemini CLI, Aider, OpenCode, Goose, ...) run the commands and edits their model writes. Started from ' +
      'code with approvals off (`--dangerously-skip-permissions`, `--full-auto`, `--yolo`, `opencode run`), nobody reviews them: the model acts with ' +
      'your user, files and credentials. Keep approvals on, or start the agent in a sandbox or a throwaway container.',
    example: {
      bad: "import { spawn } from 'node:child_process';\nspawn('claude', ['-p', task, '--dangerously-skip-permissions']);\n",
      good: "import { spawn } from 'node:child_process';\nspawn('claude', ['-p', task]);\n",
    },
  },
  check({ facts }) {
    return facts.flow.modelCalls
      .filter((c) => c.kind === 'cli' && c.approvalsOff)
      .map((c) => ({
        range: c.range,
        message: `${c.label} starts ${c.reason}, a coding agent, ${c.approvalsOff!.startsWith('-') ? `with \`${c.approvalsOff}\`` : 'in a mode that asks for no approval'}: it executes the commands its model writes without asking`,
        path: throughPath(c),
        confidence: c.confidence,
      }));
  },
};
