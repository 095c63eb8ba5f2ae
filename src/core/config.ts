/** The configuration shared by `.fang.json`, the CLI and the editor settings, validated by zod. */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES, type Severity, type Category } from './types';

const level = z.enum([...SEVERITIES, 'off'] as const);

/** A coding-agent hook's answer for a category: block it, ask the user, or let it through. */
export const HOOK_DECISIONS = ['deny', 'ask', 'off'] as const;
export type HookDecision = (typeof HOOK_DECISIONS)[number];
/** Self-invocation is only ever decided for an agent CLI started with its approvals off. */
export const HOOK_DEFAULTS: Record<Category, HookDecision> = {
  'model-output-execution': 'deny',
  'recursive-spawning': 'deny',
  'self-invocation': 'ask',
};

export const configSchema = z
  .object({
    /** Per rule id: a severity, or "off". */
    rules: z.record(z.string(), level).optional(),
    /** Per category: a severity, or "off". Rule entries win. */
    categories: z.partialRecord(z.enum(CATEGORIES), level).optional(),
    /** Extra command names treated as model clients, e.g. "my-llm" or "mytool ask". */
    modelCommands: z.array(z.string().min(1)).optional(),
    /** Extra JavaScript/TypeScript package names treated as model SDKs. */
    sdkNames: z.array(z.string().min(1)).optional(),
    /** Glob patterns (gitignore syntax) of paths not to analyse. */
    ignore: z.array(z.string()).optional(),
    /** Files larger than this are skipped with a note. */
    maxFileBytes: z.number().int().positive().optional(),
    /** Time budget per document in milliseconds, covering parsing and the dataflow. */
    analysisBudgetMs: z.number().int().positive().max(600_000).optional(),
    /** What `fang hook` answers a coding agent per category (defaults in HOOK_DEFAULTS). */
    hook: z.partialRecord(z.enum(CATEGORIES), z.enum(HOOK_DECISIONS)).optional(),
  })
  .strict();

export type FangConfig = z.infer<typeof configSchema>;

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Long enough for a 1 MB script on a busy machine, short enough that the next document in the editor's queue does not wait long. */
export const DEFAULT_ANALYSIS_BUDGET_MS = 3000;

export interface ConfigProblem {
  /** Dotted key, e.g. `rules.bash-eval` or `maxFileBytes`. */
  key: string;
  message: string;
}

/**
 * Validates outside data. Invalid keys are dropped and reported one by one, so one wrong
 * entry does not disable the rest.
 */
export function parseConfig(input: unknown, origin = 'config'): { config: FangConfig; problems: ConfigProblem[] } {
  if (input === undefined || input === null) return { config: {}, problems: [] };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { config: {}, problems: [{ key: origin, message: `${origin} must be a JSON object` }] };
  }
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  const shape = configSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const field = shape[key];
    if (!field) {
      problems.push({ key, message: `unknown key "${key}"${didYouMean(key, Object.keys(shape))}; expected one of ${Object.keys(shape).join(', ')}` });
      continue;
    }
    const r = field.safeParse(value);
    if (r.success) {
      out[key] = r.data;
      continue;
    }
    // Keep the valid entries of records and arrays; report each bad one with its full key.
    for (const issue of r.error.issues) {
      const sub = issue.path.length ? `${key}.${issue.path.join('.')}` : key;
      if (issue.code === 'unrecognized_keys') {
        const categories = key === 'categories' || key === 'hook';
        for (const k of issue.keys) {
          const hint = categories ? `unknown category${didYouMean(k, CATEGORIES)}; expected one of ${CATEGORIES.join(', ')}` : 'unknown key';
          problems.push({ key: `${sub}.${k}`, message: `${sub}.${k}: ${hint}` });
        }
        continue;
      }
      problems.push({ key: sub, message: `${sub}: ${describeIssue(issue)}` });
    }
    const salvaged = salvage(key, value);
    if (salvaged !== undefined) out[key] = salvaged;
  }
  return { config: out as FangConfig, problems };
}

/**
 * Rule ids in `rules` that no rule has: each is a problem naming the closest real id, and is
 * dropped (a misspelt id would otherwise do nothing, silently).
 */
export function checkRuleIds(config: FangConfig, ruleIds: readonly string[]): { config: FangConfig; problems: ConfigProblem[] } {
  if (!config.rules) return { config, problems: [] };
  const problems: ConfigProblem[] = [];
  const rules: NonNullable<FangConfig['rules']> = {};
  for (const [id, level] of Object.entries(config.rules)) {
    if (ruleIds.includes(id)) rules[id] = level;
    else problems.push({ key: `rules.${id}`, message: `rules.${id}: no rule has the id "${id}"${didYouMean(id, ruleIds)} (\`fang rules\` lists them)` });
  }
  return { config: { ...config, rules }, problems };
}

/** `; did you mean "x"?` with the closest candidate by edit distance. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const best = closest(name, candidates);
  return best ? `; did you mean "${best}"?` : '';
}

export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'too_small') return `expected a value of at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `expected a value of at most ${String(issue.maximum)}`;
  return issue.message;
}

function salvage(key: string, value: unknown): unknown {
  const field = (configSchema.shape as Record<string, z.ZodType>)[key]!;
  if (Array.isArray(value)) {
    const good = value.filter((v) => field.safeParse([v]).success);
    return good.length ? good : undefined;
  }
  if (value && typeof value === 'object') {
    const good = Object.fromEntries(
      Object.entries(value).filter(([k, v]) => field.safeParse({ [k]: v }).success),
    );
    return Object.keys(good).length ? good : undefined;
  }
  return undefined;
}

/** Merges configs; later ones win key by key (records are merged, arrays concatenated). */
export function mergeConfigs(...configs: FangConfig[]): FangConfig {
  const out: FangConfig = {};
  for (const c of configs) {
    if (c.rules) out.rules = { ...out.rules, ...c.rules };
    if (c.categories) out.categories = { ...out.categories, ...c.categories };
    if (c.modelCommands) out.modelCommands = [...(out.modelCommands ?? []), ...c.modelCommands];
    if (c.sdkNames) out.sdkNames = [...(out.sdkNames ?? []), ...c.sdkNames];
    if (c.ignore) out.ignore = [...(out.ignore ?? []), ...c.ignore];
    if (c.maxFileBytes !== undefined) out.maxFileBytes = c.maxFileBytes;
    if (c.analysisBudgetMs !== undefined) out.analysisBudgetMs = c.analysisBudgetMs;
    if (c.hook) out.hook = { ...out.hook, ...c.hook };
  }
  return out;
}

/** The severity a finding gets after configuration, or undefined when it is turned off. */
export function effectiveSeverity(
  config: FangConfig,
  ruleId: string,
  category: Category,
  fallback: Severity,
): Severity | undefined {
  const level = config.rules?.[ruleId] ?? config.categories?.[category] ?? fallback;
  return level === 'off' ? undefined : level;
}
