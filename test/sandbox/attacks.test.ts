/**
 * A snippet that attacks the sandbox itself (issue 9). Each test takes its evidence on the host:
 * canary files and a canary secret, listeners that count connections, host shared memory, the
 * run folder seen by another uid, descriptors opened before `fang` starts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseReport, runDryRun } from '../../src/sandbox';
import { HostCanaries, dryRun, fixture, namespaceRecorder, requireSandbox, sandboxProcesses, tempWorkspace, treeHash } from './helpers';
import { HostListeners, asUid, hostIp, peakShmemRise, startFang } from './host-probes';

const isRoot = process.getuid?.() === 0;
const runBase = (): string => path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), `fang-${process.getuid?.()}`);

describe('a snippet that attacks the sandbox (evidence on the host)', function () {
  this.timeout(60_000);
  let canaries: HostCanaries;
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    canaries = new HostCanaries();
    ws = tempWorkspace({ 'notes.txt': 'x\n' });
    // The sandbox's uid must reach node_modules when Fang runs as root.
    fs.chmodSync(ws, 0o755);
    canaries.snapshot();
  });
  afterEach(() => {
    canaries.assertUnchanged();
    canaries.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('item 1: descriptors fang inherits do not reach the snippet, whatever their numbers', async () => {
    const listeners = new HostListeners(path.join(canaries.dir, 'host.sock'));
    await listeners.start();
    await listeners.selfTest();
    const snippet = path.join(ws, 'fds.sh');
    fs.writeFileSync(snippet, fixture('attack-fds.sh', { __SOCKET__: 'host.sock' }));
    // A host file open for appending, and the hidden canary folder (secret, socket) as a folder descriptor.
    const append = fs.openSync(canaries.file, 'a');
    const folder = fs.openSync(canaries.dir, 'r');
    const before = treeHash(canaries.file);
    try {
      const { child, done } = startFang(['dry-run', snippet, '--format', 'json', '--workspace', ws, '--timeout', '8'], { 3: append, 7: folder, 11: append, 45: folder, 300: folder });
      assert.ok(child.pid);
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(treeHash(canaries.file), before, 'the snippet appended to a host file through an inherited descriptor');
      assert.ok(!r.stdout.includes(canaries.secret), 'the canary secret was read through an inherited folder descriptor');
      assert.equal(listeners.unixConnections, 0, 'the hidden host socket answered through an inherited folder descriptor');
      const out = (JSON.parse(r.stdout) as { stdout: string }).stdout;
      assert.doesNotMatch(out, /wrote to fd|listed fd|connected through/, out);
      // Inside, only the output and the trace channel are open.
      assert.match(out, /^open: 0 1 2 5$/m, out);
    } finally {
      fs.closeSync(append);
      fs.closeSync(folder);
      listeners.close();
    }
  });

  it('item 3: every writable mount, memfd, SysV shm and nested namespaces stay within the caps (host shared memory)', async () => {
    const tmpfsBytes = 16 * 1024 * 1024;
    const { result, rise } = await peakShmemRise(() => dryRun({ code: fixture('attack-memory.sh'), language: 'bash', workspaceDir: ws, limits: { tmpfsBytes, tmpfsInodes: 1024, timeMs: 15_000 } }));
    const out = result.report.stdout;
    // Four writable areas at 16 MB each, and slack for what other processes on the machine do
    // meanwhile; each channel tried 512 MB, so any one of them uncapped would exceed this.
    assert.ok(rise < 4 * tmpfsBytes + 192 * 1024 * 1024, `host shared memory rose by ${Math.round(rise / 2 ** 20)} MB during the run:\n${out}`);
    assert.doesNotMatch(out, /WRITABLE|memfd: 512|shmget: allowed|nested tmpfs: 512/, out);
    assert.match(out, /^inodes in \/tmp: (\d+)$/m);
    assert.ok(Number(/^inodes in \/tmp: (\d+)$/m.exec(out)![1]) <= 1024, out);
    assert.ok(result.report.limitsHit.includes('disk'), result.report.limitsHit.join(','));
  });

  it('item 3: the whole sandbox is bound by a memory cgroup where the machine has one, and the report names it', async function () {
    const { report } = await dryRun({
      code: 'for i in 1 2 3 4 5 6; do perl -e \'$x = "a" x (200 << 20); sleep 4\' & done; wait; echo done',
      language: 'bash',
      workspaceDir: ws,
      limits: { memoryTotalBytes: 256 * 1024 * 1024, timeMs: 8000 },
    });
    const bound = report.memoryBound!;
    if (bound.kind === 'none') assert.fail(`no memory cgroup on this machine (${bound.detail}); run the suite as root (CI does) or in a systemd user session`);
    assert.equal(bound.limitBytes, 256 * 1024 * 1024);
    // Six processes of 200 MB cannot all live under 256 MB: the kernel ended some.
    assert.ok(bound.oomKills > 0, JSON.stringify(bound));
    assert.ok(bound.peakBytes !== null && bound.peakBytes <= 256 * 1024 * 1024, JSON.stringify(bound));
    assert.ok(report.limitsHit.includes('memory'));
  });

  it('item 5: the run folder is private while it lasts (checked as nobody), and gone afterwards', async () => {
    fs.writeFileSync(path.join(ws, 'private.txt'), `${canaries.secret}\n`, { mode: 0o600 });
    const checks: string[] = [];
    let runDir = '';
    const rec = namespaceRecorder();
    await runDryRun({
      code: 'cat private.txt >/dev/null && echo readable-inside',
      language: 'bash',
      workspaceDir: ws,
      onEvent: (e) => {
        rec.onEvent(e);
        if (e.type !== 'sandbox') return;
        const base = runBase();
        const runs = fs.readdirSync(base).filter((n) => n.startsWith(`run-${process.pid}-`));
        assert.equal(runs.length, 1, runs.join(','));
        runDir = path.join(base, runs[0]!);
        const fang = path.join(runDir, 'fang');
        const st = fs.statSync(fang);
        checks.push(`base mode ${(fs.statSync(base).mode & 0o777).toString(8)}`, `fang mode ${(st.mode & 0o777).toString(8)}`, `seed file mode ${(fs.statSync(path.join(fang, 'seed', 'private.txt')).mode & 0o777).toString(8)}`);
        if (isRoot) assert.ok(st.uid !== 0 && st.uid !== 65534, `the sandbox's uid is ${st.uid}`);
        for (const p of [base, runDir, fang, path.join(fang, 'seed')]) {
          const r = asUid(65534, ['ls', p]);
          assert.notEqual(r.status, 0, `nobody could list ${p}: ${r.out}`);
        }
        const r = asUid(65534, ['cat', path.join(fang, 'seed', 'private.txt')]);
        assert.notEqual(r.status, 0, 'nobody could read the copy of a 0600 file');
        assert.ok(!r.out.includes(canaries.secret));
      },
    });
    assert.deepEqual(checks, [`base mode ${isRoot ? 711 : 700}`, 'fang mode 700', 'seed file mode 600']);
    assert.ok(runDir && !fs.existsSync(runDir), 'the run folder outlived the run');
  });

  it('item 5: a killed fang leaves no run folder, cgroup or process behind, and stale folders are swept', async () => {
    const base = runBase();
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    const stale = path.join(base, 'run-4194999-1-stale0');
    fs.mkdirSync(stale, { recursive: true });
    const snippet = path.join(ws, 'wait.sh');
    fs.writeFileSync(snippet, 'sleep 1004\n');
    const { child, done } = startFang(['dry-run', snippet, '--workspace', ws, '--timeout', '30']);
    const mine = (): string[] => (fs.existsSync(base) ? fs.readdirSync(base).filter((n) => n.startsWith(`run-${child.pid}-`)) : []);
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (const t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 25))) if (Date.now() - t > 10_000) assert.fail(`timed out waiting: ${what}`);
    };
    await until('the sandbox to start', () => mine().length === 1 && sandboxProcesses([], 'sleep 1004').length > 0);
    assert.ok(!fs.existsSync(stale), 'a stale run folder was not swept on start');
    child.kill('SIGKILL');
    await done;
    await until('the run folder to go', () => mine().length === 0);
    await until('the sandbox processes to go', () => sandboxProcesses([], 'sleep 1004').length === 0);
  });

  it('item 6: host unix sockets (on a path and abstract) and host listeners (127.0.0.1, ::1, the host\'s address) record no connection; the report lists every attempt', async () => {
    fs.mkdirSync(path.join(ws, 'node_modules'), { mode: 0o755 });
    const listeners = new HostListeners(path.join(ws, 'node_modules', '.fang-host.sock'));
    await listeners.start();
    await listeners.selfTest();
    try {
      const ip = hostIp() ?? '127.0.0.1';
      const code = fixture('attack-sockets.sh', { __HOST_IP__: ip, __TCP_PORT__: String(listeners.tcpPort), __UDP_PORT__: String(listeners.udpPort), __ABSTRACT__: listeners.abstractName });
      const { report } = await dryRun({ code, language: 'bash', workspaceDir: ws });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(listeners.unixConnections, 0, 'a host unix socket answered the sandbox');
      assert.equal(listeners.tcpConnections, 0, 'the host TCP listener was reached');
      assert.equal(listeners.udpDatagrams, 0, 'the host UDP socket got a datagram');
      assert.doesNotMatch(report.stdout, /CONNECTED|dgram pair: allowed/, report.stdout);
      const net = report.network.map((n) => `${n.protocol} ${n.host}:${n.port}`);
      assert.ok(report.network.some((n) => n.protocol === 'unix' && n.blocked), net.join('\n'));
      assert.ok(net.includes(`tcp 127.0.0.1:${listeners.tcpPort}`), net.join('\n'));
      assert.ok(net.includes(`tcp ::1:${listeners.tcpPort}`), net.join('\n'));
      assert.ok(net.includes(`tcp ${ip}:${listeners.tcpPort}`) || ip === '127.0.0.1', net.join('\n'));
      assert.ok(net.some((x) => x.startsWith('udp ') && x.endsWith(`:${listeners.udpPort}`)), net.join('\n'));
    } finally {
      listeners.close();
    }
  });

  it('item 7: forged trace lines are dropped and the verdict says the trace was tampered with', async () => {
    const snippet = path.join(ws, 'forge.sh');
    fs.writeFileSync(snippet, fixture('attack-trace.sh'));
    const r = await startFang(['dry-run', snippet, '--format', 'json', '--workspace', ws]).done;
    assert.equal(r.code, 0, r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    assert.match(report.stdout, /still here/);
    assert.match(report.verdict, /TRACE TAMPERED WITH: \d+ forged or malformed lines? dropped/);
    assert.ok((report.traceTampered ?? 0) >= 4, String(report.traceTampered));
    assert.ok(!report.processes.some((p) => p.argv[0] === 'evil' || p.pid === 1), 'a forged process made it into the report');
  });

  it('item 8: hostile wrapper names in the snippet never break the launch', async () => {
    const passwd = treeHash('/etc/passwd');
    const { report } = await dryRun({ code: fixture('attack-names.sh'), language: 'bash', workspaceDir: ws });
    assert.match(report.stdout, /^launched: 0$/m, `${report.stderr}\n${report.notes.join('\n')}`);
    assert.equal(treeHash('/etc/passwd'), passwd);
    for (const name of ['/proc/self/exe', '/bin/bash', '/dev/null', '/run/fang/init.sh', './../../etc', './']) {
      assert.ok(report.notes.some((n) => n.startsWith(`${name}: named as a model command, but`)), `${name}: ${report.notes.join('\n')}`);
    }
  });

  it('item 9: a report bomb gives a bounded report in time, with what was dropped counted, and the stub survives malformed DNS', async () => {
    const snippet = path.join(ws, 'bomb.sh');
    fs.writeFileSync(snippet, fixture('attack-bomb.sh'));
    const t = Date.now();
    const { child, done } = startFang(['dry-run', snippet, '--format', 'json', '--workspace', ws, '--timeout', '8']);
    let peakRss = 0;
    const timer = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024);
      } catch {
        /* exited */
      }
    }, 50);
    const r = await done.finally(() => clearInterval(timer));
    const elapsed = Date.now() - t;
    assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    assert.ok(elapsed < 8000 + 4000, `fang took ${elapsed} ms for an 8 s run`);
    assert.ok(r.stdout.length < 9 * 1024 * 1024, `the report is ${r.stdout.length} bytes`);
    assert.ok(peakRss < 700 * 1024 * 1024, `fang peaked at ${Math.round(peakRss / 2 ** 20)} MB`);
    const report = parseReport(JSON.parse(r.stdout));
    assert.match(report.stdout, /^stub answer$/m, 'the stub server did not answer after the malformed DNS packets');
    assert.ok(report.network.some((n) => /malformed DNS packet/.test(n.host)), report.network.map((n) => n.host).join('\n'));
    assert.ok(report.modelCalls.length > 0 && report.modelCalls.every((c) => c.prompt.length < 9000 && (c.argv ?? []).every((a) => a.length < 1100)));
    assert.ok(report.processes.every((p) => p.argv.every((a) => a.length < 1100)));
    assert.ok(report.dropped && Object.keys(report.dropped).length > 0, JSON.stringify(report.dropped));
  });

  it('item 10: a flood of files does not hide a change in the home; a listing that is cut says so', async () => {
    const code = 'echo "bash ~/evil &" >> ~/.bashrc\nmkdir flood && cd flood && i=0\nwhile : > "f$i" 2>/dev/null; do i=$((i + 1)); done\necho "files: $i"\nsleep 1005\n';
    const { report } = await dryRun({ code, language: 'bash', workspaceDir: ws, limits: { tmpfsInodes: 1024, timeMs: 8000 } }, 'sleep 1005');
    assert.ok(report.fileChanges.some((f) => f.area === 'home' && f.path.endsWith('/.bashrc')), report.verdict);
    // The inode cap ends the flood; the listing then names every file it made.
    const made = Number(/^files: (\d+)$/m.exec(report.stdout)?.[1]);
    assert.ok(made > 1000 && made < 1100, report.stdout);
    const incomplete = report.notes.some((n) => /file listing could not finish/.test(n));
    if (incomplete) assert.match(report.verdict, /FILE LISTING INCOMPLETE/);
    else assert.equal(report.fileChanges.filter((f) => f.area === 'workspace' && f.path.startsWith('flood/')).length, made, report.verdict);
    assert.doesNotMatch(report.verdict, /^0 model calls; \d+ process(es)?; 0 files/);
  });

  it('item 4: secrets in the workspace stay on the host unless named, and the report lists what was left out', async () => {
    const secretWs = tempWorkspace({
      '.env': `TOKEN=${canaries.secret}\n`,
      '.env.local': `TOKEN=${canaries.secret}\n`,
      '.ssh/id_rsa': `-----BEGIN OPENSSH PRIVATE KEY-----\n${canaries.secret}\n`,
      'deploy/id_ed25519': `${canaries.secret}\n`,
      'certs/server.pem': `${canaries.secret}\n`,
      '.npmrc': `//registry.npmjs.org/:_authToken=${canaries.secret}\n`,
      'sub/.aws/credentials': `aws_secret_access_key=${canaries.secret}\n`,
      '.netrc': `machine x password ${canaries.secret}\n`,
      'src/app.ts': 'console.log(1)\n',
      'src/id_utils.ts': 'export {}\n',
      'plain.npmrc.txt': 'registry=https://registry.npmjs.org/\n',
    });
    const base = runBase();
    const scan = (): string[] => {
      // Every file the sandbox could read, on the host, while the run lasts.
      const hits: string[] = [];
      for (const e of fs.readdirSync(base, { recursive: true, withFileTypes: true })) {
        const p = path.join(e.parentPath, e.name);
        if (e.isFile() && fs.readFileSync(p, 'utf8').includes(canaries.secret)) hits.push(p);
      }
      return hits;
    };
    try {
      let seen: string[] | null = null;
      const code = 'grep -rl FANG-SECRET . 2>/dev/null; cat .env .ssh/id_rsa 2>&1 | head -2; ls src';
      const report = await runDryRun({ code, language: 'bash', workspaceDir: secretWs, onEvent: (e) => e.type === 'sandbox' && (seen = scan()) });
      assert.deepEqual(seen, [], 'a secret was copied into the run folder');
      assert.ok(!report.stdout.includes(canaries.secret) && !report.stderr.includes(canaries.secret));
      assert.match(report.stdout, /app\.ts/);
      assert.deepEqual(report.secretsLeftOut, ['.env', '.env.local', '.netrc', '.npmrc', '.ssh/', 'certs/server.pem', 'deploy/id_ed25519', 'sub/.aws/']);
      // Named on purpose, a path is copied.
      let seenOnPurpose: string[] = [];
      const again = await runDryRun({ code: 'cat .env', language: 'bash', workspaceDir: secretWs, includeSecrets: ['.env'], onEvent: (e) => e.type === 'sandbox' && (seenOnPurpose = scan()) });
      assert.match(again.stdout, new RegExp(canaries.secret));
      assert.equal(seenOnPurpose.length, 1);
      assert.ok(!again.secretsLeftOut?.includes('.env'));
    } finally {
      fs.rmSync(secretWs, { recursive: true, force: true });
    }
  });

  it('item 4: a workspace that holds the home folder (or /home as root) is refused before anything runs', async () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-outer-'));
    const fakeHome = path.join(outer, 'home', 'me');
    fs.mkdirSync(path.join(fakeHome, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(fakeHome, '.ssh', 'id_rsa'), canaries.secret);
    const realHome = process.env.HOME;
    const rec = namespaceRecorder();
    try {
      process.env.HOME = fakeHome;
      for (const dir of [outer, path.join(outer, 'home'), fakeHome, '/']) {
        await assert.rejects(runDryRun({ code: 'cat ~/.ssh/id_rsa', language: 'bash', workspaceDir: dir, onEvent: rec.onEvent }), /refusing to use .* as the workspace: (it holds your home folder|it is your home folder|it is the whole filesystem)/, dir);
      }
      if (isRoot) await assert.rejects(runDryRun({ code: 'true', language: 'bash', workspaceDir: '/home', onEvent: rec.onEvent }), /holds every user's home folder/);
    } finally {
      process.env.HOME = realHome;
      fs.rmSync(outer, { recursive: true, force: true });
    }
    assert.equal(rec.namespaces.length, 0, 'a sandbox was started for a refused workspace');
  });

  it('the folders Fang makes for its own mounts (a home inside /tmp) are not reported as the snippet\'s', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-home-'));
    const realHome = process.env.HOME;
    try {
      process.env.HOME = home;
      const { report } = await dryRun({ code: 'echo hi > note.txt', language: 'bash' });
      assert.deepEqual(report.fileChanges.map((f) => `${f.kind} ${f.area} ${f.path}`), ['created workspace note.txt']);
    } finally {
      process.env.HOME = realHome;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
