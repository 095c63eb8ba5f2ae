/**
 * Shared by the sandbox suites: real bubblewrap is required (a missing one fails the suite with
 * what to install), host canaries are hashed before and after each run, and no sandbox process
 * may outlive its run.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { dryRunCommand } from '../../src/cli/dry-run';
import { detectBackend, runDryRun, type DryRunOptions, type DryRunReport, type TraceEvent } from '../../src/sandbox';

export const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'dryrun');
/** Short limits keep the suite quick; the containment claims are the same at any limit. */
export const TEST_TIME_MS = 5000;

/** Fails (never skips) when the machine cannot run the real sandbox. */
export async function requireSandbox(): Promise<void> {
  const b = await detectBackend();
  if (!b.available) {
    assert.fail(`the sandbox suite needs real bubblewrap and strace; install them (Debian: apt-get install bubblewrap strace). ${b.message}`);
  }
  if (b.name !== 'bubblewrap' || !b.strace) {
    assert.fail(`the sandbox suite needs bubblewrap with strace (apt-get install bubblewrap strace); found ${b.name}, strace ${b.strace ? 'present' : 'missing'}`);
  }
}

export function fixture(name: string, replace: Record<string, string> = {}): string {
  let text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  for (const [k, v] of Object.entries(replace)) text = text.split(k).join(v);
  return text;
}

/** Hash of a file or a whole folder (names, types, contents), or of its absence. */
export function treeHash(p: string): string {
  const h = crypto.createHash('sha256');
  const walk = (q: string, rel: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(q);
    } catch {
      h.update(`absent:${rel}\n`);
      return;
    }
    if (st.isDirectory()) {
      h.update(`dir:${rel}:${st.mode}\n`);
      for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n), `${rel}/${n}`);
    } else if (st.isSymbolicLink()) h.update(`link:${rel}:${fs.readlinkSync(q)}\n`);
    else h.update(`file:${rel}:${st.mode}:`).update(fs.readFileSync(q)).update('\n');
  };
  walk(p, '');
  return h.digest('hex');
}

/** A canary folder and a canary file in the real home, plus files snippets like to touch. */
export class HostCanaries {
  readonly id = crypto.randomBytes(6).toString('hex');
  readonly home = os.homedir();
  readonly dir = path.join(this.home, `.fang-canary-${this.id}`);
  readonly file = path.join(this.home, `.fang-canary-${this.id}.txt`);
  readonly secret = `FANG-SECRET-${crypto.randomBytes(8).toString('hex')}`;
  private readonly watched: string[];
  private before = '';

  constructor(extra: string[] = []) {
    fs.mkdirSync(path.join(this.dir, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'nested', 'keep.txt'), `canary ${this.id}\n`);
    fs.writeFileSync(path.join(this.dir, 'secret-key'), `${this.secret}\n`, { mode: 0o600 });
    fs.writeFileSync(this.file, `canary file ${this.id}\n`);
    this.watched = [this.dir, this.file, path.join(this.home, '.bashrc'), path.join(this.home, '.profile'), '/etc/passwd', '/etc/hostname', ...extra];
  }

  snapshot(): void {
    this.before = this.hash();
  }

  hash(): string {
    return this.watched.map((p) => `${p}=${treeHash(p)}`).join('\n');
  }

  assertUnchanged(): void {
    assert.equal(this.hash(), this.before, 'a host file or folder outside the sandbox changed');
  }

  replacements(): Record<string, string> {
    return { __CANARY_DIR__: this.dir, __CANARY_FILE__: this.file };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * Host processes still inside one of the given sandboxes (by PID namespace), or whose command
 * line carries the marker (a process that left its sandbox would show there).
 */
export function sandboxProcesses(namespaces: Iterable<string>, marker?: string): string[] {
  const ns = new Set(namespaces);
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (state === 'Z' || Number(pid) === process.pid) continue;
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const inNs = ns.has(fs.readlinkSync(`/proc/${pid}/ns/pid`));
      if (inNs || (marker && cmd.includes(marker))) found.push(`${pid} ${cmd}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** Collects the PID namespace of every sandbox a run starts (via its events). */
export function namespaceRecorder(): { namespaces: string[]; onEvent: (e: TraceEvent) => void } {
  const namespaces: string[] = [];
  return {
    namespaces,
    onEvent: (e) => {
      if (e.type === 'sandbox' && e.pidNamespace) namespaces.push(e.pidNamespace);
    },
  };
}

export interface TimedRun {
  report: DryRunReport;
  elapsedMs: number;
}

/** Runs a dry-run and checks what every run must satisfy: ended in time, nothing left behind. */
export async function dryRun(opts: DryRunOptions, marker?: string): Promise<TimedRun> {
  const limits = { timeMs: TEST_TIME_MS, ...opts.limits };
  const rec = namespaceRecorder();
  const t = Date.now();
  const report = await runDryRun({ ...opts, limits, onEvent: rec.onEvent });
  const elapsedMs = Date.now() - t;
  // The limit is enforced: the run ends at it, plus the teardown (stopping the tracer, reading the
  // trace) that a busy machine slows down; 3 s of margin, not an unbounded wait.
  assert.ok(elapsedMs <= limits.timeMs + 3000, `the run took ${elapsedMs} ms, more than the time limit (${limits.timeMs} ms) plus 3 s`);
  assert.equal(rec.namespaces.length, 1, 'the sandbox reported its PID namespace');
  assert.deepEqual(sandboxProcesses(rec.namespaces, marker), [], 'sandbox processes outlived the run');
  return { report, elapsedMs };
}

export function blockedText(r: DryRunReport): string {
  return r.blocked.map((b) => `${b.kind}: ${b.what}: ${b.detail}`).join('\n');
}

export function tempWorkspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-ws-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** `fang dry-run ARGV` as the CLI runs it, with its output collected; `isTTY` turns colour on. */
export async function cli(argv: string[], isTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await dryRunCommand(argv, { stdout, stderr, isTTY });
  return { code, stdout: out, stderr: err };
}
