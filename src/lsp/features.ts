/**
 * Hover, code actions and code lenses of the server, computed from the latest analysis of the
 * document's current version (never from a stale one). Quick fixes are the rewrites of
 * src/core/fixes, built and proven in the analysis worker, then suppression comments in the
 * snippet's comment syntax (the fence's language in Markdown).
 */
import {
  CodeActionKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fixTarget, type FixProposal } from '../core/fixes/index';
import { languageById, type Language } from '../core/languages';
import { extractFences } from '../core/markdown';
import type { DocumentLanguage, Finding, RuleMeta } from '../core/types';
import type { Analyses } from './analyses';
import type { AnalysisClient } from './analysisClient';
import type { ServerConfig } from './config';
import { filePath } from './config';
import { hoverMarkdown, markdown, type HoverLinks, rangeContains, rangesOverlap, SOURCE, toRange, type RulePages } from './convert';
import { documentTargets, linesOf, targetAt } from './documents';

export const DRY_RUN_COMMAND = 'fang.dryRun';
export const LENS_TITLE = 'Dry-run in sandbox';
export const UNTRUSTED_TITLE = 'Dry-run needs a trusted workspace';
export const NO_BACKEND_TITLE = 'Dry-run unavailable: install bubblewrap';

export interface FeatureDeps {
  analyses: Analyses;
  client: AnalysisClient;
  configs: ServerConfig;
  pages: RulePages;
  rules: () => Promise<RuleMeta[]>;
  /** Whether a dry-run could start: trusted workspace and a sandbox backend. */
  dryRunState: () => 'ready' | 'untrusted' | 'no-backend';
  log: (message: string) => void;
  /** Hovers link the client's own commands (rule page, dry-run) instead of the rule page's file. */
  commandLinks?: boolean;
  /** The client applies snippet edits (a placeholder for the suppression's reason). */
  snippetEdits?: boolean;
}

export async function hover(deps: FeatureDeps, doc: TextDocument, params: HoverParams): Promise<Hover | null> {
  const a = deps.analyses.current(doc);
  if (!a) return null;
  const hits = a.findings.filter((f) => rangeContains(toRange(f.range), params.position));
  if (!hits.length) return null;
  const metas = new Map((await deps.rules()).map((r) => [r.id, r]));
  const range = toRange(hits[0]!.range);
  let links: HoverLinks | undefined;
  if (deps.commandLinks) {
    // The same dry-run as the lens: the snippet holding the finding.
    const target = deps.dryRunState() === 'untrusted' ? undefined : targetAt(linesOf(doc.getText()), a.language, params.position, a.findings);
    links = {
      ruleDoc: (id) => `command:fang.showRuleDocumentation?${encodeURIComponent(JSON.stringify([id]))}`,
      ...(target ? { dryRun: `command:${DRY_RUN_COMMAND}?${encodeURIComponent(JSON.stringify([doc.uri, target.range]))}` } : {}),
    };
  }
  return { contents: markdown(hits.map((f) => hoverMarkdown(f, metas.get(f.ruleId), deps.pages, links)).join('\n\n---\n\n')), range };
}

function ruleIdOf(d: Diagnostic): string | undefined {
  return d.source === SOURCE && d.code !== undefined ? String(d.code) : undefined;
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export async function codeActions(deps: FeatureDeps, doc: TextDocument, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const a = deps.analyses.current(doc);
  if (!a || !a.language) return [];
  if (params.context.only && !params.context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty)) return [];
  const wanted: Array<{ f: Finding; d: Diagnostic | undefined }> = [];
  for (const d of params.context.diagnostics) {
    const id = ruleIdOf(d);
    const f = id ? a.findings.find((x) => x.ruleId === id && sameRange(toRange(x.range), d.range)) : undefined;
    if (f) wanted.push({ f, d });
  }
  // A client may ask for a range without passing our diagnostics (or with a lagging copy): use the findings there.
  if (!wanted.length) for (const f of a.findings) if (rangesOverlap(toRange(f.range), params.range)) wanted.push({ f, d: undefined });
  if (!wanted.length) return [];
  const { config } = await deps.configs.forDocument(doc.uri);
  const text = doc.getText();
  const version = doc.version;
  const language = a.language;
  const rewrites = await Promise.all(
    wanted.map(({ f }) =>
      deps.client.fixes(text, language, config, fixTarget(f), filePath(doc.uri)).then(
        (out) => {
          for (const r of out.rejected) deps.log(`quick fix "${r.title}" not offered for ${f.ruleId}: ${r.reason}`);
          return out.fixes;
        },
        () => [] as FixProposal[],
      ),
    ),
  );
  if (token.isCancellationRequested || doc.version !== version) return [];
  return wanted.flatMap(({ f, d }, i) => forFinding(doc, language, f, d, rewrites[i]!, deps));
}

function forFinding(doc: TextDocument, lang: DocumentLanguage, f: Finding, d: Diagnostic | undefined, rewrites: FixProposal[], opts: Pick<FeatureDeps, 'snippetEdits' | 'commandLinks'>): CodeAction[] {
  const out: CodeAction[] = [];
  const snippets = !!opts.snippetEdits;
  const add = (title: string, edits: TextEdit[] | undefined, preferred: boolean, reason = false) => {
    if (!edits) return;
    // With snippet edits, the reason is a placeholder to type over; without, it is left empty for the user to write.
    const edit: WorkspaceEdit = reason && snippets
      ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: edits.map((e) => ({ range: e.range, snippet: { kind: 'snippet' as const, value: e.newText.replace(/[$}\\]/g, '\\$&').replace(/-- (\n?)$/, '-- ${1:reason}$1') } })) }] }
      : { changes: { [doc.uri]: edits } };
    out.push({ title, kind: CodeActionKind.QuickFix, edit, ...(d ? { diagnostics: [d] } : {}), isPreferred: preferred });
  };
  for (const fix of rewrites) add(fix.title, fix.edits.map((e) => ({ range: toRange(e.range), newText: e.text })), true);
  const lines = linesOf(doc.getText());
  const ctx = lineContext(lang, lines.text, f.range.start.line);
  if (ctx) {
    add(`Suppress ${f.ruleId} on this line`, [suppressLine(lines.lines, ctx, f.range.start.line, f.ruleId)], false, true);
    add(`Suppress ${f.ruleId} in this ${ctx.fenced ? 'code block' : 'file'}`, [suppressFile(lines.lines, ctx, f.ruleId)], false, true);
  }
  // A client with the command (VS Code) opens the page itself; others follow the diagnostic's link.
  if (opts.commandLinks) out.push({ title: `Show documentation for ${f.ruleId}`, kind: CodeActionKind.QuickFix, command: { title: 'Show rule documentation', command: 'fang.showRuleDocumentation', arguments: [f.ruleId] } });
  return out;
}

interface LineContext {
  language: Language;
  /** First line of the snippet: 0 for a file, the line after the opening fence in Markdown. */
  firstLine: number;
  fenced: boolean;
}

/** Which snippet language a line is in: the document's, or for Markdown the enclosing fence's. */
function lineContext(lang: DocumentLanguage, text: string, line: number): LineContext | undefined {
  if (lang !== 'markdown') {
    const language = languageById(lang);
    return language ? { language, firstLine: 0, fenced: false } : undefined;
  }
  const fence = extractFences(text).find((f) => f.openLine < line && line < f.closeLine);
  const language = fence ? languageById(fence.language) : undefined;
  return fence && language ? { language, firstLine: fence.startLine, fenced: true } : undefined;
}

/**
 * `<comment> fang-ignore-next-line <rule> -- ` above the line. The reason is left for the
 * user to write: until then the suppression-without-reason note says it is missing.
 */
function suppressLine(lines: readonly string[], ctx: LineContext, line: number, ruleId: string): TextEdit {
  const indent = /^\s*/.exec(lines[line] ?? '')![0];
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${ctx.language.lineComment} fang-ignore-next-line ${ruleId} -- \n` };
}

/** `<comment> fang-ignore-file <rule> -- ` at the top (after a shebang), or at the top of the fence. */
function suppressFile(lines: readonly string[], ctx: LineContext, ruleId: string): TextEdit {
  let target = ctx.firstLine;
  if (target < lines.length && lines[target]!.startsWith('#!')) target += 1;
  const body = `${ctx.language.lineComment} fang-ignore-file ${ruleId} -- `;
  if (target >= lines.length) {
    const last = lines.length - 1;
    const end = { line: last, character: lines[last]!.length };
    return { range: { start: end, end }, newText: `\n${body}` };
  }
  return { range: { start: { line: target, character: 0 }, end: { line: target, character: 0 } }, newText: `${body}\n` };
}

export function codeLenses(deps: FeatureDeps, doc: TextDocument): CodeLens[] {
  const a = deps.analyses.current(doc) ?? deps.analyses.latest(doc.uri);
  if (!a?.language || a.inactive) return [];
  const targets = documentTargets(linesOf(doc.getText()), a.language, a.findings);
  const state = deps.dryRunState();
  const lenses: CodeLens[] = [];
  for (const t of targets) {
    const title = state === 'untrusted' ? UNTRUSTED_TITLE : state === 'no-backend' ? NO_BACKEND_TITLE : LENS_TITLE;
    const command = { title, command: DRY_RUN_COMMAND, arguments: [doc.uri, t.range] };
    for (const line of t.anchors) lenses.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, command });
  }
  return lenses;
}
