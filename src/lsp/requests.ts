/** Fang's own messages between the language server and its clients, beside the standard LSP ones. */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { RuleMeta } from '../core/types';
import type { Analysis } from './analyses';

/** `fang/didChangeTrust`: the editor's user granted (or withdrew) trust in the workspace. */
export const DidChangeTrust = new NotificationType<{ trusted: boolean }>('fang/didChangeTrust');
/** `fang/didAnalyze`: one document's analysis, sent just before its diagnostics are published (clients that asked for it). */
export const DidAnalyze = new NotificationType<Analysis>('fang/didAnalyze');
/** `fang/analyze`: analyse an open document now; its analysis, or null when it is not open or changed meanwhile. */
export const AnalyzeRequest = new RequestType<{ uri: string }, Analysis | null, void>('fang/analyze');
/** `fang/rules`: every rule's metadata. */
export const RulesRequest = new RequestType0<RuleMeta[], void>('fang/rules');
