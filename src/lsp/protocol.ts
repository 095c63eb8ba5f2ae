/** Messages between the extension host and the analysis worker (both sides are ours). */
import type { FangConfig } from '../core/config';
import type { FixProposal, FixTarget, RejectedFix } from '../core/fixes/index';
import type { DocumentLanguage, FileResult, RuleMeta } from '../core/types';

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  text: string;
  path?: string;
  language: DocumentLanguage;
  config: FangConfig;
  /** The document (its URI): the worker keeps its trees to parse the next version incrementally. */
  doc?: string;
}

/** The document closed: its trees can go. */
export interface ForgetRequest {
  kind: 'forget';
  doc: string;
}

/** Quick fixes for one finding of a document (src/core/fixes). */
export interface FixesRequest {
  kind: 'fixes';
  id: number;
  text: string;
  path?: string;
  language: DocumentLanguage;
  /** The document's configuration: its budget bounds the request too. */
  config: FangConfig;
  target: FixTarget;
}

/** Requests the worker answers (by id). */
export type AnsweredRequest = AnalyzeRequest | FixesRequest;
export type WorkerRequest = AnsweredRequest | ForgetRequest;

export interface FixesOutcome {
  fixes: FixProposal[];
  rejected: RejectedFix[];
}

export interface WorkerData {
  wasmDir: string;
}

export type WorkerResponse =
  | { kind: 'ready'; rules: RuleMeta[] }
  | { kind: 'result'; id: number; result: FileResult; ms: number }
  | ({ kind: 'fixes'; id: number } & FixesOutcome)
  | { kind: 'error'; id?: number; message: string };
