/**
 * Coding-agent CLIs started with their approvals turned off: an agent that another agent (or a
 * script) starts this way acts with nobody to ask. Reads the text of a call as written, Bash
 * (`claude -p --dangerously-skip-permissions ...`) or JavaScript (`spawn('codex', ['exec',
 * '--full-auto', ...])`), so it works on the range of a finding. The agents and their flags are
 * the catalogue's (`MODEL_CLIS`, field `agent`).
 */
import { agentApprovalsOff, MODEL_CLIS } from './catalog';

export interface UnattendedAgent {
  agent: string;
  /** The flag that turns the approvals off, as the catalogue spells it (`--approval-mode yolo`). */
  flag: string;
}

export function unattendedAgent(callText: string): UnattendedAgent | undefined {
  // words as Bash or a JavaScript argument list writes them: quotes, commas and brackets separate
  const words = callText.split(/[\s"'`,()[\]{}]+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const base = words[i]!.replace(/^.*\//, '');
    const cli = MODEL_CLIS.find((c) => c.agent && c.name === base);
    if (!cli) continue;
    const flag = agentApprovalsOff(cli, words.slice(i + 1));
    if (flag) return { agent: cli.agent!.display, flag };
  }
  return undefined;
}
