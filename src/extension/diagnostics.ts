/**
 * Keeps the `fang` diagnostics of open documents current: analyses on open at once and on edits
 * after a per-document debounce, runs at most one analysis per document at a time (edits made
 * meanwhile coalesce into one follow-up run, stale results are dropped), and releases everything
 * when a document closes.
 */
import ignore from 'ignore';
import * as vscode from 'vscode';
import { applyFloor } from '../core/untrusted';
import type { AnalysisFacts } from '../lsp/analyses';
import type { AnalysisClient } from '../lsp/analysisClient';
import { coalesce, type RunSlot } from '../lsp/coalesce';
import type { ConfigService } from './configService';
import { toDiagnostic, toSuppressedHint } from './convert';
import { documentLanguage, languageGroup } from './languages';
import { errorText, type Log } from './log';

export interface Analysis extends AnalysisFacts {
  uri: vscode.Uri;
}

interface DocState extends RunSlot<Analysis | undefined> {
  timer?: NodeJS.Timeout;
  last?: Analysis;
}

const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

export class DiagnosticsFeature implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('fang');
  private readonly states = new Map<string, DocState>();
  private readonly analyzed = new vscode.EventEmitter<Analysis>();
  /** Fires after each completed analysis whose diagnostics were published. */
  readonly onDidAnalyze = this.analyzed.event;
  private readonly disposables: vscode.Disposable[] = [this.collection, this.analyzed];

  constructor(
    private readonly client: AnalysisClient,
    private readonly configs: ConfigService,
    private readonly log: Log,
    private readonly ruleDoc: (id: string) => vscode.Uri,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document, this.configs.forDocument(e.document.uri).editor.debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.release(d.uri)),
      this.configs.onDidChange(() => this.reanalyzeAll()),
    );
    this.reanalyzeAll();
  }

  /** The latest published analysis of a document, if any. */
  latest(uri: vscode.Uri): Analysis | undefined {
    return this.states.get(uri.toString())?.last;
  }

  /** Analyses now, skipping the debounce; resolves with the analysis of the text as it is then. */
  analyzeNow(doc: vscode.TextDocument): Promise<Analysis | undefined> {
    const st = this.state(doc.uri);
    clearTimeout(st.timer);
    st.timer = undefined;
    return this.request(doc, st);
  }

  private reanalyzeAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!SCHEMES.has(doc.uri.scheme)) return;
    const st = this.state(doc.uri);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.request(doc, st).catch((e: unknown) => this.log.error(`analysing ${doc.uri.toString(true)} failed: ${errorText(e)}`));
    }, delayMs);
  }

  private state(uri: vscode.Uri): DocState {
    const key = uri.toString();
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = {}));
    return st;
  }

  /** One run at a time per document; requests made while one runs share the next run. */
  private request(doc: vscode.TextDocument, st: DocState): Promise<Analysis | undefined> {
    return coalesce(st, () => this.run(doc, st));
  }

  private async run(doc: vscode.TextDocument, st: DocState): Promise<Analysis | undefined> {
    if (doc.isClosed || this.states.get(doc.uri.toString()) !== st) return undefined;
    const started = performance.now();
    const version = doc.version;
    const { config, editor, floor } = this.configs.forDocument(doc.uri);
    const language = documentLanguage(doc);
    const base = { uri: doc.uri, version, language, findings: [], suppressed: [], workerMs: 0 };
    let inactive: string | undefined;
    if (!language) inactive = `language ${doc.languageId} is not analysed`;
    else if (!editor.enable[languageGroup(language)]) inactive = `fang.enable.${languageGroup(language)} is off`;
    else if (this.isIgnored(doc.uri, config.ignore)) inactive = 'the path matches an ignore pattern';
    if (inactive || !language) return this.publish(st, { ...base, inactive, totalMs: performance.now() - started }, []);

    const { result, ms } = await this.client.analyze(doc.getText(), language, config, doc.isUntitled ? undefined : doc.uri.fsPath, doc.uri.toString());
    if (doc.isClosed || this.states.get(doc.uri.toString()) !== st) return undefined;
    if (doc.version !== version) return undefined; // a newer edit has its own run coming
    if (result.skipped) this.log.info(`${doc.uri.toString(true)} not analysed: ${result.skipped.message}`);
    this.log.debug(`analysed ${doc.uri.toString(true)} v${version} (${language}): ${result.findings.length} findings in ${ms.toFixed(0)} ms`);
    const findings = applyFloor(result.findings, floor);
    const suppressed = result.suppressed ?? [];
    const diagnostics = [...findings.map((f) => toDiagnostic(f, doc.uri, this.ruleDoc)), ...suppressed.map((f) => toSuppressedHint(f, doc.uri, this.ruleDoc))];
    return this.publish(st, { ...base, findings, suppressed, skipped: result.skipped, workerMs: ms, totalMs: performance.now() - started }, diagnostics);
  }

  private publish(st: DocState, a: Analysis, diagnostics: vscode.Diagnostic[]): Analysis {
    this.collection.set(a.uri, diagnostics);
    st.last = a;
    this.analyzed.fire(a);
    return a;
  }

  private isIgnored(uri: vscode.Uri, patterns: string[] | undefined): boolean {
    if (!patterns?.length) return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return false;
    const rel = vscode.workspace.asRelativePath(uri, false);
    return rel !== uri.fsPath && ignore().add(patterns).ignores(rel);
  }

  private release(uri: vscode.Uri): void {
    const key = uri.toString();
    const st = this.states.get(key);
    if (st) clearTimeout(st.timer);
    this.states.delete(key);
    this.collection.delete(uri);
    this.client.forget(key);
  }

  dispose(): void {
    for (const st of this.states.values()) clearTimeout(st.timer);
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}
