/**
 * Talks to the analysis worker thread. The worker analyses one document at a time, each within
 * its time budget; a request that is not answered within the budget plus a margin means the
 * worker is stuck: it is terminated and started again, the stuck document gets an
 * `analysis-incomplete` note, and the requests queued behind it go to the new worker.
 * A crashed worker is started again on the next request (at most a few times, then analysis
 * stays off with a message); an overrun does not count toward that limit, or a file could
 * switch analysis off for every other document.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_ANALYSIS_BUDGET_MS, type FangConfig } from '../core/config';
import { overrunResult } from '../core/budget';
import type { DocumentLanguage, FileResult, RuleMeta } from '../core/types';
import type { FixTarget } from '../core/fixes/index';
import type { AnalyzeRequest, AnsweredRequest, FixesOutcome, FixesRequest, ForgetRequest, WorkerData, WorkerResponse } from './protocol';

export interface AnalysisOutcome {
  result: FileResult;
  /** Time spent in the worker. */
  ms: number;
}

/** A request and its promise; `resolve` takes the outcome of the request's kind. */
interface Pending {
  req: AnsweredRequest;
  resolve(o: AnalysisOutcome | FixesOutcome): void;
  reject(e: Error): void;
}

const MAX_RESTARTS = 3;

export interface AnalysisClientOptions {
  /** Extra time past a request's budget before the worker counts as stuck: by default the budget itself, at least 1 s. */
  overrunMarginMs?: (budgetMs: number) => number;
}

export class AnalysisClient {
  private worker: Worker | undefined;
  private ready: Promise<RuleMeta[]> | undefined;
  /** In the order the worker answers them: the first is the one it works on. */
  private readonly pending = new Map<number, Pending>();
  private watchdog: { id: number; timer: NodeJS.Timeout; started: number } | undefined;
  private nextId = 1;
  private restarts = 0;
  private disposed = false;
  /** Workers terminated for overrunning (for the log and tests). */
  overruns = 0;

  constructor(
    private readonly workerPath: string,
    private readonly wasmDir: string,
    private readonly onLog: (message: string) => void,
    /** Called once when the worker has failed too often and analysis stops. */
    private readonly onFatal: (message: string) => void = () => undefined,
    private readonly options: AnalysisClientOptions = {},
  ) {}

  /** Metadata of every rule the analyzer knows; starts the worker if needed. */
  rules(): Promise<RuleMeta[]> {
    return this.start();
  }

  /** `doc` (the document's URI) lets the worker parse the next version of the same document incrementally. */
  async analyze(text: string, language: DocumentLanguage, config: FangConfig, path?: string, doc?: string): Promise<AnalysisOutcome> {
    await this.start();
    const req: AnalyzeRequest = { kind: 'analyze', id: this.nextId++, text, language, config, path, doc };
    return new Promise<AnalysisOutcome>((resolve, reject) => this.send({ req, resolve: resolve as Pending['resolve'], reject }));
  }

  /** Quick fixes for one finding; a worker that overruns answers none. */
  async fixes(text: string, language: DocumentLanguage, config: FangConfig, target: FixTarget, path?: string): Promise<FixesOutcome> {
    await this.start();
    const req: FixesRequest = { kind: 'fixes', id: this.nextId++, text, language, config, target, path };
    return new Promise<FixesOutcome>((resolve, reject) => this.send({ req, resolve: resolve as Pending['resolve'], reject }));
  }

  private send(p: Pending): void {
    this.pending.set(p.req.id, p);
    this.worker!.postMessage(p.req);
    this.armWatchdog();
  }

  /** A document closed: the worker frees its trees. */
  forget(doc: string): void {
    const msg: ForgetRequest = { kind: 'forget', doc };
    this.worker?.postMessage(msg);
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
        } else if (msg.kind === 'fixes') {
          this.settle(msg.id)?.resolve({ fixes: msg.fixes, rejected: msg.rejected });
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
    if (this.watchdog?.id === id) {
      clearTimeout(this.watchdog.timer);
      this.watchdog = undefined;
    }
    this.armWatchdog();
    return p;
  }

  /** Watches the request the worker is on now: the oldest one pending. */
  private armWatchdog(): void {
    if (this.watchdog || this.disposed) return;
    const head = this.pending.values().next().value as Pending | undefined;
    if (!head) return;
    const budget = head.req.config.analysisBudgetMs ?? DEFAULT_ANALYSIS_BUDGET_MS;
    const margin = this.options.overrunMarginMs?.(budget) ?? Math.max(1000, budget);
    const started = performance.now();
    const timer = setTimeout(() => void this.overrun(head, budget, performance.now() - started), budget + margin);
    this.watchdog = { id: head.req.id, timer, started };
  }

  /** The worker did not answer within budget and margin: it is stuck; replace it. */
  private async overrun(stuck: Pending, budgetMs: number, waitedMs: number): Promise<void> {
    const worker = this.worker;
    this.watchdog = undefined;
    if (!worker || !this.pending.has(stuck.req.id)) return;
    this.overruns++;
    this.onLog(`analysis of ${stuck.req.path ?? 'an untitled document'} overran its ${budgetMs} ms budget (no answer after ${waitedMs.toFixed(0)} ms); restarting the analysis worker`);
    this.pending.delete(stuck.req.id);
    const queued = [...this.pending.values()];
    this.pending.clear();
    this.worker = undefined;
    this.ready = undefined;
    await worker.terminate();
    if (stuck.req.kind === 'analyze') stuck.resolve({ result: overrunResult(stuck.req.path ?? '<untitled>', stuck.req.language, budgetMs, waitedMs), ms: waitedMs });
    else stuck.resolve({ fixes: [], rejected: [{ title: 'quick fixes', reason: `the worker overran its ${budgetMs} ms budget` }] });
    if (this.disposed) {
      for (const p of queued) p.reject(new Error('the analysis worker was disposed'));
      return;
    }
    // The requests behind the stuck one go to a new worker, in their order.
    try {
      await this.start();
    } catch (e) {
      for (const p of queued) p.reject(e as Error);
      return;
    }
    for (const p of queued) {
      this.pending.set(p.req.id, p);
      this.worker!.postMessage(p.req);
    }
    this.armWatchdog();
  }

  private async crash(worker: Worker, e: Error): Promise<void> {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    if (this.watchdog) clearTimeout(this.watchdog.timer);
    this.watchdog = undefined;
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
    if (this.watchdog) clearTimeout(this.watchdog.timer);
    this.watchdog = undefined;
    for (const p of this.pending.values()) p.reject(new Error('the analysis worker was disposed'));
    this.pending.clear();
    void w?.terminate();
  }
}
