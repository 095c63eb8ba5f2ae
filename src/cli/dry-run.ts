/**
 * `fang dry-run FILE [--lang bash|ts|js] [--responses FILE] [--timeout SECONDS]
 *  [--format text|json] [--workspace DIR] [--adversarial] [--processes N]
 *  [--output-bytes N] [--tmpfs-mb N] [--memory-mb N] [--model-command NAME]...`
 *
 * Exit status: 0 when the run completed inside the sandbox (whatever the snippet's own exit
 * status, which the report carries), 2 when no sandbox could be started or the input is
 * unusable. The snippet is never run outside a sandbox.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inertJson, visible } from '../core/display';
import { formatReportText, loadResponsesFile, refusedWorkspace, runDryRun, SandboxUnavailableError, type Limits, type ResponseScript, type SnippetLanguage } from '../sandbox';
import { parseArgs } from 'node:util';
import { loadProjectConfig } from './config-file';
import { detectLanguage, formatBytes } from '../core/detect';
import { DEFAULT_MAX_FILE_BYTES } from '../core/config';
import { readText } from './read-file';
import { languageById, languageForDryRun, SNIPPET_LANGUAGES } from '../core/languages';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
}

export const DRY_RUN_USAGE = `usage: fang dry-run FILE [options]   (FILE "-" reads the snippet from stdin)
  ${`--lang ${SNIPPET_LANGUAGES.join('|')}`.padEnd(24)} language (default: from the file name or its #! line)
  --responses FILE         JSON or YAML response script for the stubbed models
  --timeout SECONDS        wall-time limit (default 10)
  --format text|json       report format (default text)
  --workspace DIR          folder the snippet works in; copied, never written (default: .)
  --adversarial            also run with hostile model answers and report the blast radius
  --processes N            process limit (default 64)
  --output-bytes N         output kept per stream (default 1048576)
  --tmpfs-mb N             size of /tmp, the home and the workspace copy (default 64)
  --memory-mb N            address space per process (default 1024)
  --model-command NAME     treat NAME as a model command (repeatable)
  --include-secret PATH    copy this workspace path although it looks like credentials
                           (.env*, .ssh, *.pem, ... are left out by default; repeatable)
  --memory-total-mb N      memory of the whole sandbox, where a cgroup is available (default 1024)
`;

class UsageError extends Error {}
/** `--help`: the usage on stdout, exit 0. */
class HelpRequested extends Error {}

interface Parsed {
  file: string;
  lang?: SnippetLanguage;
  responses?: string;
  format: 'text' | 'json';
  workspace?: string;
  adversarial: boolean;
  limits: Partial<Limits>;
  modelCommands: string[];
  includeSecrets: string[];
}

function num(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} needs a number from ${min} to ${max}`);
  return n;
}

/** The options, as `fang scan` declares its own: node's parseArgs, strict. */
const OPTIONS = {
  lang: { type: 'string' },
  responses: { type: 'string' },
  timeout: { type: 'string' },
  format: { type: 'string', default: 'text' },
  workspace: { type: 'string' },
  adversarial: { type: 'boolean', default: false },
  processes: { type: 'string' },
  'output-bytes': { type: 'string' },
  'tmpfs-mb': { type: 'string' },
  'memory-mb': { type: 'string' },
  'model-command': { type: 'string', multiple: true },
  'include-secret': { type: 'string', multiple: true },
  'memory-total-mb': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseDryRunArgs(argv: string[]): Parsed {
  const { values, positionals } = (() => {
    try {
      return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      // ERR_PARSE_ARGS_*: an unknown option, a missing value; said in node's words.
      throw new UsageError((e as Error).message);
    }
  })();
  if (values.help) throw new HelpRequested();
  const p: Parsed = { file: '', format: 'text', adversarial: values.adversarial, limits: {}, modelCommands: values['model-command'] ?? [], includeSecrets: values['include-secret'] ?? [] };
  if (values.lang !== undefined) {
    const lang = languageForDryRun(values.lang);
    if (!lang) throw new UsageError(`--lang must be one of ${SNIPPET_LANGUAGES.join(', ')} (got "${values.lang}")`);
    p.lang = lang.dryRun.lang;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
  p.format = values.format;
  p.responses = values.responses;
  p.workspace = values.workspace;
  if (values.timeout !== undefined) p.limits.timeMs = Math.round(num('--timeout', values.timeout, 0.1, 600) * 1000);
  if (values.processes !== undefined) p.limits.processes = num('--processes', values.processes, 8, 4096);
  if (values['output-bytes'] !== undefined) p.limits.outputBytes = num('--output-bytes', values['output-bytes'], 1, 64 * 1024 * 1024);
  if (values['tmpfs-mb'] !== undefined) p.limits.tmpfsBytes = num('--tmpfs-mb', values['tmpfs-mb'], 1, 4096) * 1024 * 1024;
  if (values['memory-mb'] !== undefined) p.limits.memoryBytes = num('--memory-mb', values['memory-mb'], 16, 1024 * 1024) * 1024 * 1024;
  if (values['memory-total-mb'] !== undefined) p.limits.memoryTotalBytes = num('--memory-total-mb', values['memory-total-mb'], 64, 1024 * 1024) * 1024 * 1024;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give exactly one snippet file' : 'no snippet file given');
  p.file = positionals[0]!;
  return p;
}

/** The snippet's language from its file name or its `#!` line, as the language registry says. */
export function languageOf(file: string, text: string): SnippetLanguage | undefined {
  const lang = detectLanguage(file === '-' ? undefined : file, text);
  return lang && lang !== 'markdown' ? languageById(lang)?.dryRun.lang : undefined;
}

/** The snippet: a regular file (never a pipe or a device, the size cap checked first) or standard input. */
function readInput(file: string): string {
  if (file === '-') {
    const text = readStdin(DEFAULT_MAX_FILE_BYTES);
    if (text === undefined) throw new Error(`the snippet on standard input is over the ${formatBytes(DEFAULT_MAX_FILE_BYTES)} size cap`);
    return text;
  }
  const r = readText(file, DEFAULT_MAX_FILE_BYTES);
  if (!r.ok) throw new Error(`cannot read ${file}: it ${r.message}`);
  return r.text;
}

function readStdin(cap: number): string | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // stdin not ready: wait, do not spin
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw new Error(`cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > cap) return undefined;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `modelCommands` of the workspace's .fang.json; its mistakes are named on stderr, as `fang scan` does. */
function configuredModelCommands(dir: string, io: CliIo): string[] {
  const project = loadProjectConfig(dir);
  for (const p of project.problems) io.stderr.write(`fang dry-run: ${visible(p)}\n`);
  return project.config.modelCommands ?? [];
}

export async function dryRunCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  let code: string;
  let language: SnippetLanguage;
  let responses: ResponseScript | undefined;
  try {
    parsed = parseDryRunArgs(argv);
    code = readInput(parsed.file);
    if (code.includes('\0')) throw new Error(`${parsed.file} looks binary; a snippet must be text`);
    const lang = parsed.lang ?? languageOf(parsed.file, code);
    if (!lang) throw new UsageError(`cannot tell the language of ${parsed.file}; pass --lang ${SNIPPET_LANGUAGES.join('|')}`);
    language = lang;
    responses = parsed.responses ? loadResponsesFile(parsed.responses) : undefined;
    if (parsed.workspace && !fs.statSync(parsed.workspace, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--workspace ${parsed.workspace} is not a folder`);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout.write(DRY_RUN_USAGE);
      return 0;
    }
    io.stderr.write(`fang dry-run: ${(e as Error).message}\n`);
    if (e instanceof UsageError) io.stderr.write(DRY_RUN_USAGE);
    return 2;
  }
  // The current folder is the workspace, unless it is or holds the home (then the snippet gets an empty one).
  const cwd = process.cwd();
  const workspaceDir = parsed.workspace ? path.resolve(parsed.workspace) : refusedWorkspace(cwd, os.homedir(), process.getuid?.() === 0) ? undefined : cwd;
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await runDryRun({
      code,
      language,
      workspaceDir,
      responses,
      limits: parsed.limits,
      adversarial: parsed.adversarial,
      // Names from the workspace's .fang.json may not stub a program of this system; --model-command may.
      modelCommands: parsed.modelCommands,
      workspaceModelCommands: workspaceDir ? configuredModelCommands(workspaceDir, io) : [],
      includeSecrets: parsed.includeSecrets,
      signal: ac.signal,
    });
    io.stdout.write(parsed.format === 'json' ? inertJson(JSON.stringify(report, null, 2)) + '\n' : formatReportText(report, { color: io.isTTY }));
    return 0;
  } catch (e) {
    if (e instanceof SandboxUnavailableError) io.stderr.write(`fang dry-run: ${visible(e.message, { multiline: true })}\n`);
    else if ((e as Error).name === 'AbortError') io.stderr.write('fang dry-run: cancelled; the sandbox was killed\n');
    else io.stderr.write(`fang dry-run: ${visible((e as Error).message)}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The sandbox API for the language server (dist/lsp.js loads it from this bundle on its first dry-run). */
export * as sandbox from '../sandbox';
