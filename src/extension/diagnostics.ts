/**
 * The analyses of open documents as the language server reports them (`fang/didAnalyze`), in
 * VS Code's terms. The server decides when to analyse (on open, after each edit's debounce) and
 * publishes the diagnostics; an analysis is announced here once its diagnostics are in the
 * Problems collection, so whoever waits on `onDidAnalyze` sees both.
 */
import * as vscode from 'vscode';
import type { Analysis as WireAnalysis, AnalysisFacts } from '../lsp/analyses';
import type { FangLanguageClient } from './languageClient';

export interface Analysis extends AnalysisFacts {
  uri: vscode.Uri;
}

export class DiagnosticsFeature implements vscode.Disposable {
  private readonly last = new Map<string, Analysis>();
  /** Analysed, diagnostics not yet set in the collection. */
  private readonly pending = new Map<string, Analysis>();
  private readonly analyzed = new vscode.EventEmitter<Analysis>();
  /** Fires after each completed analysis whose diagnostics were published. */
  readonly onDidAnalyze = this.analyzed.event;
  private readonly disposables: vscode.Disposable[] = [this.analyzed];
  private client: FangLanguageClient | undefined;

  constructor() {
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.last.delete(d.uri.toString())));
  }

  connect(client: FangLanguageClient): void {
    this.client = client;
  }

  /** From the server: an analysis (its diagnostics follow, or were just set). */
  received(wire: WireAnalysis): void {
    const a: Analysis = { ...wire, uri: vscode.Uri.parse(wire.uri) };
    this.pending.set(a.uri.toString(), a);
  }

  /** The client set a document's diagnostics: the analysis they came from is now complete. */
  published(uri: vscode.Uri): void {
    const key = uri.toString();
    const a = this.pending.get(key);
    if (!a) return;
    this.pending.delete(key);
    this.last.set(key, a);
    this.analyzed.fire(a);
  }

  /** The latest published analysis of a document, if any. */
  latest(uri: vscode.Uri): Analysis | undefined {
    return this.last.get(uri.toString());
  }

  /** Asks the server to analyse now (skipping the debounce); resolves once the diagnostics are published. */
  async analyzeNow(doc: vscode.TextDocument): Promise<Analysis | undefined> {
    if (!this.client) return undefined;
    const version = doc.version;
    let stop = () => undefined as void;
    // Listening before asking: the diagnostics may be set before the answer is read.
    const published = new Promise<Analysis | undefined>((resolve) => {
      const timer = setTimeout(() => stop(), 30_000);
      const sub = this.onDidAnalyze((a) => {
        if (a.uri.toString() === doc.uri.toString() && a.version >= version) resolve(a);
      });
      stop = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve(this.latest(doc.uri));
      };
    });
    try {
      const wire = await this.client.analyze(doc.uri);
      const now = this.latest(doc.uri);
      if (!wire || (now && now.version >= wire.version)) {
        stop();
        return wire ? now : undefined;
      }
      return await published;
    } finally {
      stop();
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
