/** Wires Fang's features; each lives in its own module and is disposed with the extension. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showError } from './notify';
import { AnalysisClient } from '../lsp/analysisClient';
import { registerCodeActions, type FangCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { ConfigService } from './configService';
import { DiagnosticsFeature } from './diagnostics';
import { DryRunAvailability } from './dryRunAvailability';
import { DryRunController } from './dryRunController';
import { DryRunLensProvider, registerDryRunLens } from './dryRunLens';
import { registerHover } from './hover';
import { documentLanguage } from './languages';
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
  rules: AnalysisClient['rules'];
  codeActions: FangCodeActions;
  dryRun: DryRunController;
  dryRunLens: DryRunLensProvider;
}

export function activate(context: vscode.ExtensionContext): FangApi {
  const log = createLog(context);
  const dist = path.join(context.extensionPath, 'dist');
  const showFailure = (message: string) =>
    void showError(`Fang: ${message}`, 'Show Output').then((pick) => {
      if (pick) log.show(true);
    });
  const client = new AnalysisClient(path.join(dist, 'worker.js'), path.join(dist, 'wasm'), (m) => log.info(m), (m) => {
    log.error(m);
    showFailure(m);
  });
  const docs = new RuleDocs(context.extensionUri);
  const rules = () => client.rules();
  const configs = new ConfigService(log);
  const diagnostics = new DiagnosticsFeature(client, configs, log, (id) => docs.uri(id));
  const pasteGuard = new PasteGuard(diagnostics, configs, log);
  const statusBar = new StatusBar(diagnostics);
  context.subscriptions.push(client, configs, diagnostics, pasteGuard, statusBar);
  context.subscriptions.push(docs.previewWhenOpened());
  const availability = new DryRunAvailability();
  const dryRun = new DryRunController(context, availability, diagnostics, configs, log);
  const dryRunLens = new DryRunLensProvider(availability, diagnostics);
  context.subscriptions.push(availability, dryRun);
  registerDryRunLens(context, dryRunLens);
  registerCommands(context, { log, docs, rules, dryRun });
  registerHover(context, diagnostics, rules, docs);
  const codeActions = registerCodeActions(context, diagnostics, async (doc, target) => {
    const language = documentLanguage(doc);
    if (!language) return [];
    const out = await client.fixes(doc.getText(), language, configs.forDocument(doc.uri).config, target, doc.isUntitled ? undefined : doc.uri.fsPath);
    for (const r of out.rejected) log.info(`quick fix "${r.title}" not offered for ${target.ruleId}: ${r.reason}`);
    return out.fixes;
  });
  rules().then(
    (metas) => configs.setRuleIds(metas.map((m) => m.id)),
    () => undefined, // said just below
  );
  rules().catch((e: unknown) => {
    log.error(`the analyzer could not start: ${e instanceof Error ? e.message : String(e)}`);
    showFailure('the analyzer could not start, so nothing is checked.');
  });
  log.info(`Fang ${String(context.extension.packageJSON.version)} active (VS Code ${vscode.version}, workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'})`);
  return { diagnostics, pasteGuard, configs, statusBar, rules, codeActions, dryRun, dryRunLens };
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
