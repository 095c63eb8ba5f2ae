/**
 * Findings of the core as LSP diagnostics, hovers and lens/command shapes; no state, no I/O.
 * Every text a finding carries quotes the analysed code, so it goes through the display
 * convention (src/core/display.ts): hidden characters named, Markdown escaped, nothing a link.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type MarkupContent, type Range as LspRange } from 'vscode-languageserver';
import { markdownText, visible } from '../core/display';
import { renderMessage } from '../core/refs';
import type { Finding, Range, RuleMeta, Severity, SuppressedFinding } from '../core/types';

export const SOURCE = 'fang';

export function toRange(r: Range): LspRange {
  return { start: { line: r.start.line, character: r.start.column }, end: { line: r.end.line, character: r.end.column } };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

/** Where the rule pages are (`docs/rules/<id>.md` next to the bundle's folder), as file: URLs. */
export class RulePages {
  constructor(private readonly dir: string) {}

  href(ruleId: string): string {
    return pathToFileURL(path.join(this.dir, `${ruleId}.md`)).toString();
  }
}

/** Messages quote the code; editors show them with hidden characters named. */
function shown(message: string): string {
  return visible(message, { max: 2000 });
}

export function toDiagnostic(f: Finding, uri: string, pages: RulePages): Diagnostic {
  const d: Diagnostic = {
    range: toRange(f.range),
    message: shown(renderMessage(f)),
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.ruleId,
    codeDescription: { href: pages.href(f.ruleId) },
  };
  if (f.path.length) d.relatedInformation = f.path.map((step) => ({ location: { uri, range: toRange(step.range) }, message: shown(step.message) }));
  return d;
}

/**
 * A finding a comment in the code suppresses: a quiet hint (no squiggle, not in problem lists),
 * so that what the comment hides can still be seen where it is.
 */
export function toSuppressedHint(f: SuppressedFinding, uri: string, pages: RulePages): Diagnostic {
  const d = toDiagnostic(f, uri, pages);
  const s = f.suppression;
  d.severity = DiagnosticSeverity.Hint;
  d.message = `suppressed by fang-ignore-${s.scope} on line ${s.range.start.line + 1}${s.reason ? ` (${shown(s.reason)})` : ' (no reason given)'}: ${shown(renderMessage(f))}`;
  return d;
}

/** A document Fang did not read (too large, binary, out of time): an information note on its first line. */
export function skipNote(message: string, pages: RulePages): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    message: `Fang did not analyse this document: ${shown(message)}`,
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: 'analysis-incomplete',
    codeDescription: { href: pages.href('analysis-incomplete') },
  };
}

/** Untrusted or quoted text as Markdown that can only be read: no link, no HTML, hidden characters named. */
function escape(s: string): string {
  return markdownText(s, { max: 2000 });
}

/** Command links a client may want in hovers instead of the rule page's file. */
export interface HoverLinks {
  ruleDoc(ruleId: string): string;
  dryRun?: string;
}

/** The hover of one finding: the risk in a few sentences, the dataflow path, the rule's page. */
export function hoverMarkdown(f: Finding, meta: RuleMeta | undefined, pages: RulePages, links?: HoverLinks): string {
  const out = [`**Fang: ${escape(meta?.title ?? f.ruleId)}** (\`${f.ruleId}\`, ${f.category}, ${f.severity})`];
  // The diagnostic's own hover already shows the message; this one adds why it matters.
  out.push(escape(meta?.explanation ?? renderMessage(f)));
  if (f.path.length) out.push(`Path: ${f.path.map((step) => `line ${step.range.start.line + 1}: ${escape(step.message)}`).join(' → ')}`);
  if (f.confidence === 'low') out.push('_Low confidence: the model call is inferred from a name._');
  const docs = `[Rule documentation](${links ? links.ruleDoc(f.ruleId) : pages.href(f.ruleId)})`;
  out.push(links?.dryRun ? `${docs} · [Dry-run in sandbox](${links.dryRun})` : docs);
  return out.join('\n\n');
}

export function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}

export function rangeContains(r: LspRange, p: { line: number; character: number }): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

export function rangesOverlap(a: LspRange, b: LspRange): boolean {
  return rangeContains(a, b.start) || rangeContains(a, b.end) || rangeContains(b, a.start);
}
