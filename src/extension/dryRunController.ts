/**
 * Runs one dry-run from the editor: the one-time explanation, the progress notification with
 * Cancel (which aborts the whole sandbox), the live trace, then the report panel. Nothing
 * here runs on open, save or paste; only the `fang.dryRun*` commands call `run`.
 */
import { renderMessage } from '../core/refs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { askModal, showError, showInfo, withNotificationProgress } from './notify';
import { DryRunCancelled, runDryRun, shadowedPrograms, type DryRunReport, type ResponseScript, type TraceEvent } from '../sandbox';
import type { ConfigService } from './configService';
import type { DiagnosticsFeature } from './diagnostics';
import type { DryRunAvailability } from './dryRunAvailability';
import { installInstructions } from './dryRunAvailability';
import { toRange, toUri } from './dryRunArgs';
import { reportMarkdown } from './dryRunMarkdown';
import { ReportPanels } from './dryRunPanel';
import type { FindingNote } from './dryRunProtocol';
import { ensureResponsesFile, loadResponses } from './dryRunResponses';
import { rangeTarget, targetAt, type DryRunTarget } from './dryRunTargets';
import { TraceChannel } from './dryRunTrace';
import { errorText, type Log } from './log';

export const EXPLAINED_KEY = 'fang.dryRun.explanationDismissed';
/** Per workspace: for each program the workspace names as a model command, whether the user let it be stubbed. */
export const SHADOW_KEY = 'fang.dryRun.shadowedPrograms';
export type ShadowDecision = 'stub' | 'run';
/** Read-only documents with the sandbox install instructions (the query carries the reason). */
export const INSTRUCTIONS_SCHEME = 'fang-dryrun-help';

export interface DryRunOutcome {
  report?: DryRunReport;
  cancelled?: boolean;
  /** The user closed the first-time explanation without running. */
  declined?: boolean;
  unavailable?: string;
  error?: string;
  /** From the command to the report shown (or to the end). */
  ms: number;
}

export interface FinishedEvent {
  target: DryRunTarget;
  outcome: DryRunOutcome;
}

const EXPLANATION =
  'Fang runs the snippet inside a bubblewrap sandbox, as an unprivileged user, with model commands and model APIs answered by stubs.\n\n' +
  'Isolated: the network (loopback only), your home folder and other users\' files (hidden), the rest of the file system (read-only), other processes, ' +
  'and the number of processes, memory, output and time (limited). The workspace is a throwaway copy.\n\n' +
  'Not isolated: the snippet can read world-readable system files and the workspace copy, use CPU for the time limit, and the kernel is shared, ' +
  'so a kernel exploit is not contained. Dry-run only code you would let read this workspace.';

export class DryRunController implements vscode.Disposable {
  readonly trace = new TraceChannel();
  readonly panels: ReportPanels;
  private readonly running = new Map<string, AbortController>();
  private readonly lastRun = new Map<string, { target: DryRunTarget; report: DryRunReport; findings: FindingNote[] }>();
  private readonly finished = new vscode.EventEmitter<FinishedEvent>();
  /** Fires after every run (tests measure and inspect here). */
  readonly onDidFinish = this.finished.event;
  private readonly started = new vscode.EventEmitter<DryRunTarget>();
  /** Fires when the sandbox is about to start (after the explanation). */
  readonly onDidStart = this.started.event;
  private readonly traced = new vscode.EventEmitter<{ uri: vscode.Uri; event: TraceEvent }>();
  /** Every live trace event of every run. */
  readonly onDidTrace = this.traced.event;
  private explainedThisSession = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly availability: DryRunAvailability,
    private readonly diagnostics: DiagnosticsFeature,
    private readonly configs: ConfigService,
    private readonly log: Log,
  ) {
    context.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(INSTRUCTIONS_SCHEME, {
        provideTextDocumentContent: (uri) => installInstructions(decodeURIComponent(uri.query) || 'no sandbox was found'),
      }),
    );
    this.panels = new ReportPanels(context.extensionUri, {
      reveal: (uri, line) => this.reveal(uri, line),
      rerunAdversarial: (uri) => this.rerun(uri, true),
      editResponses: (uri) => this.editResponses(uri),
      copyMarkdown: (uri) => this.copyMarkdown(uri),
    }, log);
  }

  /** `fang.dryRun [uri] [range]`: the snippet at the range, or at the cursor of the active editor. */
  async runCommand(uriArg?: unknown, rangeArg?: unknown): Promise<DryRunOutcome> {
    const t0 = performance.now();
    const target = await this.resolveTarget(uriArg, rangeArg, false);
    if (!target) return { unavailable: 'no Bash, TypeScript or JavaScript snippet here to dry-run', ms: performance.now() - t0 };
    return this.run(target, { adversarial: false, t0 });
  }

  /** `fang.dryRunSelection`: the selected lines of the active editor. */
  async runSelection(): Promise<DryRunOutcome> {
    const t0 = performance.now();
    const target = await this.resolveTarget(undefined, undefined, true);
    if (!target) return { unavailable: 'select Bash, TypeScript or JavaScript code to dry-run', ms: performance.now() - t0 };
    return this.run(target, { adversarial: false, t0 });
  }

  /** Stops the run of a document (or every run); resolves true when one was running. */
  cancel(uri?: vscode.Uri): boolean {
    const keys = uri ? [uri.toString()] : [...this.running.keys()];
    let any = false;
    for (const k of keys) {
      const c = this.running.get(k);
      if (c) {
        c.abort();
        any = true;
      }
    }
    return any;
  }

  /** What "Don't show again" does; the tests call it to skip the modal explanation. */
  async dismissExplanation(): Promise<void> {
    await this.context.globalState.update(EXPLAINED_KEY, true);
  }

  async resetExplanation(): Promise<void> {
    this.explainedThisSession = false;
    await this.context.globalState.update(EXPLAINED_KEY, undefined);
  }

  async run(target: DryRunTarget, opts: { adversarial: boolean; t0?: number }): Promise<DryRunOutcome> {
    const t0 = opts.t0 ?? performance.now();
    const done = (o: Omit<DryRunOutcome, 'ms'>): DryRunOutcome => {
      const outcome = { ...o, ms: performance.now() - t0 };
      this.finished.fire({ target, outcome });
      return outcome;
    };
    let state = await this.availability.settled();
    // Installed since the last look? Look again before sending the user to the instructions.
    if (state.kind === 'no-backend') state = await this.availability.redetect();
    if (state.kind === 'untrusted') return done({ unavailable: this.availability.reason() });
    if (state.kind === 'no-backend') {
      void this.showInstructions(state.message);
      return done({ unavailable: state.message });
    }
    if (!(await this.explain())) return done({ declined: true });
    const key = target.uri.toString();
    if (this.running.has(key)) {
      void showInfo('Fang: a dry-run of this document is still running.');
      return done({ unavailable: 'a dry-run of this document is still running' });
    }
    let responses: ResponseScript | undefined;
    try {
      responses = loadResponses(target.uri);
    } catch (e) {
      void showError(`Fang: ${errorText(e)}`, 'Edit stub answers').then((p) => {
        if (p) void this.editResponses(target.uri);
      });
      return done({ error: errorText(e) });
    }
    const title = `${path.basename(target.uri.path)}${target.firstLine > 0 ? `:${target.firstLine + 1}` : ''}`;
    const findings = this.findingNotes(target);
    const models = await this.modelCommands(target.uri);
    const abort = new AbortController();
    this.running.set(key, abort);
    this.trace.begin(`${title}${opts.adversarial ? ' (adversarial answers)' : ''}`);
    this.panels.show(target.uri, { type: 'running', title, adversarial: opts.adversarial });
    this.started.fire(target);
    try {
      const report = await withNotificationProgress(
        `Fang: dry-running ${title} in the sandbox`,
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            let calls = 0;
            let procs = 0;
            return await runDryRun({
              code: target.code,
              language: target.language,
              workspaceDir: this.workspaceDir(target.uri),
              responses,
              adversarial: opts.adversarial,
              modelCommands: models.user,
              workspaceModelCommands: models.workspace,
              signal: abort.signal,
              onEvent: (e) => {
                this.trace.event(e);
                this.traced.fire({ uri: target.uri, event: e });
                if (e.type === 'exec') procs += 1;
                if (e.type === 'stub' && (e.event.t === 'model-command' || e.event.t === 'model-http')) calls += 1;
                if (e.type === 'exec' || e.type === 'stub') progress(`${procs} processes, ${calls} model calls`);
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      this.trace.end(report);
      this.lastRun.set(key, { target, report, findings });
      const ms = performance.now() - t0;
      this.panels.show(target.uri, { type: 'report', title, lineOffset: target.firstLine, report, findings, durationMs: ms, adversarial: opts.adversarial });
      this.log.info(`dry-run of ${target.uri.toString(true)}: ${report.verdict} (${ms.toFixed(0)} ms)`);
      return done({ report });
    } catch (e) {
      if (e instanceof DryRunCancelled || abort.signal.aborted) {
        this.trace.fail('cancelled; the sandbox was stopped');
        this.panels.show(target.uri, { type: 'failed', title, message: 'The dry-run was cancelled; the sandbox and everything in it were stopped.' });
        return done({ cancelled: true });
      }
      const message = errorText(e);
      this.trace.fail(message);
      this.log.error(`dry-run of ${target.uri.toString(true)} failed: ${e instanceof Error ? (e.stack ?? message) : message}`);
      this.panels.show(target.uri, { type: 'failed', title, message });
      void showError(`Fang: the dry-run failed: ${message}`, 'Show Trace').then((p) => {
        if (p) void vscode.commands.executeCommand('fang.showDryRunTrace');
      });
      return done({ error: message });
    } finally {
      if (this.running.get(key) === abort) this.running.delete(key);
    }
  }

  showTrace(): void {
    this.trace.show();
  }

  /** Opens the install instructions for this platform as a rendered, read-only page. */
  async showInstructions(message?: string): Promise<vscode.Uri> {
    const state = await this.availability.settled();
    const why = message ?? (state.kind === 'no-backend' ? state.message : 'no sandbox was found');
    const uri = vscode.Uri.from({ scheme: INSTRUCTIONS_SCHEME, path: '/Install the dry-run sandbox.md', query: encodeURIComponent(why) });
    await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, async () => vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri)));
    return uri;
  }

  /**
   * The model commands of a run: the user's own, plus the workspace's programs the user agreed to
   * stub (asked once per workspace); the workspace's other names are stubbed only where they are
   * no program on this system (src/sandbox/prepare.ts).
   */
  private async modelCommands(uri: vscode.Uri): Promise<{ user: string[]; workspace: string[] }> {
    const sources = this.configs.modelCommandSources(uri);
    const shadows = shadowedPrograms(sources.workspace, this.workspaceDir(uri));
    const decided = this.context.workspaceState.get<Record<string, ShadowDecision>>(SHADOW_KEY) ?? {};
    const open = shadows.filter((s) => !decided[s.name]);
    if (open.length) {
      const list = open.map((s) => `${s.name} (${s.program})`).join(', ');
      let pick: string | undefined;
      try {
        pick = await askModal(
          'Fang: this workspace names programs of this system as model commands',
          `${list}: named in modelCommands by this workspace's settings or .fang.json. A stubbed program does not run, so the dry-run would not show the files it writes or the hosts it calls; a workspace file should not decide that.\n\nStub them in this workspace's dry-runs?`,
          'Stub Them',
          'Run Them as Programs',
        );
      } catch (e) {
        this.log.info(`the question about stubbing ${list} could not be shown (${errorText(e)}); they run as programs`);
      }
      if (pick) await this.setShadowDecision(open.map((s) => s.name), pick === 'Stub Them' ? 'stub' : 'run');
    }
    const now = this.context.workspaceState.get<Record<string, ShadowDecision>>(SHADOW_KEY) ?? {};
    const allowed = shadows.filter((s) => now[s.name] === 'stub').map((s) => s.name);
    for (const s of shadows) if (now[s.name] !== 'stub') this.log.info(`dry-run: ${s.name} is named as a model command by the workspace but is ${s.program}; it runs as that program`);
    return { user: [...sources.user, ...allowed], workspace: sources.workspace };
  }

  /** Records the user's answer about stubbing programs the workspace names (the tests call it too). */
  async setShadowDecision(names: readonly string[], decision: ShadowDecision | undefined): Promise<void> {
    const all = { ...(this.context.workspaceState.get<Record<string, ShadowDecision>>(SHADOW_KEY) ?? {}) };
    for (const n of names) {
      if (decision) all[n] = decision;
      else delete all[n];
    }
    await this.context.workspaceState.update(SHADOW_KEY, all);
  }

  private async explain(): Promise<boolean> {
    if (this.explainedThisSession || this.context.globalState.get<boolean>(EXPLAINED_KEY)) return true;
    let pick: string | undefined;
    try {
      pick = await askModal('Fang: what the dry-run sandbox isolates', EXPLANATION, 'Run', "Don't Show Again");
    } catch (e) {
      this.log.info(`dry-run explanation could not be shown (${errorText(e)}); nothing was run`);
      return false;
    }
    if (pick === "Don't Show Again") await this.dismissExplanation();
    if (pick) this.explainedThisSession = true;
    return pick !== undefined;
  }

  private async resolveTarget(uriArg: unknown, rangeArg: unknown, selectionOnly: boolean): Promise<DryRunTarget | undefined> {
    const uri = toUri(uriArg);
    const editor = vscode.window.activeTextEditor;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!doc) return undefined;
    const range = toRange(rangeArg);
    const findings = this.diagnostics.latest(doc.uri)?.findings ?? [];
    if (range) {
      // A lens hands over its whole target; the paste guard its inserted block.
      const whole = targetAt(doc, range.start, findings);
      if (whole && whole.range.isEqual(range)) return whole;
      return rangeTarget(doc, range);
    }
    const sel = editor && editor.document === doc ? editor.selection : undefined;
    if (sel && !sel.isEmpty) return rangeTarget(doc, sel);
    if (selectionOnly) return undefined;
    return targetAt(doc, sel?.active ?? new vscode.Position(0, 0), findings);
  }

  private findingNotes(target: DryRunTarget): FindingNote[] {
    const a = this.diagnostics.latest(target.uri);
    return (a?.findings ?? [])
      .filter((f) => target.range.contains(new vscode.Position(f.range.start.line, f.range.start.column)))
      .map((f) => ({ line: f.range.start.line - target.firstLine + 1, ruleId: f.ruleId, category: f.category, severity: f.severity, message: renderMessage(f, (p) => String(p.line - target.firstLine + 1)) }));
  }

  private workspaceDir(uri: vscode.Uri): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  /** Runs the last run's snippet again, as the document holds it now. */
  private async rerun(uri: vscode.Uri, adversarial: boolean): Promise<DryRunOutcome | undefined> {
    const last = this.lastRun.get(uri.toString());
    if (!last) return undefined;
    const now = await this.resolveTarget(uri, last.target.range, false).catch(() => undefined);
    return this.run(now ?? last.target, { adversarial });
  }

  /** "Edit stub answers": opens the folder's responses file, creating it from a template first. */
  async editResponses(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
    const file = await ensureResponsesFile(uri, this.lastRun.get(uri.toString())?.report);
    if (!file) {
      void showInfo('Fang: stub answers live in a workspace folder; open a folder first.');
      return undefined;
    }
    await vscode.window.showTextDocument(file, { viewColumn: vscode.ViewColumn.One });
    return file;
  }

  async copyMarkdown(uri: vscode.Uri): Promise<string | undefined> {
    const last = this.lastRun.get(uri.toString());
    if (!last) return undefined;
    const md = reportMarkdown(path.basename(uri.path), last.report, last.findings, last.target.firstLine);
    await vscode.env.clipboard.writeText(md);
    void showInfo('Fang: the dry-run report was copied as Markdown.');
    return md;
  }

  private async reveal(uri: vscode.Uri, snippetLine: number): Promise<void> {
    const last = this.lastRun.get(uri.toString());
    const line = snippetLine - 1 + (last?.target.firstLine ?? 0);
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
    const pos = new vscode.Position(Math.min(line, editor.document.lineCount - 1), 0);
    editor.selection = new vscode.Selection(pos, editor.document.lineAt(pos.line).range.end);
    editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    this.panels.dispose();
    this.trace.dispose();
    this.finished.dispose();
    this.started.dispose();
    this.traced.dispose();
  }
}
