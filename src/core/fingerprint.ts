/**
 * A finding's fingerprint: what stays the same when unrelated lines around it change. It hashes
 * the rule, the text of the finding's own lines (whitespace-normalised, so re-indenting keeps it)
 * and which occurrence of that same text it is in the file; not line numbers, which move with
 * every edit above. SARIF carries it in `partialFingerprints`; `fang scan --baseline` matches by
 * rule, file and fingerprint.
 */
import type { FileResult, Finding } from './types';

/** The `partialFingerprints` key; the version changes if the recipe ever does. */
export const FINGERPRINT_KEY = 'fang/v1';

/** One fingerprint per finding, in order; `text` is the file the findings point into. */
export function fingerprints(findings: readonly Finding[], text: string | undefined): string[] {
  if (findings.length === 0) return [];
  // Loaded on first use: node:crypto costs a CLI process start-up time it rarely needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const lines = text?.split('\n') ?? [];
  const seen = new Map<string, number>();
  const order = findings.map((f, i) => i).sort((a, b) => compare(findings[a]!, findings[b]!));
  const out: string[] = new Array<string>(findings.length);
  for (const i of order) {
    const f = findings[i]!;
    const own = lines.slice(f.range.start.line, f.range.end.line + 1).join('\n').replace(/\s+/g, ' ').trim();
    const key = `${f.ruleId}\0${own}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    out[i] = createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32);
  }
  return out;
}

function compare(a: Finding, b: Finding): number {
  return a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.ruleId.localeCompare(b.ruleId);
}

/** The result with each finding's fingerprint set; `text` is the analysed file. */
export function withFingerprints(result: FileResult, text: string | undefined): FileResult {
  const prints = fingerprints(result.findings, text);
  const out = { ...result, findings: result.findings.map((f, i) => ({ ...f, fingerprint: prints[i]! })) };
  if (result.suppressed) {
    const sp = fingerprints(result.suppressed, text);
    out.suppressed = result.suppressed.map((f, i) => ({ ...f, fingerprint: sp[i]! }));
  }
  return out;
}
