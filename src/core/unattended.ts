/**
 * Coding-agent CLIs started with their approvals turned off: an agent that another agent (or a
 * script) starts this way acts with nobody to ask. Reads the text of a call as written, Bash
 * (`claude -p --dangerously-skip-permissions ...`) or JavaScript (`spawn('codex', ['exec',
 * '--full-auto', ...])`), so it works on the range of a self-invocation finding.
 */

export interface UnattendedAgent {
  agent: string;
  /** The flag that turns the approvals off, as written. */
  flag: string;
}

interface AgentFlags {
  agent: string;
  /** The command name as a word of its own. */
  name: RegExp;
  flags: RegExp;
}

// A word boundary that also accepts quotes and commas around JavaScript array elements.
const W = String.raw`(?:^|[\s"'\`,(\[=])`;
const E = String.raw`(?=$|[\s"'\`,)\]=])`;

const AGENTS: readonly AgentFlags[] = [
  {
    agent: 'Claude Code',
    name: new RegExp(`${W}(?:[\\w./-]*/)?claude${E}`),
    flags: new RegExp(`${W}(--dangerously-skip-permissions|--allow-dangerously-skip-permissions|--permission-mode[\\s"'\`,=]+bypassPermissions)${E}`),
  },
  {
    agent: 'Codex CLI',
    name: new RegExp(`${W}(?:[\\w./-]*/)?codex${E}`),
    flags: new RegExp(
      `${W}(--dangerously-bypass-approvals-and-sandbox|--yolo|--full-auto|(?:-a|--ask-for-approval)[\\s"'\`,=]+never|--sandbox[\\s"'\`,=]+danger-full-access|approval_policy\\s*=\\s*\\\\?["']?never)${E}`,
    ),
  },
  {
    agent: 'Gemini CLI',
    name: new RegExp(`${W}(?:[\\w./-]*/)?(?:gemini|qwen)${E}`),
    flags: new RegExp(`${W}(--yolo|-y|--approval-mode[\\s"'\`,=]+yolo)${E}`),
  },
  {
    agent: 'GitHub Copilot CLI',
    name: new RegExp(`${W}(?:[\\w./-]*/)?copilot${E}`),
    flags: new RegExp(`${W}(--allow-all-tools|--allow-all|--yolo)${E}`),
  },
  {
    agent: 'Cursor Agent',
    name: new RegExp(`${W}(?:[\\w./-]*/)?cursor-agent${E}`),
    flags: new RegExp(`${W}(--force|-f|--yolo)${E}`),
  },
  {
    agent: 'Aider',
    name: new RegExp(`${W}(?:[\\w./-]*/)?aider${E}`),
    flags: new RegExp(`${W}(--yes-always|--yes)${E}`),
  },
  {
    agent: 'Amp',
    name: new RegExp(`${W}(?:[\\w./-]*/)?amp${E}`),
    flags: new RegExp(`${W}(--dangerously-allow-all)${E}`),
  },
];

export function unattendedAgent(callText: string): UnattendedAgent | undefined {
  for (const a of AGENTS) {
    if (!a.name.test(callText)) continue;
    const m = a.flags.exec(callText);
    if (m) return { agent: a.agent, flag: m[1]!.replace(/[\s"'`,=]+/g, ' ').trim() };
  }
  return undefined;
}
