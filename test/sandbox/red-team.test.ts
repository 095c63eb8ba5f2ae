/**
 * A snippet that goes after what watches it (the red-team round after issue 9): the tracer and
 * the pipe that carries its trace, the stub server that records model calls, the trace's volume
 * and the line trace, the kernel interfaces no namespace covers, the host's /sys, and hostile
 * workspace names.
 * The report is the thing under attack here, so each test knows what the snippet really did and
 * checks that the report shows it, or says in its verdict what it could not see.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReport, type DryRunReport } from '../../src/sandbox';
import { HostCanaries, blockedText, dryRun, fixture, requireSandbox, tempWorkspace } from './helpers';
import { FANG_BIN } from './host-probes';

describe('a snippet that attacks the trace and Fang\'s own processes', function () {
  this.timeout(60_000);
  let canaries: HostCanaries;
  let ws: string;
  let id: string;
  before(requireSandbox);
  beforeEach(() => {
    canaries = new HostCanaries();
    ws = tempWorkspace({ 'notes.txt': 'x\n' });
    fs.chmodSync(ws, 0o755);
    id = crypto.randomBytes(4).toString('hex');
    canaries.snapshot();
  });
  afterEach(() => {
    canaries.assertUnchanged();
    canaries.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  const argvs = (r: DryRunReport): string[] => r.processes.map((p) => p.argv.join(' '));

  it('cannot write into the process trace, take the tracer\'s descriptor, attach to it or run a child it does not follow', async () => {
    const { report } = await dryRun({ code: fixture('attack-tracer.sh', { __ID__: id }), language: 'bash', workspaceDir: ws });
    const out = report.stdout;
    assert.doesNotMatch(out, /WROTE|GOT the tracer|ATTACHED|OPENED|untraced child: RAN/, out);
    assert.match(out, /^pidfd_getfd: Operation not permitted$/m, `${out}\n${report.stderr}`);
    assert.match(out, /^untraced child: Operation not permitted$/m, out);
    assert.ok(!argvs(report).some((a) => a.includes(`forged-${id}`) || a.includes(`untraced-${id}`)), argvs(report).join('\n'));
    // What it did after is still traced, and the report names what was refused.
    assert.ok(argvs(report).includes(`/bin/echo after-${id}`), argvs(report).join('\n'));
    assert.match(blockedText(report), /privilege: clone CLONE_UNTRACED: refused by the sandbox \(seccomp\)/);
    assert.match(blockedText(report), /privilege: ptrace PTRACE_ATTACH pid \d+: operation not permitted/);
    assert.equal(report.traceTampered ?? 0, 0, report.notes.join('\n'));
  });

  it('stopping and killing the stub server does not hide model calls: the report lists them and says the stub was silenced', async () => {
    const { report } = await dryRun({ code: fixture('attack-stub.sh'), language: 'bash', workspaceDir: ws });
    assert.match(report.stdout, /stub stopped\nstub killed\n/, report.stdout);
    const unrecorded = report.modelCalls.filter((c) => c.answerSource === 'unrecorded');
    assert.deepEqual(unrecorded.map((c) => c.command), ['llm'], JSON.stringify(report.modelCalls));
    assert.ok(report.network.some((n) => n.host === '127.0.0.1' && n.port === 80 && /stub server/.test(n.detail)), JSON.stringify(report.network));
    const gaps = (report.traceIncomplete ?? []).join('\n');
    assert.match(gaps, /sent SIGSTOP to the sandbox's stub server at line 5/, gaps);
    assert.match(gaps, /sent SIGKILL to the sandbox's stub server at line 7/, gaps);
    assert.match(gaps, /stub server was killed by the snippet/, gaps);
    assert.match(report.verdict, /^1 model call,.*TRACE INCOMPLETE/, report.verdict);
  });

  it('a flood of the process trace does not hide what comes after it', async () => {
    const { report } = await dryRun({ code: fixture('attack-trace-flood.sh', { __ID__: id }), language: 'bash', workspaceDir: ws, limits: { timeMs: 15_000 } });
    assert.ok(argvs(report).includes(`/bin/echo after-flood-${id}`), argvs(report).join('\n'));
    assert.ok(report.fileChanges.some((f) => f.area === 'home' && f.path.endsWith('/.bashrc')), report.verdict);
    assert.match(report.verdict, /TRACE INCOMPLETE, so the counts above are lower bounds: the process trace ran past its full volume: after that only processes were followed/);
  });

  it('an eval pushed out of the line trace, or run with the trace off, is still reported or named as missing', async () => {
    const { report } = await dryRun({ code: fixture('attack-line-trace.sh'), language: 'bash', workspaceDir: ws, limits: { timeMs: 15_000 } });
    assert.equal(report.modelCalls.length, 2, JSON.stringify(report.modelCalls));
    // The first eval comes after 6000 records of a loop, more than the trace keeps of plain commands.
    assert.deepEqual(report.executedModelOutput.map((e) => `${e.callId} ${e.sink} ${e.line}`), ['1 eval 4']);
    assert.match(report.verdict, /the snippet switched its line trace off \(`set \+x` at line 5\)/, report.verdict);
  });

  it('reaches neither the keyrings Fang inherits nor address families outside the network namespace', async () => {
    const secret = `FANG-KEYRING-${crypto.randomBytes(8).toString('hex')}`;
    const snippet = path.join(ws, 'kernel.sh');
    fs.writeFileSync(snippet, fixture('attack-kernel-interfaces.sh'));
    // fang runs in a session keyring of its own that holds a secret, as a login session's would.
    const wrapper = [
      'import ctypes, os, sys',
      'libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long',
      `assert libc.syscall(250, 1, b"fang-test-${secret}") > 0, "cannot join a session keyring"`,
      `assert libc.syscall(248, b"user", b"fang-canary", b"${secret}", ${secret.length}, ctypes.c_long(-3)) > 0, "cannot add a key"`,
      'os.execv(sys.argv[1], sys.argv[1:])',
    ].join('\n');
    const child = spawn('python3', ['-c', wrapper, process.execPath, FANG_BIN, 'dry-run', snippet, '--format', 'json', '--workspace', ws], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0, stderr);
    assert.ok(!stdout.includes(secret), 'a key of the session keyring fang runs in reached the sandbox');
    const report = parseReport(JSON.parse(stdout));
    assert.doesNotMatch(report.stdout, /KEY READ|OPENED/, report.stdout);
    assert.match(report.stdout, /^keyring -3 : Function not implemented$/m, report.stdout);
    for (const fam of ['AF_VSOCK', 'AF_TIPC', 'AF_RDS', 'AF_CAN', 'AF_PACKET']) assert.match(report.stdout, new RegExp(`^${fam}: refused$`, 'm'));
    assert.match(blockedText(report), /privilege: keyctl the kernel keyrings: refused by the sandbox/);
    assert.match(blockedText(report), /socket: socket AF_VSOCK, SOCK_STREAM\|SOCK_CLOEXEC: address family refused by the sandbox/);
  });

  it('sees neither the host\'s network interfaces nor host pids through /sys', async () => {
    // What the host shows in its /sys: interface names and addresses, and (cgroup v1 or v2) the
    // pid of every process, this test's own among them.
    const macs = fs.readdirSync('/sys/class/net').filter((n) => n !== 'lo').map((n) => fs.readFileSync(`/sys/class/net/${n}/address`, 'utf8').trim());
    const code = 'ls /sys/class/net; cat /sys/class/net/*/address; find /sys/fs/cgroup -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un';
    const { report } = await dryRun({ code, language: 'bash', workspaceDir: ws });
    const lines = report.stdout.split('\n');
    assert.equal(lines[0], 'lo', report.stdout.slice(0, 500));
    assert.ok(!macs.some((m) => report.stdout.includes(m)), `a host network address is visible: ${macs.join(', ')}`);
    assert.ok(!lines.includes(String(process.pid)), 'host pids are visible under /sys/fs/cgroup');
    assert.ok(!report.notes.some((n) => /\/sys stays visible/.test(n)), report.notes.join('\n'));
  });

  it('a workspace whose name holds a tab, a newline and an escape still gets an exact file listing', async () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-names-'));
    const hostile = path.join(outer, 'ws\tx\ny\x1b[31m');
    fs.mkdirSync(hostile);
    fs.writeFileSync(path.join(hostile, 'old.txt'), 'old\n');
    fs.chmodSync(outer, 0o755);
    fs.chmodSync(hostile, 0o755);
    fs.chmodSync(path.join(hostile, 'old.txt'), 0o644);
    try {
      const { report } = await dryRun({ code: 'echo new > new.txt; rm old.txt; printf "%s\\n" "$PWD"', language: 'bash', workspaceDir: hostile });
      assert.equal(report.stdout, `${hostile}\n`);
      assert.deepEqual(report.fileChanges.map((f) => `${f.kind} ${f.area} ${f.path}`), ['created workspace new.txt', 'deleted workspace old.txt']);
      assert.ok(!report.notes.some((n) => /^sandbox: |could not finish/.test(n)), report.notes.join('\n'));
      assert.match(report.verdict, /^0 model calls; \d+ process(es)?; 2 files written in the workspace copy;/);
    } finally {
      fs.rmSync(outer, { recursive: true, force: true });
    }
  });
});
