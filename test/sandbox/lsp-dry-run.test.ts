/**
 * The dry-run as any editor reaches it: `workspace/executeCommand fang.dryRun` on `fang lsp
 * --stdio`, over real pipes. The real sandbox runs; progress comes as `$/progress`; cancelling
 * (the request, or the server's own progress) stops the sandbox, proven on the host's process
 * table, and the host canaries are untouched.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { fileUri, LspClient } from '../lsp/client';
import { HostCanaries, requireSandbox, sandboxProcesses } from './helpers';

interface Result {
  text?: string;
  report?: { verdict: string; modelCalls: Array<{ command?: string; prompt: string }>; processes: unknown[] };
  cancelled?: boolean;
  unavailable?: string;
  error?: string;
}

type Progress = { token: string | number; value: { kind: string; title?: string; message?: string; cancellable?: boolean } };

describe('dry-run over the language server', function () {
  this.timeout(120000);
  let dir: string;
  let client: LspClient;

  before(requireSandbox);
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-lsp-dry-'));
    fs.mkdirSync(path.join(dir, '.git'));
    client = new LspClient({ workspaceFolder: dir, initializationOptions: { trusted: true } });
    await client.initialize();
  });
  afterEach(async () => {
    assert.equal(await client.stop(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const uri = fileUri(file);
    client.open(uri, 'sh', text);
    return uri;
  }

  it('runs the snippet in the sandbox and answers with the text and JSON reports, with progress', async () => {
    const canaries = new HostCanaries();
    fs.writeFileSync(path.join(dir, 'existing.txt'), 'original\n');
    canaries.snapshot();
    try {
      const uri = open('ask.sh', `x=$(llm "say hi")\necho "got: $x"\necho pwned >> ${canaries.file}\necho changed > ${path.join(dir, 'existing.txt')}\n`);
      await client.diagnostics(uri, (d) => d.length > 0);
      const r = await client.conn.sendRequest<Result>('workspace/executeCommand', { command: 'fang.dryRun', arguments: [uri], workDoneToken: 'run-1' });
      assert.ok(r.report && r.text, JSON.stringify(r));
      assert.match(r.text, /^Verdict: /);
      assert.deepEqual(r.report.modelCalls.map((m) => [m.command, m.prompt]), [['llm', 'say hi']]);
      const mine = client.progress.filter((p): p is Progress => (p as Progress).token === 'run-1').map((p) => p.value);
      assert.equal(mine[0]?.kind, 'begin');
      assert.match(mine[0]!.title ?? '', /dry-running ask\.sh in the sandbox/);
      assert.equal(mine[0]!.cancellable, true);
      assert.ok(mine.some((v) => v.kind === 'report' && /\d+ processes, 1 model calls/.test(v.message ?? '')), JSON.stringify(mine));
      assert.equal(mine.at(-1)?.kind, 'end');
      canaries.assertUnchanged();
      assert.equal(fs.readFileSync(path.join(dir, 'existing.txt'), 'utf8'), 'original\n', 'the real workspace changed');
    } finally {
      canaries.remove();
    }
  });

  it('cancelling the request stops the sandbox and everything in it', async () => {
    const marker = `31.${crypto.randomInt(1e6, 9e6)}`;
    const uri = open('slow.sh', `echo start\nsleep ${marker}\n`);
    await client.diagnostics(uri);
    const source = new CancellationTokenSource();
    const started = client.until(() => client.progress.some((p) => (p as Progress).token === 'run-2' && (p as Progress).value.kind === 'report'), 'the run started');
    const t0 = performance.now();
    const pending = client.conn.sendRequest<Result>('workspace/executeCommand', { command: 'fang.dryRun', arguments: [uri], workDoneToken: 'run-2' }, source.token);
    await started;
    await client.until(() => sandboxProcesses([], `sleep ${marker}`).length > 0 || undefined, 'the sleep running in the sandbox', 30000);
    source.cancel();
    const r = await pending.catch((e: unknown) => ({ cancelled: true, rejected: String(e) }) as Result);
    assert.equal(r.cancelled, true, JSON.stringify(r));
    assert.ok(performance.now() - t0 < 25000, 'the run ended long before the sleep would have');
    await client.until(() => sandboxProcesses([], `sleep ${marker}`).length === 0 || undefined, 'no sandbox process left', 10000);
  });

  it('cancelling the progress the server created stops the run as well', async () => {
    const marker = `32.${crypto.randomInt(1e6, 9e6)}`;
    const uri = open('slow2.sh', `sleep ${marker}\n`);
    await client.diagnostics(uri);
    const pending = client.conn.sendRequest<Result>('workspace/executeCommand', { command: 'fang.dryRun', arguments: [uri] });
    const begin = await client.until(() => client.progress.find((p) => (p as Progress).value.kind === 'begin') as Progress | undefined, 'the server-created progress');
    await client.until(() => sandboxProcesses([], `sleep ${marker}`).length > 0 || undefined, 'the sleep running in the sandbox', 30000);
    void client.conn.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
    const r = await pending;
    assert.equal(r.cancelled, true, JSON.stringify(r));
    await client.until(() => sandboxProcesses([], `sleep ${marker}`).length === 0 || undefined, 'no sandbox process left', 10000);
  });
});
