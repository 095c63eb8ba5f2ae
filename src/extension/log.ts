/** The "Fang" output channel: what the extension did, and every error with its context. */
import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(context: vscode.ExtensionContext): Log {
  const log = vscode.window.createOutputChannel('Fang', { log: true });
  context.subscriptions.push(log);
  return log;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
