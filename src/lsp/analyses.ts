/**
 * Keeps the diagnostics of open documents current: analyses on open at once and on edits after
 * a per-document debounce, runs at most one analysis per document at a time (edits made
 * meanwhile coalesce into one follow-up run, results for an older version are dropped), and
 * releases everything when a document closes. The analysis itself runs in the worker thread
 * (AnalysisClient), within the document's time budget, so the server's loop keeps answering.
 */
import ignore from 'ignore';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentLanguage, FileResult, Finding, SuppressedFinding } from '../core/types';
import { applyFloor } from '../core/untrusted';
import type { AnalysisClient } from './analysisClient';
import { filePath, type ServerConfig } from './config';
import { skipNote, toDiagnostic, toSuppressedHint, type RulePages } from './convert';
import { coalesce, type RunSlot } from './coalesce';
import { documentLanguage, languageGroup } from './documents';

/** What one analysis of one document version found; the editor's and the server's records share it. */
export interface AnalysisFacts {
  version: number;
  language: DocumentLanguage | undefined;
  findings: Finding[];
  /** Findings that suppression comments in the document cover: shown as hints. */
  suppressed: SuppressedFinding[];
  skipped?: FileResult['skipped'];
  /** Why the document was not analysed by choice (language disabled, ignored, unsupported). */
  inactive?: string;
  /** Time in the worker, and from the start of the run to diagnostics published. */
  workerMs: number;
  totalMs: number;
}

export interface Analysis extends AnalysisFacts {
  uri: string;
}

interface DocState extends RunSlot<Analysis | undefined> {
  timer?: NodeJS.Timeout;
  last?: Analysis;
  debounceMs?: number;
}

export interface AnalysesHost {
  document(uri: string): TextDocument | undefined;
  publish(uri: string, version: number, diagnostics: Diagnostic[]): void;
  analyzed(a: Analysis): void;
  log(message: string): void;
  /** Whether a document Fang did not read gets a note diagnostic (a client with its own status display says it there). */
  skipNotes: boolean;
}

export class Analyses {
  private readonly states = new Map<string, DocState>();

  constructor(
    private readonly client: AnalysisClient,
    private readonly configs: ServerConfig,
    private readonly pages: RulePages,
    private readonly host: AnalysesHost,
  ) {}

  latest(uri: string): Analysis | undefined {
    return this.states.get(uri)?.last;
  }

  /** The latest analysis when it is of the document's current version. */
  current(doc: TextDocument): Analysis | undefined {
    const a = this.latest(doc.uri);
    return a && a.version === doc.version ? a : undefined;
  }

  /** `edit`: after the document's debounce; `now`: at once. */
  schedule(uri: string, when: 'now' | 'edit'): void {
    const st = this.state(uri);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.request(uri, st).catch((e: unknown) => this.host.log(`analysing ${uri} failed: ${e instanceof Error ? e.message : String(e)}`));
    }, when === 'now' ? 0 : (st.debounceMs ?? 150));
  }

  /** Analyses now, skipping the debounce; resolves with the analysis of the text as it is then. */
  analyzeNow(uri: string): Promise<Analysis | undefined> {
    const st = this.state(uri);
    clearTimeout(st.timer);
    st.timer = undefined;
    return this.request(uri, st);
  }

  reanalyzeAll(): void {
    for (const uri of this.states.keys()) this.schedule(uri, 'now');
  }

  private state(uri: string): DocState {
    let st = this.states.get(uri);
    if (!st) this.states.set(uri, (st = {}));
    return st;
  }

  private request(uri: string, st: DocState): Promise<Analysis | undefined> {
    return coalesce(st, () => this.run(uri, st));
  }

  private alive(uri: string, st: DocState): TextDocument | undefined {
    return this.states.get(uri) === st ? this.host.document(uri) : undefined;
  }

  private async run(uri: string, st: DocState): Promise<Analysis | undefined> {
    const doc = this.alive(uri, st);
    if (!doc) return undefined;
    const started = performance.now();
    const version = doc.version;
    const text = doc.getText();
    const { config, editor, floor, folder } = await this.configs.forDocument(uri);
    st.debounceMs = editor.debounceMs;
    const file = filePath(uri);
    const language = documentLanguage(doc.languageId, file ?? (uri.startsWith('untitled:') ? undefined : uri), text);
    const base = { uri, version, language, findings: [], suppressed: [], workerMs: 0 };
    let inactive: string | undefined;
    if (!language) inactive = `language ${doc.languageId} is not analysed`;
    else if (!editor.enable[languageGroup(language)]) inactive = `fang.enable.${languageGroup(language)} is off`;
    else if (isIgnored(file, folder, config.ignore)) inactive = 'the path matches an ignore pattern';
    if (inactive || !language) return this.publish(st, { ...base, inactive, totalMs: performance.now() - started }, []);

    const { result, ms } = await this.client.analyze(text, language, config, file, uri);
    const now = this.alive(uri, st);
    if (!now || now.version !== version) return undefined; // closed, or a newer edit has its own run coming
    if (result.skipped) this.host.log(`${uri} not analysed: ${result.skipped.message}`);
    const findings = applyFloor(result.findings, floor);
    const suppressed = result.suppressed ?? [];
    const diagnostics = [...findings.map((f) => toDiagnostic(f, uri, this.pages)), ...suppressed.map((f) => toSuppressedHint(f, uri, this.pages))];
    // An editor without Fang's status bar still sees that the document was not read: never a silent "clean".
    if (result.skipped && this.host.skipNotes) diagnostics.unshift(skipNote(result.skipped.message, this.pages));
    return this.publish(st, { ...base, findings, suppressed, skipped: result.skipped, workerMs: ms, totalMs: performance.now() - started }, diagnostics);
  }

  /**
   * The analysis is announced first, then its diagnostics: a client that pairs the two (the VS
   * Code extension) has the analysis at hand when the diagnostics it belongs to arrive.
   */
  private publish(st: DocState, a: Analysis, diagnostics: Diagnostic[]): Analysis {
    st.last = a;
    this.host.analyzed(a);
    this.host.publish(a.uri, a.version, diagnostics);
    return a;
  }

  release(uri: string): void {
    const st = this.states.get(uri);
    if (st) clearTimeout(st.timer);
    this.states.delete(uri);
    this.host.publish(uri, -1, []);
    this.client.forget(uri);
  }

  dispose(): void {
    for (const st of this.states.values()) clearTimeout(st.timer);
    this.states.clear();
  }
}

function isIgnored(file: string | undefined, folder: string | undefined, patterns: string[] | undefined): boolean {
  if (!patterns?.length || !file || !folder) return false;
  const rel = path.relative(folder, file).split(path.sep).join('/');
  return rel !== '' && !rel.startsWith('..') && ignore().add(patterns).ignores(rel);
}
