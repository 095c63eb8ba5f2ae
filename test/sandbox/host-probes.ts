/**
 * What the attack tests read on the host, never from the report: listeners that count every
 * connection (TCP on all addresses, UDP, a unix socket), the host's shared memory, the run
 * folder as another uid, and the real `fang` command started with descriptors of its own.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..', '..');
export const FANG_BIN = path.join(ROOT, 'bin', 'fang.js');

/** The host's first non-loopback IPv4 address, or null on a machine without one. */
export function hostIp(): string | null {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

/**
 * A TCP listener on every IPv4 address and one on ::1 (same port), a UDP socket, a unix socket on
 * a path and one in the abstract namespace (`@name`, which no mount hides), each counting what
 * reaches it.
 */
export class HostListeners {
  tcpConnections = 0;
  udpDatagrams = 0;
  unixConnections = 0;
  tcpPort = 0;
  udpPort = 0;
  /** The abstract socket's name, without the leading NUL. */
  readonly abstractName = `fang-host-${process.pid}-${Math.random().toString(16).slice(2)}`;
  private readonly tcp = net.createServer((s) => {
    this.tcpConnections++;
    s.destroy();
  });
  private readonly tcp6 = net.createServer((s) => {
    this.tcpConnections++;
    s.destroy();
  });
  private readonly abstract = net.createServer((s) => {
    this.unixConnections++;
    s.destroy();
  });
  private readonly udp = dgram.createSocket('udp4', () => this.udpDatagrams++);
  private readonly unix = net.createServer((s) => {
    this.unixConnections++;
    s.destroy();
  });
  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    this.tcp.listen(0, '0.0.0.0');
    await once(this.tcp, 'listening');
    this.tcpPort = (this.tcp.address() as net.AddressInfo).port;
    this.tcp6.listen(this.tcpPort, '::1');
    await once(this.tcp6, 'listening');
    this.abstract.listen(`\0${this.abstractName}`);
    await once(this.abstract, 'listening');
    this.udp.bind(0, '0.0.0.0');
    await once(this.udp, 'listening');
    this.udpPort = this.udp.address().port;
    fs.rmSync(this.socketPath, { force: true });
    this.unix.listen(this.socketPath);
    await once(this.unix, 'listening');
    fs.chmodSync(this.socketPath, 0o777);
  }

  /** Proves the listeners work: the host itself reaches each once, then the counts start at zero. */
  async selfTest(): Promise<void> {
    const probes = [
      [() => net.connect(this.tcpPort, '127.0.0.1'), 'tcp'],
      [() => net.connect(this.tcpPort, '::1'), 'tcp ::1'],
      [() => net.connect(this.socketPath), 'unix'],
      [() => net.connect(`\0${this.abstractName}`), 'abstract unix'],
    ] as const;
    for (const [connect, name] of probes) {
      const before = this.tcpConnections + this.unixConnections;
      const c = connect();
      await once(c, 'connect');
      c.destroy();
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(this.tcpConnections + this.unixConnections, before + 1, `the host ${name} listener does not count`);
    }
    const u = dgram.createSocket('udp4');
    await new Promise<void>((r) => u.send('x', this.udpPort, '127.0.0.1', () => r()));
    u.close();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(this.udpDatagrams, 1, 'the host udp listener does not count');
    this.tcpConnections = this.unixConnections = this.udpDatagrams = 0;
  }

  close(): void {
    this.tcp.close();
    this.tcp6.close();
    this.abstract.close();
    this.udp.close();
    this.unix.close();
    fs.rmSync(this.socketPath, { force: true });
  }
}

/** Shmem from /proc/meminfo in bytes: every tmpfs, memfd and SysV segment on the machine. */
export function hostShmem(): number {
  const m = /^Shmem:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Samples host shared memory while `run` lasts; returns the highest rise over the start. */
export async function peakShmemRise<T>(run: () => Promise<T>): Promise<{ result: T; rise: number }> {
  const start = hostShmem();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, hostShmem())), 20);
  try {
    const result = await run();
    return { result, rise: Math.max(peak, hostShmem()) - start };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a command as another uid (setpriv); returns its exit status and output. */
export function asUid(uid: number, cmd: string[]): { status: number | null; out: string } {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', ...cmd], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built `fang` command (bin/fang.js) with the given descriptors past 0-2. */
export function startFang(args: string[], extra: Record<number, number> = {}, env: NodeJS.ProcessEnv = process.env) {
  const top = Math.max(2, ...Object.keys(extra).map(Number));
  const stdio: StdioOptions = Array.from({ length: top + 1 }, (_, i) => (i === 0 ? 'ignore' : i <= 2 ? 'pipe' : (extra[i] ?? 'ignore')));
  const child = spawn(process.execPath, [FANG_BIN, ...args], { stdio, env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done };
}
