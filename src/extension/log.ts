/**
 * The "Fang" output channel: what the extension did, and every error with its context. Log lines
 * quote file names, settings keys and error texts that a workspace or a snippet controls, so each
 * goes through the display convention (src/core/display.ts): controls, bidi and invisible
 * characters are named, and a line cannot grow without bound.
 */
import * as vscode from 'vscode';
import { visible } from '../core/display';

const MAX_ENTRY = 20_000;

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  show(preserveFocus?: boolean): void;
}

export function createLog(context: vscode.ExtensionContext): Log {
  const channel = vscode.window.createOutputChannel('Fang', { log: true });
  context.subscriptions.push(channel);
  const inert = (m: string) => visible(m, { multiline: true, max: MAX_ENTRY });
  return {
    info: (m) => channel.info(inert(m)),
    warn: (m) => channel.warn(inert(m)),
    error: (m) => channel.error(inert(m)),
    debug: (m) => channel.debug(inert(m)),
    show: (preserveFocus) => channel.show(preserveFocus),
  };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
