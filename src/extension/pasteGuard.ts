/**
 * Paste and generation guard: one edit that inserts a block (enough lines or characters) into a
 * supported document is analysed at once; a warning or error inside it raises a notification
 * with Show, Dry-run and Undo. Typing, undo/redo and loads from disk never trigger it.
 */
import { renderMessage } from '../core/refs';
import * as vscode from 'vscode';
import { showInfo, showWarning } from './notify';
import type { Finding, SuppressedFinding } from '../core/types';
import { dryRunUnavailable, DRY_RUN_COMMAND } from './commands';
import type { ConfigService } from './configService';
import { toRange } from './convert';
import type { DiagnosticsFeature } from './diagnostics';
import { documentLanguage } from './languages';
import { errorText, type Log } from './log';

const SEVERITY_ORDER = { error: 0, warning: 1, note: 2 } as const;

export interface PasteWarning {
  uri: vscode.Uri;
  /** The inserted range in the document right after the insertion. */
  range: vscode.Range;
  /** Document version right after the insertion. */
  version: number;
  /** Most severe first. */
  findings: Finding[];
  /** Those of `findings` that a suppression comment inserted in the same block covered. */
  selfSuppressed: SuppressedFinding[];
  message: string;
}

/** The range an insertion occupies afterwards, if the change is a block insertion. */
export function insertedBlock(change: vscode.TextDocumentContentChangeEvent, minLines: number, minChars: number): vscode.Range | undefined {
  const lines = change.text.split('\n');
  if (lines.length < minLines && change.text.length < minChars) return undefined;
  const start = change.range.start;
  const endLine = start.line + lines.length - 1;
  const endChar = lines.length === 1 ? start.character + change.text.length : lines[lines.length - 1]!.length;
  return new vscode.Range(start, new vscode.Position(endLine, endChar));
}

export class PasteGuard implements vscode.Disposable {
  private readonly warned = new vscode.EventEmitter<PasteWarning>();
  /** Fires for each warning shown (tests listen here; users see the notification). */
  readonly onDidWarn = this.warned.event;
  private readonly disposables: vscode.Disposable[] = [this.warned];

  constructor(
    private readonly diagnostics: DiagnosticsFeature,
    private readonly configs: ConfigService,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.commands.registerCommand('fang.undoPaste', (w: PasteWarning) => this.undo(w)),
    );
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    if (e.reason === vscode.TextDocumentChangeReason.Undo || e.reason === vscode.TextDocumentChangeReason.Redo) return;
    if (!e.contentChanges.length) return;
    const { editor } = this.configs.forDocument(e.document.uri);
    if (!editor.pasteGuard.enabled || !documentLanguage(e.document)) return;
    // Several changes in one edit are several cursors: guard only a single block insertion.
    if (e.contentChanges.length !== 1) return;
    const block = insertedBlock(e.contentChanges[0]!, editor.pasteGuard.minLines, editor.pasteGuard.minChars);
    if (!block) return;
    const version = e.document.version;
    this.diagnostics.analyzeNow(e.document).then(
      (a) => {
        if (!a || a.version !== version) return;
        // A load or revert from disk leaves the document clean; an insertion by the user never
        // does. The dirty flag reaches the extension host just after the change event, so it is
        // read here, once the analysis has come back, not in the change handler.
        if (!e.document.isDirty) return;
        const inBlock = (f: Finding) => block.intersection(toRange(f.range)) || f.path.some((s) => block.intersection(toRange(s.range)));
        // A suppression that arrived in this block does not count: the code and its excuse came together.
        const selfSuppressed = a.suppressed.filter((f) => block.contains(toRange(f.suppression.range)));
        const hits = [...a.findings.filter(inBlock), ...selfSuppressed].filter((f) => f.severity !== 'note');
        hits.sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || x.range.start.line - y.range.start.line);
        const carried = hits.filter((f): f is SuppressedFinding => 'suppression' in f);
        if (hits.length) this.warn({ uri: e.document.uri, range: block, version, findings: hits, selfSuppressed: carried, message: describe(hits, carried) });
      },
      (err: unknown) => this.log.error(`paste guard: analysis failed: ${errorText(err)}`),
    );
  }

  private warn(w: PasteWarning): void {
    this.log.info(`paste guard: ${w.message} in ${w.uri.toString(true)}`);
    this.warned.fire(w);
    const actions = ['Show', ...(dryRunUnavailable() ? [] : ['Dry-run']), 'Undo'];
    void showWarning(`Fang: ${w.message}`, ...actions).then(async (pick) => {
      if (pick === 'Show') {
        const editor = await vscode.window.showTextDocument(w.uri);
        const first = toRange(w.findings[0]!.range);
        editor.selection = new vscode.Selection(first.start, first.end);
        editor.revealRange(first, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      } else if (pick === 'Dry-run') {
        await vscode.commands.executeCommand(DRY_RUN_COMMAND, w.uri, w.range);
      } else if (pick === 'Undo') {
        await this.undo(w);
      }
    });
  }

  /** Undoes the insertion if the document is still as the insertion left it. */
  async undo(w: PasteWarning): Promise<boolean> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === w.uri.toString());
    if (!doc || doc.version !== w.version) {
      void showInfo('Fang: the document changed after the insertion; use Edit > Undo to remove it.');
      return false;
    }
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function describe(hits: Finding[], carried: SuppressedFinding[]): string {
  const f = hits[0]!;
  const more = hits.length > 1 ? ` (and ${hits.length - 1} more)` : '';
  const own = carried.length
    ? `. The block carried its own suppression (fang-ignore-${carried[0]!.suppression.scope} on line ${carried[0]!.suppression.range.start.line + 1}), which does not count for code pasted with it`
    : '';
  // The finding's line, unless the message already names it.
  const where = f.refs?.some((p) => p.line === f.range.start.line) ? '' : `, line ${f.range.start.line + 1}`;
  return `Inserted code: ${renderMessage(f)}${where}${more}${own}`;
}
