/**
 * The extension as a client of `fang lsp` (dist/lsp.js, started with Node over stdio): the
 * server owns the analysis (diagnostics, hovers, quick fixes); the extension keeps what only VS
 * Code can do (paste guard, dry-run with its report panel and trace, status bar, notifications
 * with buttons). The server is told the workspace's trust, and when trust is granted.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { editorIds } from '../core/languages';
import { AnalyzeRequest, DidAnalyze, DidChangeTrust, RulesRequest } from '../lsp/requests';
import type { RuleMeta } from '../core/types';
import type { Analysis as WireAnalysis } from '../lsp/analyses';

/** Where documents come from that Fang reads (not the output channels, git views and the like). */
const SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs'];

export interface ClientHooks {
  /** The server's analysis of a document arrived. */
  analyzed(a: WireAnalysis): void;
  /** The diagnostics of a document were set in the Problems collection. */
  published(uri: vscode.Uri): void;
}

export class FangLanguageClient implements vscode.Disposable {
  readonly client: LanguageClient;
  private readonly started: Promise<void>;
  private rulesCache: Promise<RuleMeta[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, hooks: ClientHooks) {
    const module = path.join(context.extensionPath, 'dist', 'lsp.js');
    const serverOptions: ServerOptions = { module, transport: TransportKind.stdio };
    const documentSelector = [
      ...editorIds().flatMap((language) => SCHEMES.map((scheme) => ({ language, scheme }))),
      { language: 'plaintext', scheme: 'untitled' },
    ];
    const clientOptions: LanguageClientOptions = {
      documentSelector,
      diagnosticCollectionName: 'fang',
      synchronize: { configurationSection: 'fang' },
      initializationOptions: {
        trusted: vscode.workspace.isTrusted,
        analysisNotifications: true,
        commandLinks: true,
        dryRunCommand: false,
        codeLens: false,
        reportProblems: false,
        skipNotes: false,
      },
      markdown: { isTrusted: { enabledCommands: ['fang.showRuleDocumentation', 'fang.dryRun'] }, supportHtml: false },
      outputChannelName: 'Fang Language Server',
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        handleDiagnostics: (uri, diagnostics, next) => {
          next(uri, diagnostics);
          hooks.published(uri);
        },
      },
    };
    this.client = new LanguageClient('fang', 'Fang', serverOptions, clientOptions);
    this.disposables.push(
      this.client.onNotification(DidAnalyze, (a) => hooks.analyzed(a)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.client.sendNotification(DidChangeTrust, { trusted: true })),
    );
    this.started = this.client.start();
    this.started.catch(() => undefined); // callers see the rejection
  }

  whenStarted(): Promise<void> {
    return this.started;
  }

  rules(): Promise<RuleMeta[]> {
    this.rulesCache ??= this.started.then(() => this.client.sendRequest(RulesRequest));
    return this.rulesCache;
  }

  async analyze(uri: vscode.Uri): Promise<WireAnalysis | null> {
    await this.started;
    return this.client.sendRequest(AnalyzeRequest, { uri: this.client.code2ProtocolConverter.asUri(uri) });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.client.stop().catch(() => undefined);
  }
}
