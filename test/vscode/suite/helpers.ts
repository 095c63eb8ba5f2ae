/** Shared by the integration tests: waiting on events (never on sleeps), opening documents. */
import * as vscode from 'vscode';
import type { Analysis } from '../../../src/extension/diagnostics';
import type { FangApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'fang-dev.fang';

export async function fang(): Promise<FangApi> {
  const ext = vscode.extensions.getExtension<FangApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need the test/vscode/workspace folder open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Resolves with the first event value that satisfies `accept`; rejects after `timeoutMs`. */
export function nextEvent<T>(event: vscode.Event<T>, accept: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const sub = event((v) => {
      if (!accept(v)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(v);
    });
  });
}

function isCurrent(a: Analysis | undefined, doc: vscode.TextDocument): a is Analysis {
  return !!a && a.uri.toString() === doc.uri.toString() && a.version === doc.version;
}

/** The analysis of the document's current version, waiting for it if it is not there yet. */
export async function analysisOf(api: FangApi, doc: vscode.TextDocument, timeoutMs = 15_000): Promise<Analysis> {
  const pending = nextEvent(api.diagnostics.onDidAnalyze, (a) => isCurrent(a, doc), `analysis of ${doc.uri.toString(true)} v${doc.version}`, timeoutMs);
  const now = api.diagnostics.latest(doc.uri);
  if (isCurrent(now, doc)) {
    pending.catch(() => undefined);
    return now;
  }
  return pending;
}

export async function openFile(api: FangApi, name: string): Promise<{ doc: vscode.TextDocument; analysis: Analysis }> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(name));
  await vscode.window.showTextDocument(doc);
  return { doc, analysis: await analysisOf(api, doc) };
}

const EXTENSIONS: Record<string, string> = { shellscript: 'sh', typescript: 'ts', javascript: 'js', python: 'py', markdown: 'md' };
let scratchCount = 0;

/**
 * Writes `content` to a new file in the workspace and opens it. Tests use files rather than
 * untitled buffers where the content matters: VS Code reuses untitled names and may restore a
 * closed buffer's backup into a new buffer of the same name.
 */
export async function openScratch(api: FangApi, content: string, language: keyof typeof EXTENSIONS): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; analysis: Analysis }> {
  scratchCount += 1;
  const uri = workspaceUri(`scratch/${Date.now()}-${scratchCount}.${EXTENSIONS[language]}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.getText() !== content) throw new Error(`${uri.toString()} opened with other content than written`);
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor, analysis: await analysisOf(api, doc) };
}

/** An untitled buffer; only for tests about untitled buffers (see openScratch). */
export async function openUntitled(api: FangApi, content: string, language?: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; analysis: Analysis }> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  if (doc.getText() !== content) throw new Error(`${doc.uri.toString()} opened with a previous buffer's content`);
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor, analysis: await analysisOf(api, doc) };
}

/** Fang's reported diagnostics (not the hints for findings a comment suppresses). */
export function fangDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'fang' && d.severity !== vscode.DiagnosticSeverity.Hint);
}

/** The quiet hints for findings that suppression comments cover. */
export function fangHints(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'fang' && d.severity === vscode.DiagnosticSeverity.Hint);
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/**
 * Closes every editor without saving and waits until VS Code has disposed the untitled documents,
 * so the next test's untitled buffer cannot get a stale document with a reused name.
 */
export async function closeAll(): Promise<void> {
  const untitled = vscode.workspace.textDocuments.filter((d) => d.isUntitled && !d.isClosed);
  const gone = untitled.map((d) => nextEvent(vscode.workspace.onDidCloseTextDocument, (c) => c === d, `${d.uri.toString()} to close`));
  const tabs = vscode.window.tabGroups.all.reduce((n, g) => n + g.tabs.length, 0);
  for (let i = 0; i < tabs; i++) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await Promise.all(gone);
}

/** Measurements the runner prints after the suite (edit-to-diagnostics latency, ...). */
export function recordMetric(name: string, value: number, unit: string): void {
  const g = globalThis as { fangMetrics?: Record<string, string> };
  g.fangMetrics ??= {};
  g.fangMetrics[name] = `${value.toFixed(1)} ${unit}`;
}

/** Updates a `fang.*` user setting and resolves once the extension has re-read the configuration. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  const current = vscode.workspace.getConfiguration('fang').inspect(key)?.globalValue;
  if (JSON.stringify(current) === JSON.stringify(value)) return;
  const changed = nextEvent(vscode.workspace.onDidChangeConfiguration, (e) => e.affectsConfiguration(`fang.${key}`), `fang.${key} to change`);
  await vscode.workspace.getConfiguration('fang').update(key, value, vscode.ConfigurationTarget.Global);
  await changed;
}
