/** Hover on a finding: the risk in a few sentences, the dataflow path, the rule's page. */
import { renderMessage } from '../core/refs';
import * as vscode from 'vscode';
import { markdownText } from '../core/display';
import type { Finding, RuleMeta } from '../core/types';
import { toRange } from './convert';
import type { DiagnosticsFeature } from './diagnostics';
import { SELECTOR } from './languages';
import type { RuleDocs } from './ruleDocs';
import { dryRunUnavailable, DRY_RUN_COMMAND } from './commands';
import { targetAt } from './dryRunTargets';

export function hoverMarkdown(f: Finding, meta: RuleMeta | undefined, docs: RuleDocs, dryRunLink?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['fang.showRuleDocumentation', DRY_RUN_COMMAND] };
  md.appendMarkdown(`**Fang: ${escape(meta?.title ?? f.ruleId)}** (\`${f.ruleId}\`, ${f.category}, ${f.severity})\n\n`);
  // The diagnostic's own hover already shows the message; this one adds why it matters.
  md.appendMarkdown(`${escape(meta?.explanation ?? renderMessage(f))}\n\n`);
  if (f.path.length) {
    const steps = f.path.map((step) => `line ${step.range.start.line + 1}: ${escape(step.message)}`);
    md.appendMarkdown(`Path: ${steps.join(' → ')}\n\n`);
  }
  if (f.confidence === 'low') md.appendMarkdown('_Low confidence: the model call is inferred from a name._\n\n');
  md.appendMarkdown(`[Rule documentation](${docs.commandLink(f.ruleId)})`);
  if (dryRunLink) md.appendMarkdown(` · [Dry-run in sandbox](${dryRunLink})`);
  return md;
}

/** Untrusted or quoted text as Markdown that can only be read: no link, no HTML, hidden characters named. */
function escape(s: string): string {
  return markdownText(s, { max: 2000 });
}

export function registerHover(
  context: vscode.ExtensionContext,
  diagnostics: DiagnosticsFeature,
  rules: () => Promise<RuleMeta[]>,
  docs: RuleDocs,
): void {
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, pos) {
        const a = diagnostics.latest(doc.uri);
        if (!a || a.version !== doc.version) return undefined;
        const hits = a.findings.filter((f) => toRange(f.range).contains(pos));
        if (!hits.length) return undefined;
        const metas = new Map((await rules()).map((r) => [r.id, r]));
        // The same dry-run as the lens: the snippet holding the finding.
        const target = dryRunUnavailable() ? undefined : targetAt(doc, pos, a.findings);
        const r = target?.range;
        const link = target && r
          ? `command:${DRY_RUN_COMMAND}?${encodeURIComponent(JSON.stringify([doc.uri.toString(), { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } }]))}`
          : undefined;
        return new vscode.Hover(
          hits.map((f) => hoverMarkdown(f, metas.get(f.ruleId), docs, link)),
          hits.map((f) => toRange(f.range)).reduce((a, b) => a.union(b)),
        );
      },
    }),
  );
}
