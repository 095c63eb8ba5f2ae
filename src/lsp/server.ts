/**
 * `fang lsp`: the Language Server Protocol server every editor talks to. Analysis runs in a
 * worker thread (AnalysisClient, with its per-document time budget and stuck-worker restart), so
 * the connection keeps answering while a document is analysed. No editor API here: the editor
 * speaks LSP, and what only one editor can do stays in that editor's client.
 *
 * `initializationOptions` (all optional):
 *   trusted: boolean          the workspace may configure Fang and run dry-runs (default false)
 *   settings: object          the `fang` settings, for clients without workspace/configuration
 *   modelCommands: string[]   the user's own model command names (stubbed in dry-runs)
 *   analysisNotifications: boolean   send `fang/didAnalyze` after each analysis
 * and for a client that does some of it itself (the VS Code extension):
 *   commandLinks: boolean     hovers link the client's commands fang.showRuleDocumentation and fang.dryRun
 *   dryRunCommand: false      no workspace/executeCommand (the client runs dry-runs itself)
 *   codeLens: false           no code lenses (the client has its own)
 *   reportProblems: false     configuration problems only in the log (the client shows them)
 *   skipNotes: false          no note diagnostic on a document Fang did not read (the client's status bar says it)
 *
 * Custom requests: `fang/analyze` { uri } analyses a document now (skipping the debounce) and
 * answers its analysis; `fang/rules` answers the rules' metadata.
 */
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ExecuteCommandRequest,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { z } from 'zod';
import { plainMessage, visible } from '../core/display';
import type { RuleMeta } from '../core/types';
import { Analyses } from './analyses';
import { AnalyzeRequest, DidAnalyze, DidChangeTrust, RulesRequest } from './requests';
import { AnalysisClient } from './analysisClient';
import { ServerConfig } from './config';
import { RulePages } from './convert';
import { DryRuns, type SandboxModule } from './dryRun';
import { codeActions, codeLenses, DRY_RUN_COMMAND, hover, type FeatureDeps } from './features';
import { SECTION } from './settings';
import { PROJECT_FILE } from '../cli/config-file';

export interface ServerOptions {
  /** dist/worker.js */
  workerPath: string;
  wasmDir: string;
  /** Folder of the rule pages (docs/rules). */
  docsDir: string;
  version: string;
  sandbox: () => SandboxModule;
}


const initOptionsSchema = z
  .object({
    trusted: z.boolean().optional(),
    settings: z.unknown().optional(),
    modelCommands: z.array(z.string().min(1)).optional(),
    analysisNotifications: z.boolean().optional(),
    commandLinks: z.boolean().optional(),
    dryRunCommand: z.boolean().optional(),
    codeLens: z.boolean().optional(),
    reportProblems: z.boolean().optional(),
    skipNotes: z.boolean().optional(),
  })
  .passthrough();

export function startServer(connection: Connection, opts: ServerOptions): void {
  const log = (m: string) => connection.console.log(visible(m, { multiline: true, max: 20_000 }));
  const documents = new TextDocuments(TextDocument);
  const client = new AnalysisClient(opts.workerPath, opts.wasmDir, log, (m) => {
    log(m);
    connection.window.showErrorMessage(plainMessage(`Fang: ${m}`));
  });
  const pages = new RulePages(opts.docsDir);
  let configs: ServerConfig | undefined;
  let analyses: Analyses | undefined;
  let dryRuns: DryRuns | undefined;
  let features: FeatureDeps | undefined;
  let rulesCache: Promise<RuleMeta[]> | undefined;
  const rules = () => (rulesCache ??= client.rules());

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const parsed = initOptionsSchema.safeParse(params.initializationOptions ?? {});
    const init = parsed.success ? parsed.data : {};
    if (!parsed.success) log(`initializationOptions ignored: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const caps = params.capabilities;
    const canConfigure = !!caps.workspace?.configuration;
    const folders = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []))
      .filter((f) => f.uri.startsWith('file:'))
      .map((f) => fileURLToPath(f.uri));
    configs = new ServerConfig(
      {
        fetchSection: canConfigure ? (scopeUri) => connection.workspace.getConfiguration({ scopeUri, section: SECTION }) : undefined,
        warn: (m) => (init.reportProblems === false ? log(m) : void connection.window.showWarningMessage(plainMessage(m))),
        log,
      },
      { trusted: init.trusted === true, folders, settings: init.settings },
    );
    const notify = init.analysisNotifications === true;
    analyses = new Analyses(client, configs, pages, {
      document: (uri) => documents.get(uri),
      publish: (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, ...(version >= 0 ? { version } : {}), diagnostics }),
      analyzed: (a) => {
        if (notify) void connection.sendNotification(DidAnalyze, a);
        if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      },
      log,
      skipNotes: init.skipNotes !== false,
    });
    const lensRefresh = init.codeLens !== false && !!caps.workspace?.codeLens?.refreshSupport;
    dryRuns = new DryRuns({
      connection,
      documents,
      analyses,
      configs,
      sandbox: opts.sandbox,
      userModelCommands: init.modelCommands ?? [],
      canShowDocument: !!caps.window?.showDocument?.support,
      log,
    });
    features = {
      analyses,
      client,
      configs,
      pages,
      rules,
      dryRunState: () => dryRuns!.state(),
      log,
      commandLinks: init.commandLinks === true,
      snippetEdits: !!caps.workspace?.workspaceEdit?.snippetEditSupport && !!caps.workspace.workspaceEdit.documentChanges,
    };
    configDynamic = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    watchDynamic = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        ...(init.codeLens === false ? {} : { codeLensProvider: { resolveProvider: false } }),
        ...(init.dryRunCommand === false ? {} : { executeCommandProvider: { commands: [DRY_RUN_COMMAND] } }),
      },
      serverInfo: { name: 'fang', version: opts.version },
    };
  });
  let configDynamic = false;
  let watchDynamic = false;

  connection.onInitialized(() => {
    if (configDynamic) void connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION });
    // A .fang.json written, changed or deleted: every open document again (its entries may raise or silence findings).
    if (watchDynamic) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${PROJECT_FILE}` }] });
    rules().then(
      (metas) => configs!.setRuleIds(metas.map((m) => m.id)),
      (e: unknown) => {
        log(`the analyzer could not start: ${e instanceof Error ? e.message : String(e)}`);
        void connection.window.showErrorMessage('Fang: the analyzer could not start, so nothing is checked.');
      },
    );
    if (configs!.trusted) {
      dryRuns!.detect().catch((e: unknown) => log(`looking for a sandbox failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    log(`Fang ${opts.version} language server ready (workspace ${configs!.trusted ? 'trusted' : 'not declared trusted'})`);
  });

  connection.onDidChangeConfiguration((p) => {
    const pushed = p.settings && typeof p.settings === 'object' ? p.settings : undefined;
    configs?.settingsChanged(pushed);
    analyses?.reanalyzeAll();
  });
  connection.onDidChangeWatchedFiles(() => analyses?.reanalyzeAll());
  connection.onNotification(DidChangeTrust, (p) => {
    if (typeof p?.trusted !== 'boolean' || !configs) return;
    configs.setTrusted(p.trusted);
    if (p.trusted) void dryRuns?.detect().catch(() => undefined);
    analyses?.reanalyzeAll();
  });

  // The documents manager follows each didOpen with a content change: that one is the open's.
  const opening = new Set<string>();
  documents.onDidOpen((e) => {
    opening.add(e.document.uri);
    analyses?.schedule(e.document.uri, 'now');
  });
  documents.onDidChangeContent((e) => {
    if (!opening.delete(e.document.uri)) analyses?.schedule(e.document.uri, 'edit');
  });
  documents.onDidClose((e) => analyses?.release(e.document.uri));

  connection.onHover((p) => {
    const doc = documents.get(p.textDocument.uri);
    return doc && features ? hover(features, doc, p) : null;
  });
  connection.onCodeAction((p, token) => {
    const doc = documents.get(p.textDocument.uri);
    return doc && features ? codeActions(features, doc, p, token) : [];
  });
  connection.onCodeLens((p) => {
    const doc = documents.get(p.textDocument.uri);
    return doc && features ? codeLenses(features, doc) : [];
  });
  // Registered directly: the library's onExecuteCommand hides whether the client sent a progress token.
  connection.onRequest(ExecuteCommandRequest.type, async (p, token) => {
    if (p.command !== DRY_RUN_COMMAND || !dryRuns) return { error: `unknown command ${p.command}` };
    // A client that sent no progress token gets the server's own, when it can show one.
    const progress = p.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(p.workDoneToken) : await connection.window.createWorkDoneProgress().catch(() => undefined);
    return dryRuns.execute(p.arguments, token, progress);
  });
  connection.onRequest(AnalyzeRequest, async (p) => {
    if (typeof p?.uri !== 'string' || !analyses || !documents.get(p.uri)) return null;
    return (await analyses.analyzeNow(p.uri)) ?? null;
  });
  connection.onRequest(RulesRequest, () => rules());
  connection.onShutdown(() => {
    analyses?.dispose();
    dryRuns?.dispose();
    client.dispose();
  });
  connection.onExit(() => client.dispose());

  documents.listen(connection);
  connection.listen();
}
