/**
 * The real analysis worker (dist/worker.js) with one thing added: a request whose text holds
 * STUCK-WORKER blocks its thread for good, the way a runaway analysis would. Used to prove that
 * the extension's client replaces a stuck worker.
 */
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (req: { text?: string }) => {
  if (req.text?.includes('STUCK-WORKER')) for (;;);
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.resolve(__dirname, '../../../dist/worker.js'));
