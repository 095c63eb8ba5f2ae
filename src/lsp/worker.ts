/**
 * The analysis worker: owns the Analyzer (grammars in WASM memory) so parsing never runs on the
 * extension host's main thread. One request at a time, in arrival order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer } from '../core/index';
import type { RejectedFix } from '../core/fixes/index';
import { ParseCache } from '../core/parse-cache';
import type { WorkerData, WorkerRequest, WorkerResponse } from './protocol';

/** Open documents whose trees are kept; the least recently analysed goes first past this. */
const MAX_CACHED_DOCUMENTS = 32;

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

function post(msg: WorkerResponse): void {
  port!.postMessage(msg);
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

async function main(): Promise<void> {
  const { wasmDir } = workerData as WorkerData;
  const analyzer = await Analyzer.create({ wasmDir });
  const caches = new Map<string, ParseCache>();
  const cacheFor = (doc: string | undefined): ParseCache | undefined => {
    if (!doc) return undefined;
    let c = caches.get(doc);
    if (c) caches.delete(doc); // re-inserted: most recent last
    else c = new ParseCache();
    caches.set(doc, c);
    for (const [k, old] of caches) {
      if (caches.size <= MAX_CACHED_DOCUMENTS) break;
      old.dispose();
      caches.delete(k);
    }
    return c;
  };
  port!.on('message', (req: WorkerRequest) => {
    if (req.kind === 'forget') {
      caches.get(req.doc)?.dispose();
      caches.delete(req.doc);
      return;
    }
    if (req.kind === 'fixes') {
      try {
        const rejected: RejectedFix[] = [];
        const fixes = analyzer.fixes(req.text, req.language, req.target, rejected);
        post({ kind: 'fixes', id: req.id, fixes, rejected });
      } catch (e) {
        post({ kind: 'error', id: req.id, message: describe(e) });
      }
      return;
    }
    if (req.kind !== 'analyze') return;
    const started = performance.now();
    const cache = cacheFor(req.doc);
    try {
      const result = analyzer.analyze(req.text, { path: req.path, language: req.language, config: req.config, cache });
      post({ kind: 'result', id: req.id, result, ms: performance.now() - started });
    } catch (e) {
      // A failed analysis may leave a tree half-edited: start that document afresh.
      cache?.dispose();
      if (req.doc) caches.delete(req.doc);
      post({ kind: 'error', id: req.id, message: describe(e) });
    }
  });
  port!.on('close', () => {
    for (const c of caches.values()) c.dispose();
    analyzer.dispose();
  });
  post({ kind: 'ready', rules: analyzer.rules() });
}

main().catch((e: unknown) => post({ kind: 'error', message: `the analyzer could not start: ${describe(e)}` }));
