/**
 * Every notification, progress title and modal message of Fang goes through here. VS Code
 * renders `[label](command:...)` (and `https:`, `file:`) inside notification messages as a link
 * that runs on click, and the messages quote text a workspace or a snippet controls (settings
 * keys, file names, error texts). `plainMessage` (src/core/display.ts) shows hidden characters
 * by name and breaks link syntax, so such text is only ever shown, never acted on. Button labels
 * are Fang's own.
 */
import * as vscode from 'vscode';
import { plainMessage } from '../core/display';

/** The form every message takes: plain, one line, link syntax broken, clipped with the rest said. */
export function inert(message: string): string {
  return plainMessage(message, 1000);
}

export function showInfo(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(inert(message), ...items);
}

export function showWarning(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(inert(message), ...items);
}

export function showError(message: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(inert(message), ...items);
}

/** A modal question; its detail is plain text in VS Code's dialog, made visible all the same. */
export function askModal(message: string, detail: string, ...items: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(inert(message), { modal: true, detail: detail.split('\n').map(inert).join('\n') }, ...items);
}

/** A notification with progress; its title and every progress message are made inert. */
export function withNotificationProgress<T>(
  title: string,
  task: (report: (message: string) => void, token: vscode.CancellationToken) => Thenable<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: inert(title), cancellable: true }, (progress, token) =>
    task((message) => progress.report({ message: inert(message) }), token),
  );
}
