/**
 * Containment is tested, not assumed: each attack runs for real in bubblewrap, and each test
 * checks that the host is unchanged (canaries in the real home, the real workspace, /etc),
 * that the run ended within the time limit plus one second with no process left behind, and
 * that the report names what was blocked.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { runDryRun } from '../../src/sandbox';
import { HostListeners, hostIp } from './host-probes';
import { HostCanaries, TEST_TIME_MS, blockedText, dryRun, fixture, namespaceRecorder, requireSandbox, sandboxProcesses, tempWorkspace, treeHash } from './helpers';

describe('sandbox containment (real bubblewrap)', function () {
  this.timeout(60_000);
  let canaries: HostCanaries;
  let ws: string;
  let wsHash: string;

  before(requireSandbox);
  beforeEach(() => {
    canaries = new HostCanaries(['/etc/fang-pwned', '/etc/fang-dotdot', '/usr/local/fang-pwned', '/usr/bin/fang-pwned']);
    ws = tempWorkspace({ 'existing.txt': 'original\n', 'to-delete.txt': 'bye\n', 'src/app.sh': 'echo app\n' });
    canaries.snapshot();
    wsHash = treeHash(ws);
  });
  afterEach(() => {
    canaries.assertUnchanged();
    assert.equal(treeHash(ws), wsHash, 'the real workspace changed');
    canaries.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  const run = (name: string, extra: Record<string, string> = {}, lang: 'bash' | 'js' = 'bash') =>
    dryRun({ code: fixture(name, { ...canaries.replacements(), ...extra }), language: lang, workspaceDir: ws });

  it('keeps writes to the real home inside the sandbox', async () => {
    const { report } = await run('write-home.sh');
    assert.ok(report.fileChanges.some((f) => f.area === 'home' && f.path.endsWith('/.bashrc')), 'the .bashrc write is reported');
    assert.match(blockedText(report), /write to .*\.bashrc: went to the sandbox's throwaway home/);
    assert.match(report.stderr, /fang-canary-.*No such file or directory/, 'the canary folder is not visible inside');
  });

  it('writes only the workspace copy, and reports each change', async () => {
    const { report } = await run('write-workspace.sh');
    const changes = report.fileChanges.filter((f) => f.area === 'workspace').map((f) => `${f.kind} ${f.path}`).sort();
    assert.deepEqual(changes, ['created abs.txt', 'created created.txt', 'deleted to-delete.txt', 'modified existing.txt']);
  });

  it('refuses writes to /etc and the system', async () => {
    const { report } = await run('write-etc.sh');
    const text = blockedText(report);
    assert.match(text, /write to \/etc\/fang-pwned: read-only file system/);
    assert.match(text, /write to \/etc\/passwd: permission denied/);
    assert.match(text, /write to \/usr\/local\/fang-pwned: read-only/);
    // Each refusal points at its line, also for a builtin's failed redirection.
    assert.deepEqual(report.blocked.filter((b) => b.kind === 'write').map((b) => b.line), [2, 3, 4, 5, 6]);
    assert.ok(!fs.existsSync('/etc/fang-pwned'));
  });

  describe('with host listeners to aim at (TCP on every address, UDP, a unix socket)', () => {
    let listeners: HostListeners;
    let ip: string;
    beforeEach(async () => {
      listeners = new HostListeners(path.join(os.tmpdir(), `fang-net-${process.pid}.sock`));
      await listeners.start();
      await listeners.selfTest();
      ip = hostIp() ?? '127.0.0.1';
    });
    afterEach(async () => {
      await new Promise((r) => setTimeout(r, 50));
      const reached = listeners.tcpConnections + listeners.udpDatagrams + listeners.unixConnections;
      listeners.close();
      assert.equal(reached, 0, 'a host listener recorded a connection from the sandbox');
    });
    const aim = (): Record<string, string> => ({ __HOST_IP__: ip, __TCP_PORT__: String(listeners.tcpPort), __UDP_PORT__: String(listeners.udpPort) });

    it('blocks curl and wget, by name and by address', async () => {
      const missing = ['curl', 'wget'].filter((t) => !process.env.PATH?.split(':').some((d) => fs.existsSync(path.join(d, t))));
      if (missing.length) assert.fail(`this attack needs ${missing.join(' and ')} on the machine: apt-get install ${missing.join(' ')}`);
      const { report } = await run('net-curl.sh', aim());
      const net = report.network.map((n) => `${n.protocol} ${n.host}:${n.port} ${n.blocked}`);
      assert.ok(net.includes('https example.com:443 true'), net.join('\n'));
      assert.ok(net.includes(`tcp ${ip}:${listeners.tcpPort} true`) || ip === '127.0.0.1', net.join('\n'));
      assert.ok(net.includes(`tcp 127.0.0.1:${listeners.tcpPort} true`), net.join('\n'));
      assert.ok(net.includes('http example.org:80 true'), net.join('\n'));
      assert.ok(report.network.every((n) => n.blocked));
      assert.match(blockedText(report), new RegExp(`network: tcp 127\\.0\\.0\\.1:${listeners.tcpPort}: connect: nothing listens there inside the sandbox`));
    });

    it('blocks /dev/tcp', async () => {
      const { report } = await run('net-devtcp.sh', aim());
      assert.ok(report.network.some((n) => n.host === ip && n.port === listeners.tcpPort && n.blocked));
      assert.ok(report.network.some((n) => n.protocol === 'dns' && n.host === 'example.com'));
      assert.match(report.stdout, /dev\/tcp refused/);
    });

    it('blocks raw TCP, UDP and DNS from node', async () => {
      const { report } = await run('net-node.js', aim(), 'js');
      const net = report.network.map((n) => `${n.protocol} ${n.host}:${n.port}`);
      assert.ok(net.includes(`tcp ${ip}:${listeners.tcpPort}`), net.join('\n'));
      assert.ok(net.includes(`udp ${ip}:${listeners.udpPort}`), net.join('\n'));
      assert.ok(net.includes('dns exfil.example.com:53'), net.join('\n'));
      assert.match(report.stdout, /tcp: (ENETUNREACH|ECONNREFUSED)/);
    });
  });

  it('answers DNS lookups inside and records them', async () => {
    const { report } = await run('net-dns.sh');
    assert.ok(report.network.some((n) => n.protocol === 'dns' && n.host === 'evil-exfil.example.net' && n.blocked));
  });

  it('hides ssh keys, host secrets and other processes\' environments', async () => {
    process.env.FANG_CANARY_SECRET_TOKEN = canaries.secret;
    try {
      const code = `cat "__CANARY_DIR__/secret-key"\n${fixture('read-secrets.sh')}`;
      const { report } = await dryRun({ code: code.split('__CANARY_DIR__').join(canaries.dir), language: 'bash', workspaceDir: ws });
      assert.ok(!report.stdout.includes(canaries.secret) && !report.stderr.includes(canaries.secret), 'a host secret leaked into the sandbox');
      const text = blockedText(report);
      assert.match(text, /read of .*\/\.ssh\/id_rsa: not visible in the sandbox/);
      assert.match(text, /read of \/etc\/shadow: permission denied/);
      assert.match(report.stdout, /no secrets in env|fang-sandbox-fake-key/);
    } finally {
      delete process.env.FANG_CANARY_SECRET_TOKEN;
    }
  });

  describe('with a host process to aim at', () => {
    let victim: ChildProcess;
    beforeEach(async () => {
      victim = spawn('sleep', ['1002'], { stdio: 'ignore' });
      await once(victim, 'spawn');
    });
    afterEach(() => {
      victim.kill('SIGKILL');
    });

    it('cannot signal host processes', async () => {
      const { report } = await run('signal-host.sh', { __HOST_PID__: String(victim.pid) });
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${victim.pid}/status`, 'utf8'))?.[1];
      assert.equal(victim.exitCode, null, 'the host process was killed');
      assert.notEqual(state, 'T', 'the host process was stopped');
      assert.match(blockedText(report), new RegExp(`signal to pid ${victim.pid} \\(SIGTERM\\): no such process in the sandbox`));
      assert.match(blockedText(report), /signal to pid 1 \(SIGKILL\): delivered to the sandbox's own PID 1/);
    });
  });

  it('ends the run, and says so, when the snippet kills the sandbox\'s own tracer', async () => {
    const { report } = await dryRun({ code: fixture('kill-monitors.sh'), language: 'bash', workspaceDir: ws }, 'sleep 1003');
    assert.match(blockedText(report), /signal to every process \(SIGKILL\): reached only the sandbox's own processes/);
    assert.ok(report.notes.some((n) => /killed the sandbox's tracer/.test(n)), report.notes.join('\n'));
  });

  it('gives no way to new privileges: mounts, raw sockets, a nested root', async () => {
    const mntBefore = treeHash('/mnt');
    const { report } = await run('nested-userns.sh');
    assert.equal(report.stdout, 'mount: refused\nraw socket: refused\nnested root: refused\n', report.stderr);
    const text = blockedText(report);
    assert.match(text, /socket: socket AF_PACKET, SOCK_RAW\|SOCK_CLOEXEC: address family refused by the sandbox/);
    assert.match(text, /privilege: mount none on \/mnt: operation not permitted/);
    assert.equal(treeHash('/mnt'), mntBefore, 'the host /mnt changed');
  });

  it('stops a fork bomb at the process limit', async () => {
    const { report } = await run('fork-bomb.sh');
    assert.ok(report.limitsHit.includes('processes'));
    assert.match(blockedText(report), /new process\(es\): refused by the process limit \(64\)/);
    assert.ok(report.recursion.some((r) => r.kind === 'fork-bomb'));
  });

  it('caps the disk', async () => {
    const { report } = await run('fill-disk.sh');
    assert.ok(report.limitsHit.includes('disk'));
    assert.match(report.stderr, /No space left on device/);
    const big = report.fileChanges.find((f) => f.path === 'big-in-workspace');
    assert.ok(big && big.size !== null && big.size < 200 * 1024 * 1024, 'the workspace file stayed small');
  });

  it('caps the memory of each process', async () => {
    const { report } = await run('fill-memory.sh');
    assert.ok(report.limitsHit.includes('memory'), report.stderr);
    assert.match(report.stdout, /still here/);
  });

  it('cuts a flood of output and stops the run', async () => {
    const { report } = await run('flood-output.sh');
    assert.ok(report.limitsHit.includes('output'));
    assert.ok(report.stdoutTruncated);
    assert.equal(Buffer.byteLength(report.stdout), report.limits.outputBytes);
  });

  it('ends endless loops and sleepers at the time limit', async () => {
    const { report, elapsedMs } = await dryRun({ code: fixture('loop-forever.sh'), language: 'bash', workspaceDir: ws }, 'sleep 1001');
    assert.deepEqual(report.limitsHit, ['time']);
    assert.ok(elapsedMs >= TEST_TIME_MS - 100, `ended early, after ${elapsedMs} ms`);
    assert.equal(report.exitCode, null);
  });

  it('does not escape through symlinks or .. paths', async () => {
    const { report } = await run('escape-symlink.sh');
    const text = blockedText(report);
    assert.match(text, /write to passwd-link: permission denied/);
    assert.match(text, /write to (\.\.\/)+etc\/fang-dotdot: read-only file system/);
    assert.ok(!fs.existsSync('/etc/fang-dotdot'));
    assert.ok(!fs.existsSync(path.join(path.dirname(ws), 'fang-parent-canary')), 'wrote next to the real workspace');
  });

  it('refuses terminal injection (TIOCSTI)', async () => {
    const { report } = await run('escape-tiocsti.sh');
    assert.match(blockedText(report), /tty: terminal input injection \(TIOCSTI\) on fd 0: no terminal/);
    assert.doesNotMatch(report.stdout, /TIOCSTI worked/);
  });

  it('kills the whole sandbox at once on cancellation', async () => {
    const ac = new AbortController();
    const rec = namespaceRecorder();
    const t = Date.now();
    const p = runDryRun({ code: fixture('loop-forever.sh'), language: 'bash', workspaceDir: ws, limits: { timeMs: 20_000 }, signal: ac.signal, onEvent: rec.onEvent });
    setTimeout(() => ac.abort(), 500);
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - t < 2000, `cancellation took ${Date.now() - t} ms`);
    assert.equal(rec.namespaces.length, 1);
    assert.deepEqual(sandboxProcesses(rec.namespaces, 'sleep 1001'), []);
  });
});
