/**
 * A real LSP client for the tests: `node bin/fang.js lsp --stdio` as a child process, spoken to
 * over its real stdin and stdout with the protocol library's own client connection. It keeps
 * what the server sends (diagnostics per document, messages, progress) and waits on events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');

export interface ClientOptions {
  initializationOptions?: unknown;
  workspaceFolder?: string;
  /** The answer to workspace/configuration for the `fang` section; absent: the client does not support it. */
  settings?: () => unknown;
  capabilities?: Record<string, unknown>;
  /** The server's command line (default: node bin/fang.js lsp --stdio of this checkout) and its folder. */
  command?: { cmd: string; args: string[]; cwd?: string };
}

export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

export class LspClient {
  readonly child: ChildProcess;
  readonly conn: ProtocolConnection;
  readonly published: Published[] = [];
  readonly messages: Array<{ type: number; message: string; kind: 'show' | 'log' }> = [];
  readonly progress: unknown[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<() => void> = [];
  exited: Promise<number | null>;
  initResult: InitializeResult | undefined;

  constructor(private readonly opts: ClientOptions = {}) {
    const bin = path.join(ROOT, 'bin', 'fang.js');
    if (!opts.command && !fs.existsSync(path.join(ROOT, 'dist', 'lsp.js'))) throw new Error('dist/lsp.js is missing: run `npm run build` first');
    const { cmd, args, cwd } = opts.command ?? { cmd: process.execPath, args: [bin, 'lsp', '--stdio'] };
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    this.child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => this.push(() => this.published.push(p)));
    this.conn.onNotification('window/showMessage', (p: { type: number; message: string }) => this.push(() => this.messages.push({ ...p, kind: 'show' })));
    this.conn.onNotification('window/logMessage', (p: { type: number; message: string }) => this.push(() => this.messages.push({ ...p, kind: 'log' })));
    this.conn.onNotification('$/progress', (p: unknown) => this.push(() => this.progress.push(p)));
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('window/showMessageRequest', (p: { message: string; type: number }) => {
      this.push(() => this.messages.push({ ...p, kind: 'show' }));
      return null;
    });
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    if (opts.settings) this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => opts.settings!()));
    this.conn.listen();
  }

  private push(fn: () => void): void {
    fn();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `test` holds after something arrived from the server (or already holds). */
  until<T>(test: () => T | undefined | false, what: string, timeoutMs = 30000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} after ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      const check = () => {
        const v = test();
        if (v) {
          clearTimeout(timer);
          resolve(v);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async initialize(): Promise<InitializeResult> {
    const folder = this.opts.workspaceFolder;
    const died = this.exited.then((code) => {
      throw new Error(`the server exited (code ${code}) before answering initialize; stderr: ${this.stderr.join('')}`);
    });
    this.initResult = await Promise.race([died, this.conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: folder ? pathToFileURL(folder).toString() : null,
      workspaceFolders: folder ? [{ uri: pathToFileURL(folder).toString(), name: path.basename(folder) }] : null,
      capabilities: {
        workspace: { configuration: !!this.opts.settings },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } },
        ...this.opts.capabilities,
      },
      initializationOptions: this.opts.initializationOptions,
    })]);
    died.catch(() => undefined);
    await this.conn.sendNotification('initialized', {});
    return this.initResult;
  }

  open(uri: string, languageId: string, text: string, version = 1): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** Replaces the whole text (an incremental change covering the document). */
  change(uri: string, version: number, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>): void {
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: edits });
  }

  /** The first diagnostics published for `uri` (at `version`, when given) that satisfy `test`. */
  diagnostics(uri: string, test: (d: Diagnostic[]) => boolean = () => true, version?: number): Promise<Diagnostic[]> {
    return this.until(() => {
      const hits = this.published.filter((p) => p.uri === uri && (version === undefined || p.version === version));
      const last = hits[hits.length - 1];
      return last && test(last.diagnostics) ? last.diagnostics : undefined;
    }, `diagnostics for ${uri}${version !== undefined ? ` v${version}` : ''}`);
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      this.child.kill();
    }
    const code = await Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (code === null && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.conn.dispose();
    return code;
  }
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}
