/**
 * `fang lsp --stdio`: the language server on standard input and output (a bundle of its own,
 * dist/lsp.js, loaded only by this command). The sandbox comes from dist/dry-run.js on the first
 * dry-run. Nothing may write to stdout but the protocol: console output goes to stderr.
 */
import * as path from 'node:path';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from '../lsp/server';
import type { SandboxModule } from '../lsp/dryRun';
import pkg from '../../package.json';

export const LSP_USAGE = `usage: fang lsp --stdio
  Speaks the Language Server Protocol on standard input and output: diagnostics, hovers,
  quick fixes and dry-run code lenses for the languages fang scan reads and Markdown fences.
  initializationOptions: { "trusted": true } lets the workspace's .fang.json lower severities
  and enables dry-runs (workspace/executeCommand fang.dryRun).
`;

export interface LspIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function lspCommand(given: string[], io: LspIo, version: string): Promise<number> {
  // Client libraries name their process (vscode-languageclient: --clientProcessId=N); initialize carries it too.
  const argv = given.filter((a) => !/^--clientProcessId=\d+$/.test(a));
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(LSP_USAGE);
    return Promise.resolve(0);
  }
  // A client library may add --stdio to a command line that has it already.
  if (!argv.length || argv.some((a) => a !== '--stdio')) {
    io.stderr.write(`fang lsp: ${argv.length ? `unknown option ${argv.find((a) => a !== '--stdio')}` : 'give --stdio'}; the server speaks over standard input and output\n${LSP_USAGE}`);
    return Promise.resolve(2);
  }
  // Anything printed would corrupt the protocol stream.
  console.log = console.info = console.warn = console.error = (...a: unknown[]) => void process.stderr.write(`${a.map(String).join(' ')}\n`);
  const connection = createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  const dist = __dirname;
  startServer(connection, {
    workerPath: path.join(dist, 'worker.js'),
    wasmDir: path.join(dist, 'wasm'),
    docsDir: path.join(dist, '..', 'docs', 'rules'),
    version,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sandbox: () => (require('./dry-run') as { sandbox: SandboxModule }).sandbox,
  });
  // The connection ends the process on `exit` (or when stdin closes); until then it runs.
  return new Promise<number>(() => undefined);
}

// Started directly (`node dist/lsp.js --stdio`, as the VS Code extension starts it).
if (require.main === module) {
  void lspCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, pkg.version).then((code) => {
    process.exitCode = code;
  });
}
