/**
 * Talks to the analysis worker thread. A crashed worker rejects what it had pending and is
 * started again on the next request (at most a few times, then analysis stays off with a message).
 */
import { Worker } from 'node:worker_threads';
import type { FangConfig } from '../core/config';
import type { DocumentLanguage, FileResult, RuleMeta } from '../core/types';
import type { AnalyzeRequest, WorkerData, WorkerResponse } from './protocol';

export interface AnalysisOutcome {
  result: FileResult;
  /** Time spent in the worker. */
  ms: number;
}

interface Pending {
  resolve(o: AnalysisOutcome): void;
  reject(e: Error): void;
}

const MAX_RESTARTS = 3;

export class AnalysisClient {
  private worker: Worker | undefined;
  private ready: Promise<RuleMeta[]> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts = 0;
  private disposed = false;

  constructor(
    private readonly workerPath: string,
    private readonly wasmDir: string,
    private readonly onLog: (message: string) => void,
    /** Called once when the worker has failed too often and analysis stops. */
    private readonly onFatal: (message: string) => void = () => undefined,
  ) {}

  /** Metadata of every rule the analyzer knows; starts the worker if needed. */
  rules(): Promise<RuleMeta[]> {
    return this.start();
  }

  async analyze(text: string, language: DocumentLanguage, config: FangConfig, path?: string): Promise<AnalysisOutcome> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    const req: AnalyzeRequest = { kind: 'analyze', id, text, language, config, path };
    return new Promise<AnalysisOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(req);
    });
  }

  private start(): Promise<RuleMeta[]> {
    if (this.disposed) return Promise.reject(new Error('the analysis worker was disposed'));
    if (this.ready) return this.ready;
    const data: WorkerData = { wasmDir: this.wasmDir };
    const worker = new Worker(this.workerPath, { workerData: data });
    this.worker = worker;
    this.ready = new Promise<RuleMeta[]>((resolve, reject) => {
      worker.on('message', (msg: WorkerResponse) => {
        if (msg.kind === 'ready') {
          this.onLog(`analysis worker ready with ${msg.rules.length} rules`);
          resolve(msg.rules);
        } else if (msg.kind === 'result') {
          this.settle(msg.id)?.resolve({ result: msg.result, ms: msg.ms });
        } else if (msg.id !== undefined) {
          this.settle(msg.id)?.reject(new Error(msg.message));
        } else {
          reject(new Error(msg.message));
          void this.crash(worker, new Error(msg.message));
        }
      });
      worker.on('error', (e) => {
        reject(e);
        void this.crash(worker, e);
      });
      worker.on('exit', (code) => {
        const e = new Error(`the analysis worker exited with code ${code}`);
        reject(e);
        void this.crash(worker, e);
      });
    });
    this.ready.catch(() => undefined); // callers see the rejection; an unawaited start must not warn
    return this.ready;
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private async crash(worker: Worker, e: Error): Promise<void> {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    await worker.terminate();
    if (this.disposed) return;
    this.restarts += 1;
    this.onLog(`analysis worker failed: ${e.message}`);
    if (this.restarts > MAX_RESTARTS) {
      this.disposed = true;
      const msg = `the analysis worker failed ${this.restarts} times; analysis is off until the window reloads`;
      this.onLog(msg);
      this.onFatal(msg);
    }
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the analysis worker was disposed'));
    this.pending.clear();
    void w?.terminate();
  }
}
