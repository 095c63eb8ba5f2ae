/**
 * `fang hook claude-code|codex|gemini-cli`: reads one pre-tool event as JSON on stdin and answers
 * in that agent's documented output. Bad input is one line on stderr and exit status 1, which
 * every one of these agents treats as a non-blocking hook error: shown, never a silent pass.
 */
import { Analyzer, detectLanguage, type RuleLanguage } from '../../core/index';
import { loadProjectConfig, withRuleIds } from '../config-file';
import { UsageError, type Io } from '../io';
import { AGENTS, HookInputError, type AgentFormat, type HookEvent, type Verdict } from './agents';
import { Judge } from './judge';

export const HOOK_HELP = `usage: fang hook claude-code|codex|gemini-cli < EVENT.json

Reads one pre-tool event of a coding agent on stdin and answers in the agent's hook format:
deny for model output that gets executed and for self-feeding spawning, ask for an agent CLI
started with its approvals off, nothing for the rest. A command that runs a script (bash f.sh,
./f.sh, source f.sh, node f.js) is judged by the script too; a write or an edit by the file as it
will be. Per-category answers in .fang.json: "hook": { "self-invocation": "deny"|"ask"|"off", ... }.
exit status: 0 with the answer on stdout; 1 for input Fang cannot read (the agent shows the
message and goes on); 2 for bad usage
`;

/** Hook input beyond this is not a tool call Fang can judge in a hook's time. */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export async function hookCommand(argv: string[], io: Io & { stdin: NodeJS.ReadableStream }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    io.stdout.write(HOOK_HELP);
    return 0;
  }
  const agent = AGENTS.find((a) => a.name === name);
  if (!agent) throw new UsageError(`fang hook needs an agent: ${AGENTS.map((a) => a.name).join(', ')}${name ? ` (got "${name}")` : ''}`);
  if (rest.length) throw new UsageError(`fang hook ${agent.name} takes no arguments (got "${rest.join(' ')}")`);
  const fail = (message: string) => {
    io.stderr.write(`fang hook ${agent.name}: ${oneLine(message)}\n`);
    return 1;
  };
  let event: HookEvent;
  try {
    const raw = await readAll(io.stdin, MAX_INPUT_BYTES);
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch (e) {
      return fail(`the input is not JSON (${(e as Error).message})`);
    }
    event = agent.parse(payload);
  } catch (e) {
    if (e instanceof HookInputError) return fail(e.message);
    throw e;
  }
  if (event.action.kind === 'other') return answer(io, agent, { decision: 'none', reason: '', notes: [] }, event);

  // The nearest .fang.json from the agent's working folder; its mistakes are named, the defaults fill in.
  const loaded = loadProjectConfig(event.cwd);
  let notes: string[] = [...loaded.problems];
  let verdict: Verdict;
  try {
    const analyzer = await Analyzer.create({ languages: firstLanguages(event) });
    try {
      const project = withRuleIds(loaded, analyzer.rules().map((r) => r.id));
      notes = [...project.problems];
      verdict = await new Judge(analyzer, project.config, event.cwd).judge(event);
    } finally {
      analyzer.dispose();
    }
  } catch (e) {
    // A call Fang could not judge is a question for a person, never a silent pass (and never a
    // stack trace in the agent's transcript).
    const message = oneLine(e instanceof Error ? e.message : String(e));
    io.stderr.write(`fang hook ${agent.name}: internal error: ${message}\n`);
    verdict = { decision: 'ask', reason: `Fang could not judge this call (internal error: ${message})`, notes: [] };
  }
  verdict.notes.unshift(...notes);
  return answer(io, agent, verdict, event);
}

/** Where the agent cannot ask (or nobody would be asked), a question becomes a refusal. */
function answer(io: Io, agent: AgentFormat, v: Verdict, ev: HookEvent): number {
  let out = v;
  if (v.decision === 'ask') {
    const nobody = !agent.canAsk ? `${agent.name} hooks cannot ask` : ev.permissionMode === 'bypassPermissions' || ev.permissionMode === 'dontAsk' ? `nobody is asked in ${ev.permissionMode} mode` : undefined;
    out = nobody
      ? { ...v, decision: 'deny', reason: `Fang would ask first, but ${nobody}, so it blocks (run it yourself if you meant it): ${v.reason}` }
      : { ...v, reason: `Fang asks first: ${v.reason}` };
  }
  const { stdout, exitCode } = agent.render(out);
  io.stdout.write(stdout);
  return exitCode;
}

function firstLanguages(ev: HookEvent): RuleLanguage[] {
  const a = ev.action;
  if (a.kind === 'write') {
    const lang = detectLanguage(a.file, a.content);
    return lang && lang !== 'markdown' ? [lang] : ['bash'];
  }
  if (a.kind === 'edit') {
    const lang = detectLanguage(a.file, '');
    return lang && lang !== 'markdown' ? [lang] : ['bash'];
  }
  return ['bash'];
}


async function readAll(stream: NodeJS.ReadableStream, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    n += b.length;
    if (n > max) throw new HookInputError(`the input is over ${max} bytes`);
    chunks.push(b);
  }
  if (n === 0) throw new HookInputError('no input on stdin; the agent sends the event as JSON');
  return Buffer.concat(chunks).toString('utf8');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
