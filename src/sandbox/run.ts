/**
 * The dry-run: pick a backend, lay out the sandbox, run the snippet once, build the report.
 * There is no path that runs a snippet outside a sandbox: without a backend the run refuses.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { SNIPPET_LANGUAGES } from '../core/languages';
import type { Backend, BackendInfo, Unavailable } from './backend';
import { BubblewrapBackend } from './bwrap';
import { memoryGroup, type MemoryGroup } from './cgroup';
import { collect, type TraceEvent } from './collect';
import { ContainerBackend } from './container';
import { sandboxEnv } from './env';
import { startLauncher } from './launcher';
import { resolveLimits, type Limits } from './limits';
import type { SnippetLanguage } from './model-commands';
import { prepareRun, type PrepareOptions } from './prepare';
import { buildReport } from './report-build';
import type { DryRunReport } from './report-schema';
import { EMPTY_SCRIPT, type ResponseScript } from './responses';

export interface DryRunOptions {
  code: string;
  language: SnippetLanguage;
  /** The folder the snippet works in; copied, never written. */
  workspaceDir?: string;
  responses?: ResponseScript;
  limits?: Partial<Limits>;
  /** Also run with each hostile answer of the built-in set (see adversarial.ts). */
  adversarial?: boolean;
  /** Extra command names to treat as models, named by the user: stubbed even where they are programs on this system. */
  modelCommands?: readonly string[];
  /** Extra command names to treat as models, named by a workspace file: never stubbed over a program on this system. */
  workspaceModelCommands?: readonly string[];
  /** Workspace paths to copy although they look like credentials (left out by default). */
  includeSecrets?: readonly string[];
  signal?: AbortSignal;
  onEvent?: (e: TraceEvent) => void;
}

/** Thrown when no sandbox can be started; the message names what to install. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

const optionsSchema = z.object({
  code: z.string().max(1024 * 1024, 'the snippet is larger than 1 MB'),
  language: z.enum(SNIPPET_LANGUAGES),
  workspaceDir: z.string().min(1).optional(),
});

let backends: Backend[] | undefined;
function allBackends(): Backend[] {
  backends ??= [new BubblewrapBackend(), new ContainerBackend('docker'), new ContainerBackend('podman')];
  return backends;
}

/** The first backend that works here, or why none does. */
export async function detectBackend(): Promise<BackendInfo | Unavailable> {
  const why: string[] = [];
  for (const b of allBackends()) {
    const r = await b.detect();
    if (r.available) return r;
    why.push(r.message);
  }
  return { available: false, message: `no sandbox is available, so nothing was run. ${why.join(' ')}` };
}

/** One run: what the sandbox is laid out from (tracing is the backend's choice), plus cancellation and events. */
export interface SingleRun extends Omit<PrepareOptions, 'strace'> {
  signal?: AbortSignal;
  onEvent?: (e: TraceEvent) => void;
}

export async function runOnce(info: BackendInfo, o: SingleRun): Promise<DryRunReport> {
  const backend = allBackends().find((b) => b.name === info.name)!;
  // The launcher starts and enters the memory cgroup while the run is laid out.
  const group = memoryGroup(o.limits.memoryTotalBytes);
  const launcher = startLauncher(group.procsFile);
  let prepared;
  try {
    prepared = await prepareRun({ ...o, strace: info.strace });
  } catch (e) {
    launcher.abort();
    group.finish();
    throw e;
  }
  try {
    const env = sandboxEnv(process.env, { home: prepared.env.home, workspace: prepared.layout.workspace, pathPrefix: prepared.env.pathPrefix });
    if (prepared.env.electron) env.ELECTRON_RUN_AS_NODE = '1';
    if (prepared.env.nodeOptions) env.NODE_OPTIONS = prepared.env.nodeOptions;
    const l = prepared.layout;
    const message = { runDir: l.runDir, seccompFile: l.seccomp ? path.join(l.runDir, 'seccomp.bpf') : null, env, prefix: group.prefix, command: backend.command(info, l) };
    let raw;
    let usage: ReturnType<MemoryGroup['finish']> = { peakBytes: null, oomKills: 0, limitHits: 0 };
    try {
      raw = await collect(launcher, message, info, o.limits, { signal: o.signal, onEvent: o.onEvent });
    } finally {
      usage = group.finish();
    }
    if (!raw.init.some((e) => e.t === 'started')) {
      const errors = [...raw.init.flatMap((e) => (e.t === 'error' ? [e.message] : [])), ...raw.notes.filter((n) => n.startsWith('sandbox: ')).slice(0, 3)];
      const why = [...errors, raw.stderr.trim().split('\n').slice(-3).join(' ')].filter(Boolean).join('; ') || 'no message';
      throw new SandboxUnavailableError(`the ${info.name} sandbox did not start (${why}); nothing was run`);
    }
    return buildReport({ raw, prepared, info, language: o.language, limits: o.limits, memory: { kind: group.kind, limitBytes: group.limitBytes, detail: group.detail, ...usage } });
  } finally {
    prepared.cleanup();
  }
}

export async function runDryRun(opts: DryRunOptions): Promise<DryRunReport> {
  const checked = optionsSchema.safeParse({ code: opts.code, language: opts.language, workspaceDir: opts.workspaceDir });
  if (!checked.success) throw new Error(`invalid dry-run input: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  const limits = resolveLimits(opts.limits);
  const info = await detectBackend();
  if (!info.available) throw new SandboxUnavailableError(info.message);
  const single: SingleRun = { ...opts, responses: opts.responses ?? EMPTY_SCRIPT, limits };
  const report = await runOnce(info, single);
  if (opts.adversarial) {
    const { runAdversarial } = await import('./adversarial');
    report.adversarial = await runAdversarial(info, single);
  }
  return report;
}
