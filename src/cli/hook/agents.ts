/**
 * The coding agents' hook formats, as their documentation defines them: what a pre-tool event
 * looks like on stdin (validated with zod) and how a decision is written back.
 *
 * - Claude Code (code.claude.com/docs/en/hooks): `PreToolUse` with `tool_name` Bash, Write, Edit,
 *   MultiEdit; answers `hookSpecificOutput.permissionDecision` allow/deny/ask.
 * - Codex CLI (developers.openai.com/codex/hooks): `PreToolUse` with `tool_name` Bash or
 *   apply_patch (the patch in `tool_input.command`); acts on `deny` only: `allow` and `ask` are
 *   rejected as unsupported and the call runs, so Fang never writes them.
 * - Gemini CLI (geminicli.com/docs/hooks/reference): `BeforeTool` with `run_shell_command`,
 *   `write_file`, `replace`; answers `decision` allow/deny with a `reason`; no ask.
 */
import * as z from 'zod';

export type Action =
  | { kind: 'run'; command: string; dir: string }
  | { kind: 'write'; file: string; content: string }
  | { kind: 'edit'; file: string; edits: Edit[] }
  | { kind: 'patch'; patch: string }
  | { kind: 'other'; tool: string };

export interface Edit {
  old: string;
  new: string;
  all: boolean;
}

export interface HookEvent {
  cwd: string;
  /** Claude Code's and Codex's permission mode, when sent. */
  permissionMode?: string;
  action: Action;
}

export type Decision = 'deny' | 'ask' | 'none';

export interface Verdict {
  decision: Decision;
  /** One line: the findings behind the decision. */
  reason: string;
  /** Things Fang could not read or judge, shown to the user without blocking. */
  notes: string[];
}

export interface Answer {
  stdout: string;
  exitCode: number;
}

export interface AgentFormat {
  name: string;
  /** What the agent calls the pre-tool event. */
  preToolEvent: string;
  /** True when the agent acts on an "ask" answer. */
  canAsk: boolean;
  parse(payload: unknown): HookEvent;
  render(v: Verdict): Answer;
}

/** Input that is not what the agent's documentation describes: one line on stderr, non-blocking. */
export class HookInputError extends Error {}

const str = z.string();
const common = z.object({ hook_event_name: str, cwd: str.min(1), tool_name: str, tool_input: z.record(z.string(), z.unknown()) });

function field<T>(schema: z.ZodType<T>, input: Record<string, unknown>, tool: string, what: string): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new HookInputError(`${tool} tool_input.${issue.path.join('.') || what}: ${issue.message}`);
  }
  return r.data;
}

function base(payload: unknown, event: string): z.infer<typeof common> & { permission_mode?: unknown } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new HookInputError('the hook input must be a JSON object');
  const name = (payload as Record<string, unknown>).hook_event_name;
  if (typeof name !== 'string') throw new HookInputError('hook_event_name is missing');
  if (name !== event) throw new HookInputError(`unsupported event "${name}"; configure this hook for ${event}`);
  const r = common.safeParse(payload);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new HookInputError(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  return payload as z.infer<typeof common>;
}

const bashInput = z.object({ command: str });
const writeInput = z.object({ file_path: str.min(1), content: str });
const editInput = z.object({ file_path: str.min(1), old_string: str, new_string: str, replace_all: z.boolean().optional() });
const multiEditInput = z.object({
  file_path: str.min(1),
  edits: z.array(z.object({ old_string: str, new_string: str, replace_all: z.boolean().optional() })),
});

const permissionMode = (p: { permission_mode?: unknown }) => (typeof p.permission_mode === 'string' ? { permissionMode: p.permission_mode } : {});

/** Claude Code's and Codex's answer: nothing, or `hookSpecificOutput.permissionDecision`. */
function renderPreToolUse(v: Verdict): Answer {
  const system = v.notes.length ? { systemMessage: notesLine(v.notes) } : {};
  if (v.decision === 'none') return { stdout: v.notes.length ? json(system) : '', exitCode: 0 };
  return {
    stdout: json({ ...system, hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: v.decision, permissionDecisionReason: v.reason } }),
    exitCode: 0,
  };
}

/** The common fields of a PreToolUse event, and a Bash call as both agents send it. */
function preToolUse(payload: unknown) {
  const p = base(payload, 'PreToolUse');
  const at = { cwd: p.cwd, ...permissionMode(p) };
  const run = (): HookEvent => ({ ...at, action: { kind: 'run', command: field(bashInput, p.tool_input, 'Bash', 'command').command, dir: p.cwd } });
  return { p, at, run };
}

const CLAUDE_CODE: AgentFormat = {
  name: 'claude-code',
  preToolEvent: 'PreToolUse',
  canAsk: true,
  parse(payload) {
    const { p, at, run } = preToolUse(payload);
    const input = p.tool_input;
    switch (p.tool_name) {
      case 'Bash':
        return run();
      case 'Write': {
        const w = field(writeInput, input, 'Write', 'file_path');
        return { ...at, action: { kind: 'write', file: w.file_path, content: w.content } };
      }
      case 'Edit': {
        const e = field(editInput, input, 'Edit', 'file_path');
        return { ...at, action: { kind: 'edit', file: e.file_path, edits: [{ old: e.old_string, new: e.new_string, all: e.replace_all ?? false }] } };
      }
      case 'MultiEdit': {
        const m = field(multiEditInput, input, 'MultiEdit', 'edits');
        return { ...at, action: { kind: 'edit', file: m.file_path, edits: m.edits.map((e) => ({ old: e.old_string, new: e.new_string, all: e.replace_all ?? false })) } };
      }
      default:
        return { ...at, action: { kind: 'other', tool: p.tool_name } };
    }
  },
  render: renderPreToolUse,
};

const CODEX: AgentFormat = {
  name: 'codex',
  preToolEvent: 'PreToolUse',
  canAsk: false,
  parse(payload) {
    const { p, at, run } = preToolUse(payload);
    switch (p.tool_name) {
      case 'Bash':
        return run();
      case 'apply_patch':
        return { ...at, action: { kind: 'patch', patch: field(bashInput, p.tool_input, 'apply_patch', 'command').command } };
      default:
        return { ...at, action: { kind: 'other', tool: p.tool_name } };
    }
  },
  // Codex rejects "allow" and "ask" as unsupported and then runs the call: silence or deny only
  // (canAsk is false, so an ask arrives here as a deny).
  render: renderPreToolUse,
};

const geminiShell = z.object({ command: str, dir_path: str.optional(), directory: str.optional() });
const geminiReplace = z.object({
  file_path: str.min(1),
  old_string: str,
  new_string: str,
  expected_replacements: z.number().optional(),
  allow_multiple: z.boolean().optional(),
});

const GEMINI_CLI: AgentFormat = {
  name: 'gemini-cli',
  preToolEvent: 'BeforeTool',
  canAsk: false,
  parse(payload) {
    const p = base(payload, 'BeforeTool');
    const input = p.tool_input;
    switch (p.tool_name) {
      case 'run_shell_command': {
        const s = field(geminiShell, input, 'run_shell_command', 'command');
        const dir = s.dir_path ?? s.directory;
        return { cwd: p.cwd, action: { kind: 'run', command: s.command, dir: dir ? resolveFrom(p.cwd, dir) : p.cwd } };
      }
      case 'write_file': {
        const w = field(writeInput, input, 'write_file', 'file_path');
        return { cwd: p.cwd, action: { kind: 'write', file: resolveFrom(p.cwd, w.file_path), content: w.content } };
      }
      case 'replace': {
        const r = field(geminiReplace, input, 'replace', 'file_path');
        const all = r.allow_multiple === true || (r.expected_replacements ?? 1) > 1;
        return { cwd: p.cwd, action: { kind: 'edit', file: resolveFrom(p.cwd, r.file_path), edits: [{ old: r.old_string, new: r.new_string, all }] } };
      }
      default:
        return { cwd: p.cwd, action: { kind: 'other', tool: p.tool_name } };
    }
  },
  render(v) {
    const system = v.notes.length ? { systemMessage: notesLine(v.notes) } : {};
    // Gemini CLI parses stdout as JSON on exit 0, so it always gets an object.
    if (v.decision === 'none') return { stdout: json(system), exitCode: 0 };
    return { stdout: json({ ...system, decision: 'deny', reason: v.reason }), exitCode: 0 };
  },
};

export const AGENTS: readonly AgentFormat[] = [CLAUDE_CODE, CODEX, GEMINI_CLI];

function json(o: object): string {
  return `${JSON.stringify(o)}\n`;
}

function notesLine(notes: string[]): string {
  return `fang: ${notes.join('; ')}`;
}

function resolveFrom(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
}
