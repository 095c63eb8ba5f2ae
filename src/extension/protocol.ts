/** Messages between the extension host and the analysis worker (both sides are ours). */
import type { FangConfig } from '../core/config';
import type { DocumentLanguage, FileResult, RuleMeta } from '../core/types';

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  text: string;
  path?: string;
  language: DocumentLanguage;
  config: FangConfig;
}

export interface WorkerData {
  wasmDir: string;
}

export type WorkerResponse =
  | { kind: 'ready'; rules: RuleMeta[] }
  | { kind: 'result'; id: number; result: FileResult; ms: number }
  | { kind: 'error'; id?: number; message: string };
