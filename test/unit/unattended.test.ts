/** Agent CLIs started with their approvals off, as Bash and as JavaScript write them. */
import * as assert from 'node:assert/strict';
import { unattendedAgent } from '../../src/core/unattended';

describe('unattendedAgent', () => {
  it('finds an agent CLI whose approvals are off', () => {
    const hits: [string, string, string][] = [
      ['claude -p --dangerously-skip-permissions "fix it"', 'Claude Code', '--dangerously-skip-permissions'],
      ['/usr/local/bin/claude --permission-mode bypassPermissions -p x', 'Claude Code', '--permission-mode bypassPermissions'],
      ['codex exec --full-auto "refactor"', 'Codex CLI', '--full-auto'],
      ['codex exec --dangerously-bypass-approvals-and-sandbox x', 'Codex CLI', '--dangerously-bypass-approvals-and-sandbox'],
      ['codex -a never exec x', 'Codex CLI', '-a never'],
      ['gemini --yolo -p "ship"', 'Gemini CLI', '--yolo'],
      ['gemini --approval-mode=yolo -p x', 'Gemini CLI', '--approval-mode yolo'],
      ['aider --yes-always --message "do it"', 'Aider', '--yes-always'],
      ['cursor-agent -f -p "x"', 'Cursor Agent', '-f'],
      ["spawn('claude', ['-p', '--dangerously-skip-permissions', task])", 'Claude Code', '--dangerously-skip-permissions'],
      ['execa("codex", ["exec", "--yolo", prompt])', 'Codex CLI', '--yolo'],
    ];
    for (const [text, agent, flag] of hits) assert.deepEqual(unattendedAgent(text), { agent, flag }, text);
  });

  it('leaves agents with approvals on, and other tools with look-alike flags, alone', () => {
    for (const text of [
      'claude -p "summarise the changelog"',
      'codex exec "explain the failure"',
      'gemini -p "review this diff"',
      'aider --no-auto-commits',
      'npm install --yes',
      'apt-get install -y curl',
      'rm -f build.log',
      'claudette --yolo',
      "spawn('codex', ['exec', prompt])",
    ]) {
      assert.equal(unattendedAgent(text), undefined, text);
    }
  });
});
