/**
 * The versioned dry-run report (`fang dry-run --format json`), validated with zod when it is
 * written and when it is read. Top-level keys follow the design notes; fields may be added,
 * never renamed. Lines are 1-based lines of the snippet.
 */
import { z } from 'zod';
import { SNIPPET_LANGUAGES } from '../core/languages';
import { LIMIT_NAMES } from './limits';

export const REPORT_VERSION = 1;

const line = z.number().int().positive().nullable();

export const processSchema = z.object({
  pid: z.number().int(),
  ppid: z.number().int().nullable(),
  argv: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  /** Set when the process was killed by a signal. */
  signal: z.string().nullable(),
  line,
  /** The process was a model stub. */
  model: z.boolean(),
});

export const modelCallSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['command', 'http']),
  command: z.string().optional(),
  argv: z.array(z.string()).optional(),
  url: z.string().optional(),
  prompt: z.string(),
  answer: z.string(),
  /** Where the answer came from: a default, `responses[i]`, or the adversarial set. */
  answerSource: z.string(),
  line,
  pid: z.number().int().nullable(),
});

export const executedSchema = z.object({
  callId: z.number().int(),
  answer: z.string(),
  /** The command that ran the answer: eval, source, bash -c, an interpreter, ... */
  sink: z.string(),
  line,
  evidence: z.string(),
});

export const fileChangeSchema = z.object({
  /** Relative to the workspace for `area: workspace`, absolute otherwise. */
  path: z.string(),
  kind: z.enum(['created', 'modified', 'deleted']),
  area: z.enum(['workspace', 'home', 'tmp']),
  type: z.enum(['file', 'directory', 'symlink', 'other']),
  size: z.number().int().nonnegative().nullable(),
});

export const networkSchema = z.object({
  host: z.string(),
  port: z.number().int().nullable(),
  protocol: z.enum(['tcp', 'udp', 'dns', 'http', 'https', 'unix']),
  blocked: z.boolean(),
  detail: z.string(),
  /** Made by the system's own libraries (e.g. glibc asking nscd), not by the snippet's intent; not counted in the verdict. */
  routine: z.boolean().optional(),
});

export const blockedSchema = z.object({
  kind: z.enum(['write', 'read', 'network', 'signal', 'tty', 'socket', 'process', 'privilege', 'memory', 'disk', 'time', 'output']),
  what: z.string(),
  detail: z.string(),
  pid: z.number().int().nullable(),
  line,
});

export const recursionSchema = z.object({
  kind: z.enum(['agent-loop', 'model-chain', 'self-spawn', 'fork-bomb']),
  detail: z.string(),
  line,
});

export const adversarialSchema = z.object({
  name: z.string(),
  description: z.string(),
  answer: z.string(),
  executed: z.boolean(),
  contained: z.boolean(),
  evidence: z.array(z.string()),
  verdict: z.string(),
});

export const memoryBoundSchema = z.object({
  kind: z.enum(['cgroup-v2', 'cgroup-v1', 'systemd-scope', 'none']),
  limitBytes: z.number().int().nullable(),
  /** Peak use of the whole sandbox, where the machine says. */
  peakBytes: z.number().int().nullable(),
  oomKills: z.number().int().nonnegative(),
  detail: z.string(),
});

export const reportSchema = z.object({
  version: z.literal(REPORT_VERSION),
  verdict: z.string(),
  backend: z.object({
    name: z.enum(['bubblewrap', 'docker', 'podman']),
    version: z.string(),
    /** How the snippet ran: host uid, namespaces, limits. */
    isolation: z.array(z.string()),
    traced: z.boolean(),
  }),
  language: z.enum(SNIPPET_LANGUAGES),
  workspace: z.string(),
  /** Commands replaced by the model shim in this run. */
  stubbedCommands: z.array(z.string()),
  /** Workspace paths left out of the copy because they look like credentials. */
  secretsLeftOut: z.array(z.string()).optional(),
  processes: z.array(processSchema),
  modelCalls: z.array(modelCallSchema),
  executedModelOutput: z.array(executedSchema),
  recursion: z.array(recursionSchema),
  fileChanges: z.array(fileChangeSchema),
  network: z.array(networkSchema),
  blocked: z.array(blockedSchema),
  limitsHit: z.array(z.enum(LIMIT_NAMES)),
  limits: z.object({ timeMs: z.number(), processes: z.number(), outputBytes: z.number(), tmpfsBytes: z.number(), memoryBytes: z.number(), tmpfsInodes: z.number().optional(), memoryTotalBytes: z.number().optional() }),
  /** The bound on the whole sandbox's memory that applied in this run. */
  memoryBound: memoryBoundSchema.optional(),
  /** The snippet's own exit status (null when it was stopped). */
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  /** What the trace could not see or had to drop. */
  notes: z.array(z.string()),
  /** What was left out to keep the report bounded, by part (e.g. `processes`, `stubEvents`). */
  dropped: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Trace lines or report entries the snippet forged (they did not parse) and that were dropped. */
  traceTampered: z.number().int().nonnegative().optional(),
  /** What the trace could not see, each in a sentence (parts cut at their caps, Fang's own processes stopped by the snippet); the verdict says so. */
  traceIncomplete: z.array(z.string()).optional(),
  adversarial: z.array(adversarialSchema).optional(),
});

export type DryRunReport = z.infer<typeof reportSchema>;
export type ReportProcess = z.infer<typeof processSchema>;
export type ModelCall = z.infer<typeof modelCallSchema>;
export type ExecutedModelOutput = z.infer<typeof executedSchema>;
export type FileChange = z.infer<typeof fileChangeSchema>;
export type NetworkAttempt = z.infer<typeof networkSchema>;
export type BlockedAction = z.infer<typeof blockedSchema>;
export type Recursion = z.infer<typeof recursionSchema>;
export type AdversarialOutcome = z.infer<typeof adversarialSchema>;
export type MemoryBound = z.infer<typeof memoryBoundSchema>;

/** Reads a report from outside (a file, a pipe, a webview message); throws a readable error. */
export function parseReport(data: unknown): DryRunReport {
  const r = reportSchema.safeParse(data);
  if (!r.success) {
    const first = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`not a valid Fang dry-run report: ${first.join('; ')}`);
  }
  return r.data;
}
