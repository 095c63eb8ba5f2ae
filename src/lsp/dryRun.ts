/**
 * `workspace/executeCommand` `fang.dryRun [uri, range?]`: runs the snippet at the range (a lens
 * hands over its whole target) or the document's first snippet in the sandbox, reports progress
 * with `$/progress` (cancellable: cancelling stops the sandbox and everything in it), and answers
 * with the text report and the JSON report. Nothing runs on open, save or edit, and never in a
 * workspace the client has not declared trusted. The sandbox module is loaded on first use.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { z } from 'zod';
import { plainMessage } from '../core/display';
import type { DryRunReport } from '../sandbox';
import type { Analyses } from './analyses';
import { filePath, type ServerConfig } from './config';
import { documentLanguage, linesOf, rangeTarget, sameRange, targetAt, type DryRunTarget } from './documents';

export type SandboxModule = typeof import('../sandbox');

export interface DryRunResult {
  /** The report as `fang dry-run` prints it (untrusted text shown by the display convention). */
  text?: string;
  /** The versioned JSON report (`fang dry-run --format json`); its strings are the snippet's own. */
  report?: DryRunReport;
  unavailable?: string;
  cancelled?: boolean;
  error?: string;
}

const RESPONSES_FILE = '.fang-responses.yaml';

const position = z.object({ line: z.number().int().min(0), character: z.number().int().min(0) });
const argsSchema = z.tuple([z.string().min(1), z.object({ start: position, end: position }).optional()]).rest(z.unknown());

export interface DryRunDeps {
  connection: Connection;
  documents: { get(uri: string): TextDocument | undefined };
  analyses: Analyses;
  configs: ServerConfig;
  sandbox: () => SandboxModule;
  /** Model command names the user (not the workspace) named: `initializationOptions.modelCommands`. */
  userModelCommands: string[];
  canShowDocument: boolean;
  log: (message: string) => void;
}

export class DryRuns {
  private readonly running = new Map<string, AbortController>();
  private backend: 'unknown' | 'ready' | 'no-backend' = 'unknown';

  constructor(private readonly deps: DryRunDeps) {}

  /** For the lenses: what a dry-run would do now. */
  state(): 'ready' | 'untrusted' | 'no-backend' {
    if (!this.deps.configs.trusted) return 'untrusted';
    return this.backend === 'no-backend' ? 'no-backend' : 'ready';
  }

  /** Looks for a sandbox backend once (the lenses say when there is none). */
  async detect(): Promise<void> {
    const r = await this.deps.sandbox().detectBackend();
    this.backend = r.available ? 'ready' : 'no-backend';
  }

  async execute(rawArgs: unknown[] | undefined, token: CancellationToken, progress: WorkDoneProgressReporter | undefined): Promise<DryRunResult> {
    const parsed = argsSchema.safeParse(rawArgs ?? []);
    if (!parsed.success) return { error: 'fang.dryRun takes [uri, range?] (a document URI and an LSP range)' };
    if (!this.deps.configs.trusted) {
      return { unavailable: 'Dry-run runs code (in a sandbox) and is off until the editor declares this workspace trusted (initializationOptions.trusted).' };
    }
    const [uri, range] = parsed.data;
    const target = this.target(uri, range);
    if (!target) return { unavailable: 'no snippet here that Fang can dry-run' };
    if (this.running.has(uri)) return { unavailable: 'a dry-run of this document is still running' };
    const sandbox = this.deps.sandbox();
    const file = filePath(uri);
    const { folder, workspaceModelCommands } = await this.deps.configs.forDocument(uri);
    const workspaceDir = folder ?? (file ? path.dirname(file) : undefined);
    let responses;
    try {
      const rf = workspaceDir ? path.join(workspaceDir, RESPONSES_FILE) : undefined;
      responses = rf && fs.existsSync(rf) ? sandbox.loadResponsesFile(rf) : undefined;
    } catch (e) {
      return { error: plainMessage((e as Error).message) };
    }
    const title = `${path.basename(file ?? uri)}${target.firstLine > 0 ? `:${target.firstLine + 1}` : ''}`;
    const abort = new AbortController();
    this.running.set(uri, abort);
    const sub = token.onCancellationRequested(() => abort.abort());
    progress?.begin(plainMessage(`Fang: dry-running ${title} in the sandbox`), undefined, 'starting', true);
    const progressSub = (progress as { token?: CancellationToken } | undefined)?.token?.onCancellationRequested(() => abort.abort());
    let calls = 0;
    let procs = 0;
    try {
      const report = await sandbox.runDryRun({
        code: target.code,
        language: target.language,
        workspaceDir: workspaceDir && sandbox.refusedWorkspace(workspaceDir, os.homedir(), process.getuid?.() === 0) ? undefined : workspaceDir,
        responses,
        modelCommands: this.deps.userModelCommands,
        workspaceModelCommands,
        signal: abort.signal,
        onEvent: (e) => {
          if (e.type === 'exec') procs += 1;
          if (e.type === 'stub' && (e.event.t === 'model-command' || e.event.t === 'model-http')) calls += 1;
          if (e.type === 'exec' || e.type === 'stub') progress?.report(`${procs} processes, ${calls} model calls`);
        },
      });
      const text = sandbox.formatReportText(report, { color: false });
      this.deps.log(`dry-run of ${uri}: ${plainMessage(report.verdict)}`);
      void this.show(title, text, report);
      return { text, report };
    } catch (e) {
      if (e instanceof sandbox.DryRunCancelled || abort.signal.aborted) return { cancelled: true };
      if (e instanceof sandbox.SandboxUnavailableError) {
        this.backend = 'no-backend';
        return { unavailable: plainMessage(e.message) };
      }
      const message = plainMessage(e instanceof Error ? e.message : String(e));
      this.deps.log(`dry-run of ${uri} failed: ${message}`);
      return { error: message };
    } finally {
      sub.dispose();
      progressSub?.dispose();
      progress?.done();
      if (this.running.get(uri) === abort) this.running.delete(uri);
    }
  }

  /** Says the verdict, and opens the text report where the client can show a document. */
  private async show(title: string, text: string, report: DryRunReport): Promise<void> {
    const c = this.deps.connection;
    c.window.showInformationMessage(plainMessage(`Fang dry-run of ${title}: ${report.verdict}`));
    if (!this.deps.canShowDocument) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-dry-run-'));
    const file = path.join(dir, `${title.replace(/[^A-Za-z0-9._-]/g, '_')}.fang-report.txt`);
    fs.writeFileSync(file, text, { mode: 0o600 });
    await c.window.showDocument({ uri: pathToFileURL(file).toString(), takeFocus: false }).catch(() => undefined);
  }

  private target(uri: string, range: DryRunTarget['range'] | undefined): DryRunTarget | undefined {
    const doc = this.deps.documents.get(uri);
    if (!doc) return undefined;
    const lines = linesOf(doc.getText());
    const lang = this.deps.analyses.current(doc)?.language ?? documentLanguage(doc.languageId, filePath(uri), lines.text);
    const findings = this.deps.analyses.current(doc)?.findings ?? [];
    if (!range) return targetAt(lines, lang, { line: 0, character: 0 }, findings);
    const whole = targetAt(lines, lang, range.start, findings);
    if (whole && sameRange(whole.range, range)) return whole;
    return rangeTarget(lines, lang, range);
  }

  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }
}
