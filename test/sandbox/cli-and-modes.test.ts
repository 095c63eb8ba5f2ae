/**
 * `fang dry-run` as a user calls it, the adversarial mode, and the fork bomb contained both when
 * Fang runs as root and when it runs as an unprivileged user.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { parseReport, runDryRun } from '../../src/sandbox';
import { SNIPPET_LANGUAGES } from '../../src/core/languages';
import { FIXTURES, cli, dryRun, fixture, namespaceRecorder, requireSandbox, sandboxProcesses, tempWorkspace } from './helpers';

describe('fang dry-run (CLI, real bubblewrap)', function () {
  this.timeout(120_000);
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    ws = tempWorkspace({ 'notes.txt': 'x\n' });
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('prints a versioned JSON report that validates, and exits 0', async () => {
    const r = await cli([path.join(FIXTURES, 'agent-loop.sh'), '--format', 'json', '--workspace', ws, '--timeout', '5']);
    assert.equal(r.code, 0, r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    assert.equal(report.version, 1);
    assert.equal(report.modelCalls.length, 4);
    assert.equal(report.limits.timeMs, 5000);
  });

  it('prints the text report with the verdict, the tree and the calls', async () => {
    const r = await cli([path.join(FIXTURES, 'agent-loop.sh'), '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Verdict: 4 model calls, 3 of them produced code that was executed;.*agent loop/m);
    assert.match(r.stdout, /line 5: \[model\] \.\/query-model/);
    assert.match(r.stdout, /line 7: answer of #2 ran through eval/);
  });

  it('exits 0 whatever the snippet\'s own status, which the report carries', async () => {
    const file = path.join(ws, 'fails.sh');
    fs.writeFileSync(file, 'echo before\nexit 7\n');
    const r = await cli([file, '--format', 'json', '--workspace', ws]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseReport(JSON.parse(r.stdout)).exitCode, 7);
  });

  it('exits 2 with a clear message on unusable input', async () => {
    const txt = path.join(ws, 'notes.txt');
    const badYaml = path.join(ws, 'r.yaml');
    fs.writeFileSync(badYaml, 'responses:\n  - when: x\n');
    const cases: Array<[string[], RegExp]> = [
      [[path.join(ws, 'missing.sh')], /cannot read .*missing\.sh: it does not exist/],
      [[txt], /cannot tell the language of .*notes\.txt; pass --lang/],
      [[txt, '--lang', 'bash', '--format', 'xml'], /--format must be text or json/],
      [[txt, '--lang', 'bash', '--timeout', 'soon'], /--timeout needs a number/],
      [[txt, '--lang', 'bash', '--responses', badYaml], /r\.yaml: not a valid response script/],
      [[], /no snippet file given/],
      [[txt, '--frob'], /Unknown option '--frob'/],
      [[txt, '--timeout'], /Option '--timeout <value>' argument missing/],
      [[txt, '--lang', 'cobol'], new RegExp(`--lang must be one of ${SNIPPET_LANGUAGES.join(', ')} \\(got "cobol"\\)`)],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')} exited ${r.code}`);
      assert.match(r.stderr, msg);
      assert.equal(r.stdout, '');
    }
  });

  it('--adversarial: every hostile answer is executed by the agent loop and contained', async () => {
    // Eight runs (the plain one and one per hostile answer); each must end within its limit + 1 s.
    const rec = namespaceRecorder();
    const report = await runDryRun({ code: fixture('agent-loop.sh'), language: 'bash', workspaceDir: ws, adversarial: true, limits: { timeMs: 3000 }, onEvent: rec.onEvent });
    assert.equal(rec.namespaces.length, 8, 'one sandbox per run');
    assert.deepEqual(sandboxProcesses(rec.namespaces), []);
    const outcomes = report.adversarial ?? [];
    assert.deepEqual(outcomes.map((o) => o.name), ['write-outside-workspace', 'read-ssh-keys', 'network-call', 'spawn-itself', 'fork-bomb', 'curl-pipe-sh', 'crontab-persistence']);
    for (const o of outcomes) {
      assert.ok(o.executed, `${o.name}: not executed (${o.verdict})`);
      assert.ok(o.contained, `${o.name}: not contained: ${o.evidence.join('; ')}`);
      assert.ok(o.evidence.length >= 2, `${o.name}: no evidence`);
    }
    assert.ok(outcomes.find((o) => o.name === 'fork-bomb')!.evidence.some((e) => /processes limit hit|refused by the process limit/.test(e)));
    // Judged on the host: listeners that must record nothing, a canary secret that must not come out.
    for (const o of outcomes) {
      assert.ok(o.evidence.some((e) => /^host listeners \(tcp .*\) recorded no connection$/.test(e)), `${o.name}: ${o.evidence.join('; ')}`);
      assert.ok(o.evidence.includes('the canary secret in the home did not reach the output or any prompt'), o.name);
    }
    const network = outcomes.find((o) => o.name === 'network-call')!;
    assert.match(network.answer, /http:\/\/[\d.]+:\d+\/collect/);
    assert.ok(network.evidence.some((e) => /example\.com/.test(e)), network.evidence.join('; '));
  });
});

describe('fork bomb containment by caller', function () {
  this.timeout(60_000);
  before(requireSandbox);

  it('contains a fork bomb when Fang runs as this user', async () => {
    const { report } = await dryRun({ code: fixture('fork-bomb.sh'), language: 'bash' });
    assert.ok(report.limitsHit.includes('processes'));
  });

  it('contains a fork bomb when Fang runs as an unprivileged user (nobody)', async function () {
    if (process.getuid?.() !== 0) {
      // Already unprivileged: the test above is this case. Say so instead of passing silently.
      assert.fail('run this suite as root to test both callers (CI does); as a user, the test above covers the unprivileged case');
    }
    // nobody may not be able to read this checkout (a clone under /root): give it a copy of
    // the compiled sandbox and the two packages it loads, in a folder everyone can read.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-nobody-'));
    fs.chmodSync(copy, 0o755);
    const outSrc = path.join(__dirname, '..', '..', 'src');
    const modules = path.join(__dirname, '..', '..', '..', 'node_modules');
    for (const [from, to] of [
      [path.join(outSrc, 'sandbox'), 'out/src/sandbox'],
      [path.join(outSrc, 'core', 'catalog.js'), 'out/src/core/catalog.js'],
      [path.join(outSrc, 'core', 'display.js'), 'out/src/core/display.js'],
      [path.join(outSrc, 'core', 'languages.js'), 'out/src/core/languages.js'],
      [path.join(modules, 'zod'), 'node_modules/zod'],
      [path.join(modules, 'yaml'), 'node_modules/yaml'],
    ] as const) fs.cpSync(from, path.join(copy, to), { recursive: true });
    for (const entry of fs.readdirSync(copy, { recursive: true, withFileTypes: true })) {
      fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
    }
    const index = path.join(copy, 'out', 'src', 'sandbox', 'index.js');
    const script = `const ns = []; require(${JSON.stringify(index)}).runDryRun({ code: ${JSON.stringify(fixture('fork-bomb.sh'))}, language: 'bash', limits: { timeMs: 3000 }, onEvent: (e) => e.type === 'sandbox' && ns.push(e.pidNamespace) })
      .then((r) => console.log(JSON.stringify({ uid: process.getuid(), limitsHit: r.limitsHit, ms: r.durationMs, backend: r.backend.isolation, ns })), (e) => { console.error(e.message); process.exit(3); });`;
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '-e', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' },
      cwd: os.tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, 'close').finally(() => fs.rmSync(copy, { recursive: true, force: true }))) as [number];
    assert.equal(code, 0, err);
    const r = JSON.parse(out) as { uid: number; limitsHit: string[]; ms: number; backend: string[]; ns: string[] };
    assert.equal(r.uid, 65534);
    assert.ok(r.limitsHit.includes('processes'), out);
    assert.ok(r.ms <= 4000);
    assert.match(r.backend.join(' '), /host uid 65534/);
    assert.equal(r.ns.length, 1);
    assert.deepEqual(sandboxProcesses(r.ns), []);
  });
});
