/**
 * The analysis worker: owns the Analyzer (grammars in WASM memory) so parsing never runs on the
 * extension host's main thread. One request at a time, in arrival order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer } from '../core/index';
import type { RejectedFix } from '../core/fixes/index';
import type { WorkerData, WorkerRequest, WorkerResponse } from './protocol';

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
  port!.on('message', (req: WorkerRequest) => {
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
    try {
      const result = analyzer.analyze(req.text, { path: req.path, language: req.language, config: req.config });
      post({ kind: 'result', id: req.id, result, ms: performance.now() - started });
    } catch (e) {
      post({ kind: 'error', id: req.id, message: describe(e) });
    }
  });
  port!.on('close', () => analyzer.dispose());
  post({ kind: 'ready', rules: analyzer.rules() });
}

main().catch((e: unknown) => post({ kind: 'error', message: `the analyzer could not start: ${describe(e)}` }));
