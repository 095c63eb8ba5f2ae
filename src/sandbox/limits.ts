/** Resource limits of one dry-run: each has a default and can be set from the CLI or the editor. */
import { z } from 'zod';

export const limitsSchema = z
  .object({
    /** Wall time of the snippet in milliseconds. */
    timeMs: z.number().int().positive().max(600_000),
    /** Processes inside the sandbox (RLIMIT_NPROC of the sandbox's uid). */
    processes: z.number().int().min(8).max(4096),
    /** Bytes kept per output stream; more ends the run. */
    outputBytes: z.number().int().positive().max(64 * 1024 * 1024),
    /** Size of each writable tmpfs (/tmp, the home, the workspace copy on top of its own size). */
    tmpfsBytes: z.number().int().positive().max(4 * 1024 * 1024 * 1024),
    /** Inodes of each writable tmpfs (the workspace copy gets its own files on top). */
    tmpfsInodes: z.number().int().min(64).max(1_000_000),
    /** Address space per process (RLIMIT_AS) in bytes. */
    memoryBytes: z.number().int().positive(),
    /** Memory of the whole sandbox (a cgroup, where the machine offers one) in bytes. */
    memoryTotalBytes: z.number().int().min(64 * 1024 * 1024),
  })
  .strict();

export type Limits = z.infer<typeof limitsSchema>;

export const DEFAULT_LIMITS: Limits = {
  timeMs: 10_000,
  processes: 64,
  outputBytes: 1024 * 1024,
  tmpfsBytes: 64 * 1024 * 1024,
  // Per process (RLIMIT_AS): node starts in 1 GB of address space; a snippet that tries to
  // fill the memory is refused long before the machine's. Not a cgroup: the total is bounded
  // by this times the process limit.
  memoryBytes: 1024 * 1024 * 1024,
  tmpfsInodes: 16384,
  // The whole sandbox: above the sum of its tmpfs caps, so filling them does not end the run.
  memoryTotalBytes: 1024 * 1024 * 1024,
};

export const LIMIT_NAMES = ['time', 'processes', 'output', 'disk', 'memory'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Merges partial limits over the defaults and validates the result; throws a readable error. */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const merged = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const r = limitsSchema.safeParse(merged);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid dry-run limits: ${msg}`);
  }
  return r.data;
}
