/** Wires Fang's features; each lives in its own module and is disposed with the extension. */
import * as vscode from 'vscode';
import { showError } from './notify';
import type { RuleMeta } from '../core/types';
import { FangCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { ConfigService } from './configService';
import { DiagnosticsFeature } from './diagnostics';
import { DryRunAvailability } from './dryRunAvailability';
import { DryRunController } from './dryRunController';
import { DryRunLensProvider, registerDryRunLens } from './dryRunLens';
import { FangLanguageClient } from './languageClient';
import { createLog } from './log';
import { PasteGuard } from './pasteGuard';
import { RuleDocs } from './ruleDocs';
import { StatusBar } from './statusBar';

/** What the extension exports: for other extensions and for the integration tests. */
export interface FangApi {
  diagnostics: DiagnosticsFeature;
  pasteGuard: PasteGuard;
  configs: ConfigService;
  statusBar: StatusBar;
  rules: () => Promise<RuleMeta[]>;
  client: FangLanguageClient;
  codeActions: FangCodeActions;
  dryRun: DryRunController;
  dryRunLens: DryRunLensProvider;
}

export function activate(context: vscode.ExtensionContext): FangApi {
  const log = createLog(context);
  const showFailure = (message: string) =>
    void showError(`Fang: ${message}`, 'Show Output').then((pick) => {
      if (pick) log.show(true);
    });
  const docs = new RuleDocs(context.extensionUri);
  const configs = new ConfigService(log);
  // The analysis is the language server's (dist/lsp.js); diagnostics, hovers and quick fixes come from it.
  const diagnostics = new DiagnosticsFeature();
  const client = new FangLanguageClient(context, { analyzed: (a) => diagnostics.received(a), published: (uri) => diagnostics.published(uri) });
  diagnostics.connect(client);
  const rules = () => client.rules();
  const pasteGuard = new PasteGuard(diagnostics, configs, log);
  const statusBar = new StatusBar(diagnostics);
  context.subscriptions.push(diagnostics, client, configs, pasteGuard, statusBar);
  context.subscriptions.push(docs.previewWhenOpened());
  const availability = new DryRunAvailability();
  const dryRun = new DryRunController(context, availability, diagnostics, configs, log);
  const dryRunLens = new DryRunLensProvider(availability, diagnostics);
  context.subscriptions.push(availability, dryRun);
  registerDryRunLens(context, dryRunLens);
  registerCommands(context, { log, docs, rules, dryRun });
  const codeActions = new FangCodeActions(client);
  rules().then(
    (metas) => configs.setRuleIds(metas.map((m) => m.id)),
    () => undefined, // said just below
  );
  rules().catch((e: unknown) => {
    log.error(`the language server could not start: ${e instanceof Error ? e.message : String(e)}`);
    showFailure('the analysis server could not start, so nothing is checked.');
  });
  log.info(`Fang ${String(context.extension.packageJSON.version)} active (VS Code ${vscode.version}, workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'})`);
  return { diagnostics, pasteGuard, configs, statusBar, rules, client, codeActions, dryRun, dryRunLens };
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
