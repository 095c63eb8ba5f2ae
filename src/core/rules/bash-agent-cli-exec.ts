import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-agent-cli-exec',
    language: 'bash',
    category: 'model-output-execution',
    severity: 'error',
    title: 'A coding agent runs with its approvals off',
    explanation:
      'Coding-agent CLIs (Claude Code, Codex, Gemini CLI, Aider, OpenCode, Goose, ...) run the commands and edits their model writes. With approvals ' +
      'turned off (`--dangerously-skip-permissions`, `--full-auto`, `--yolo`, `--yes-always`, `opencode run`) nobody reviews them: whatever the model ' +
      'decides runs with your user, files and credentials. Keep approvals on, or run the agent in a sandbox or a throwaway container.',
    example: {
      bad: 'claude -p "fix the failing tests" --dangerously-skip-permissions\n',
      good: 'claude -p "explain why the tests fail"\n',
    },
  },
  check({ facts }) {
    return facts.flow.modelCalls
      .filter((c) => c.approvalsOff)
      .map((c) => ({
        range: c.range,
        message: `runs ${c.label}, a coding agent, ${c.approvalsOff!.startsWith('-') ? `with \`${c.approvalsOff}\`` : 'in a mode that asks for no approval'}: it executes the commands its model writes without asking`,
        path: [],
        confidence: c.confidence,
      }));
  },
};
