/** `fang scan --format json`: positions 1-based, as editors and people count. */
import { renderMessage, type FileResult, type Finding, type Range, type SuppressedFinding } from '../core/index';

const pos = (r: Range) => ({ line: r.start.line + 1, column: r.start.column + 1, endLine: r.end.line + 1, endColumn: r.end.column + 1 });

function finding(f: Finding, rel: (p: string) => string) {
  return {
    ruleId: f.ruleId,
    category: f.category,
    severity: f.severity,
    confidence: f.confidence,
    message: renderMessage(f),
    ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}),
    ...pos(f.range),
    // The positions the message names, as data (rendered into it as line numbers).
    ...(f.refs?.length ? { refs: f.refs.map((p) => ({ ...(p.file !== undefined ? { file: rel(p.file) } : {}), line: p.line + 1, column: p.column + 1 })) } : {}),
    ...(f.budget ? { budget: f.budget } : {}),
    path: f.path.map((s) => ({ ...(s.range.file ? { file: rel(s.range.file) } : {}), ...pos(s.range), message: s.message })),
  };
}

function suppressedFinding(f: SuppressedFinding, rel: (p: string) => string) {
  const s = f.suppression;
  return { ...finding(f, rel), suppression: { kind: `fang-ignore-${s.scope}`, reason: s.reason ?? null, line: s.range.start.line + 1 } };
}

export function toJson(results: FileResult[], rel: (p: string) => string, version: string, showSuppressed: boolean) {
  return {
    version: 1,
    tool: { name: 'fang', version },
    files: results.map((r) => ({
      path: rel(r.path),
      language: r.language ?? null,
      ...(r.skipped ? { skipped: r.skipped } : {}),
      findings: r.findings.map((f) => finding(f, rel)),
      // Never silently dropped: the count always, the findings on request.
      suppressedCount: r.suppressed?.length ?? 0,
      ...(showSuppressed ? { suppressed: (r.suppressed ?? []).map((f) => suppressedFinding(f, rel)) } : {}),
    })),
  };
}
