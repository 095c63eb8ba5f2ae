/** Hover on a finding: the risk in a few sentences, the dataflow path, the rule's page. */
import * as vscode from 'vscode';
import type { Finding, RuleMeta } from '../core/types';
import { toRange } from './convert';
import type { DiagnosticsFeature } from './diagnostics';
import { SELECTOR } from './languages';
import type { RuleDocs } from './ruleDocs';

export function hoverMarkdown(f: Finding, meta: RuleMeta | undefined, docs: RuleDocs): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['fang.showRuleDocumentation'] };
  md.appendMarkdown(`**Fang: ${escape(meta?.title ?? f.ruleId)}** (\`${f.ruleId}\`, ${f.category}, ${f.severity})\n\n`);
  // The diagnostic's own hover already shows the message; this one adds why it matters.
  md.appendMarkdown(`${escape(meta?.explanation ?? f.message)}\n\n`);
  if (f.path.length) {
    const steps = f.path.map((step) => `line ${step.range.start.line + 1}: ${escape(step.message)}`);
    md.appendMarkdown(`Path: ${steps.join(' → ')}\n\n`);
  }
  if (f.confidence === 'low') md.appendMarkdown('_Low confidence: the model call is inferred from a name._\n\n');
  md.appendMarkdown(`[Rule documentation](${docs.commandLink(f.ruleId)})`);
  return md;
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
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
        return new vscode.Hover(
          hits.map((f) => hoverMarkdown(f, metas.get(f.ruleId), docs)),
          hits.map((f) => toRange(f.range)).reduce((a, b) => a.union(b)),
        );
      },
    }),
  );
}
