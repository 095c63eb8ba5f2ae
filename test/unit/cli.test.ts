/** `fang scan` as users and CI run it: the built bin/fang.js in a real process. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';
import { sarifSchema } from './sarif-schema';

const BIN = path.join(ROOT, 'bin', 'fang.js');

function fang(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('fang scan (CLI)', function () {
  this.timeout(30000);

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });

  it('prints the agent loop findings with file:line, rule, category, severity and the path; exits 1', () => {
    const r = fang(['scan', 'examples/agent-loop.sh']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /examples\/agent-loop\.sh:10:5: error bash-model-output-exec \[model-output-execution\]/);
    assert.match(r.stdout, /examples\/agent-loop\.sh:9:1: error bash-agent-loop \[recursive-spawning\]/);
    assert.match(r.stdout, /examples\/agent-loop\.sh:8:1: warning bash-model-cli-call \[self-invocation\]/);
    assert.match(r.stdout, /output of `\$RUN_AI` \(\.\/query-model\) \(line 10\) reaches `eval` \(line 10\)/);
    assert.match(r.stdout, /-> 10:13 model output produced by `\$RUN_AI`/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when not a terminal');
  });

  it('emits SARIF that follows the contract', () => {
    const r = fang(['scan', '--format', 'sarif', 'examples/agent-loop.sh']);
    assert.equal(r.code, 1);
    const sarif = sarifSchema.parse(JSON.parse(r.stdout));
    const results = sarif.runs[0]!.results;
    assert.deepEqual(new Set(results.map((x) => x.properties.category)), new Set(['self-invocation', 'model-output-execution', 'recursive-spawning']));
    const exec = results.find((x) => x.ruleId === 'bash-model-output-exec')!;
    assert.equal(exec.locations[0]!.physicalLocation.artifactLocation.uri, 'examples/agent-loop.sh');
    assert.deepEqual(exec.locations[0]!.physicalLocation.region.startLine, 10);
    assert.ok(exec.relatedLocations.length >= 2, 'the dataflow path is in relatedLocations');
    const ids = sarif.runs[0]!.tool.driver.rules.map((x) => x.id);
    for (const id of ['bash-model-output-exec', 'bash-agent-loop', 'analysis-incomplete']) assert.ok(ids.includes(id), id);
  });

  it('emits JSON with 1-based positions', () => {
    const r = fang(['scan', '--format', 'json', 'examples/agent-loop.sh']);
    const json = JSON.parse(r.stdout);
    const f = json.files[0].findings.find((x: { ruleId: string }) => x.ruleId === 'bash-model-output-exec');
    assert.equal(f.line, 10);
    assert.equal(f.column, 5);
    assert.equal(json.version, 1);
  });

  it('walks folders, skipping node_modules, .git and .gitignore entries, and finds scripts by shebang', () => {
    const dir = tempDir({
      '.gitignore': 'ignored/\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'a.sh': 'eval "$(llm "hi")"\n',
      'tool': '#!/bin/bash\nsgpt "x" | bash\n',
      'ignored/b.sh': 'eval "$(llm "hi")"\n',
      'node_modules/c.sh': 'eval "$(llm "hi")"\n',
      'notes.txt': 'eval "$(llm "hi")"\n',
    });
    const r = fang(['scan', '--format', 'json', '.'], dir);
    const paths = JSON.parse(r.stdout).files.map((f: { path: string }) => f.path).sort();
    assert.deepEqual(paths, ['a.sh', 'tool']);
  });

  it('maps Markdown fences back to document lines, console prompts stripped', () => {
    const dir = tempDir({
      'README.md': ['# Try this', '', '```console', '$ eval "$(llm "free disk space")"', 'Done.', '```', '', '```python', 'eval("x")', '```', ''].join('\n'),
    });
    const r = fang(['scan', '--format', 'json', 'README.md'], dir);
    const f = JSON.parse(r.stdout).files[0].findings.find((x: { ruleId: string }) => x.ruleId === 'bash-model-output-exec');
    assert.ok(f, r.stdout);
    assert.equal(f.line, 4);
    assert.equal(f.column, 3);
  });

  it('--fail-on and --rule/--exclude-rule change the result', () => {
    assert.equal(fang(['scan', '--fail-on', 'error', '--rule', 'bash-model-cli-call', 'examples/agent-loop.sh']).code, 0);
    assert.equal(fang(['scan', '--fail-on', 'none', 'examples/agent-loop.sh']).code, 0);
    const only = JSON.parse(fang(['scan', '--format', 'json', '--exclude-rule', 'bash-model-cli-call', 'examples/agent-loop.sh']).stdout);
    assert.ok(only.files[0].findings.every((f: { ruleId: string }) => f.ruleId !== 'bash-model-cli-call'));
  });

  it('starts without the sandbox: dry-run is a bundle of its own, loaded by `fang dry-run` only', () => {
    const cli = fs.readFileSync(path.join(ROOT, 'dist', 'cli.js'), 'utf8');
    assert.doesNotMatch(cli, /bubblewrap/, 'the scan/hook bundle must not carry the sandbox');
    assert.match(fs.readFileSync(path.join(ROOT, 'dist', 'dry-run.js'), 'utf8'), /bubblewrap/);
    const r = fang(['dry-run', 'no/such/snippet.sh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^fang dry-run: cannot read .*snippet\.sh/m, 'the message comes from the dry-run bundle');
  });

  it('dry-run parses its arguments like scan: --help on stdout with exit 0, an unknown option named with exit 2', () => {
    const help = fang(['dry-run', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: fang dry-run FILE/);
    const bad = fang(['dry-run', '--lang=bash', '--frob', 'x.sh']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--frob'/);
  });

  it('exits 2 with a clear message on bad usage and unreadable input', () => {
    const bad = fang(['scan', '--format', 'xml', 'examples']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be one of text, json, sarif/);
    const missing = fang(['scan', 'no/such/file.sh']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or directory/);
    const unknownRule = fang(['scan', '--rule', 'nope', 'examples']);
    assert.equal(unknownRule.code, 2);
    assert.match(unknownRule.stderr, /unknown rule "nope"/);
    assert.equal(fang(['frobnicate']).code, 2);
  });

  it('reads .fang.json: severities, extra model commands; an invalid key is named', () => {
    const dir = tempDir({
      '.fang.json': JSON.stringify({ rules: { 'bash-model-cli-call': 'off' }, modelCommands: ['brainy'] }),
      'x.sh': 'code=$(brainy "write code")\neval "$code"\n',
    });
    const r = JSON.parse(fang(['scan', '--format', 'json', 'x.sh'], dir).stdout);
    const ids = r.files[0].findings.map((f: { ruleId: string }) => f.ruleId);
    assert.deepEqual(ids, ['bash-model-output-exec']);
    // A mistake is named with its key and only the wrong entry is left out: the scan goes on.
    fs.writeFileSync(
      path.join(dir, '.fang.json'),
      JSON.stringify({ rules: { 'bash-model-cli-call': 'loud', 'bash-model-outptu-exec': 'off' }, categories: { 'self-invokation': 'off' }, modelCommands: ['brainy'] }),
    );
    const bad = fang(['scan', '--format', 'json', 'x.sh'], dir);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /rules\.bash-model-cli-call: expected one of "error", "warning", "note", "off"/);
    assert.match(bad.stderr, /rules\.bash-model-outptu-exec: no rule has the id "bash-model-outptu-exec"; did you mean "bash-model-output-exec"\?/);
    assert.match(bad.stderr, /categories\.self-invokation: unknown category; did you mean "self-invocation"\?/);
    const kept = JSON.parse(bad.stdout).files[0].findings.map((f: { ruleId: string }) => f.ruleId).sort();
    assert.deepEqual(kept, ['bash-model-cli-call', 'bash-model-output-exec'], 'the misspelt "off" turned nothing off; modelCommands still applies');
    // The same file, found from a subfolder (up to the repository root), judged the same way by every command.
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'sub', 'y.sh'), 'code=$(brainy "write code")\neval "$code"\n');
    const sub = fang(['scan', 'y.sh'], path.join(dir, 'sub'));
    assert.match(sub.stderr, /did you mean "bash-model-output-exec"/);
    assert.match(sub.stdout, /bash-model-output-exec/);
    const typo = fang(['scan', '--rule', 'bash-model-output-exce', 'x.sh'], dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown rule "bash-model-output-exce"; did you mean "bash-model-output-exec"\?/);
  });

  it('keeps what suppression comments hide visible: a count in text, the list on request, SARIF suppressions', () => {
    const dir = tempDir({
      'x.sh': ['#!/bin/bash', '# fang-ignore-file bash-model-output-exec -- reviewed in PR 12', 'eval "$(llm "a")"', '# fang-ignore-next-line bash-model-cli-call', 'llm "b"', ''].join('\n'),
    });
    const text = fang(['scan', 'x.sh'], dir);
    assert.equal(text.code, 1, 'the unsuppressed model call on line 3 still counts');
    assert.match(text.stdout, /x\.sh: 2 findings suppressed by comments in the code \(1 by fang-ignore-file\); --show-suppressed lists them/);
    assert.match(text.stdout, /, 2 suppressed in the code$/m);
    const shown = fang(['scan', '--show-suppressed', 'x.sh'], dir);
    assert.match(shown.stdout, /x\.sh:3:1: suppressed error bash-model-output-exec \[model-output-execution\] by fang-ignore-file on line 2 -- reviewed in PR 12/);
    assert.match(shown.stdout, /x\.sh:5:1: suppressed warning bash-model-cli-call \[self-invocation\] by fang-ignore-next-line on line 4 \(no reason given\)/);
    const json = JSON.parse(fang(['scan', '--format', 'json', 'x.sh'], dir).stdout);
    assert.equal(json.files[0].suppressedCount, 2);
    assert.equal(json.files[0].suppressed, undefined);
    const jsonAll = JSON.parse(fang(['scan', '--format', 'json', '--show-suppressed', 'x.sh'], dir).stdout);
    assert.deepEqual(jsonAll.files[0].suppressed.map((f: { ruleId: string; line: number; suppression: object }) => [f.ruleId, f.line, f.suppression]), [
      ['bash-model-output-exec', 3, { kind: 'fang-ignore-file', reason: 'reviewed in PR 12', line: 2 }],
      ['bash-model-cli-call', 5, { kind: 'fang-ignore-next-line', reason: null, line: 4 }],
    ]);
    const sarif = sarifSchema.parse(JSON.parse(fang(['scan', '--format', 'sarif', 'x.sh'], dir).stdout));
    const sup = sarif.runs[0]!.results.filter((r) => r.suppressions);
    assert.deepEqual(sup.map((r) => [r.ruleId, r.suppressions![0]!.kind, r.suppressions![0]!.justification]), [
      ['bash-model-output-exec', 'inSource', 'reviewed in PR 12'],
      ['bash-model-cli-call', 'inSource', ''],
    ]);
  });

  it('skips binary, oversized and over-budget files with a note in every format, never as clean', () => {
    const dir = tempDir({
      'bin.sh': Buffer.from([0x23, 0x21, 0x2f, 0x62, 0x69, 0x6e, 0x2f, 0x73, 0x68, 0x0a, 0, 1, 2, 3]),
      'big.sh': `#!/bin/sh\n${'echo hello world\n'.repeat(70000)}`,
    });
    const text = fang(['scan', 'bin.sh', 'big.sh'], dir);
    assert.match(text.stdout, /bin\.sh: skipped: binary file/);
    assert.match(text.stdout, /big\.sh: skipped: 1\.1 MB is over the 1\.0 MB size cap/);
    assert.match(text.stdout, /0 files scanned, 2 skipped/);
    const sarif = sarifSchema.parse(JSON.parse(fang(['scan', '--format', 'sarif', 'bin.sh', 'big.sh'], dir).stdout));
    assert.equal(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.length, 2);
    const json = JSON.parse(fang(['scan', '--format', 'json', 'bin.sh'], dir).stdout);
    assert.equal(json.files[0].skipped.reason, 'binary');
    fs.writeFileSync(path.join(dir, '.fang.json'), JSON.stringify({ analysisBudgetMs: 1 }));
    fs.writeFileSync(path.join(dir, 'slow.sh'), `#!/bin/sh\n${'if true; then echo "$(date)"; fi\n'.repeat(20000)}`);
    assert.match(fang(['scan', 'slow.sh'], dir).stdout, /slow\.sh: skipped: parsing did not finish within the 1 ms time budget \(analysisBudgetMs\)/);
  });

  it('skips named pipes and devices with a note instead of hanging or dropping them, and checks the size cap before reading', () => {
    const dir = tempDir({ 'ok.sh': 'eval "$(llm "fix it")"\n' });
    const mk = spawnSync('mkfifo', [path.join(dir, 'pipe.sh'), path.join(dir, 'named-pipe')]);
    assert.equal(mk.status, 0, `mkfifo failed: ${mk.stderr}`);
    // 3 GB that take no disk: read, they would take the memory and the time.
    fs.closeSync(fs.openSync(path.join(dir, 'huge.sh'), 'w'));
    fs.truncateSync(path.join(dir, 'huge.sh'), 3 * 1024 ** 3);
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'json', '.', 'named-pipe', '/dev/zero'], { cwd: dir, encoding: 'utf8', timeout: 20000 });
    assert.equal(r.error, undefined, 'fang scan hung on a pipe or a device');
    assert.equal(r.status, 1, r.stderr);
    assert.ok(Date.now() - started < 15000);
    const files = JSON.parse(r.stdout).files as { path: string; skipped?: { reason: string; message: string }; findings: unknown[] }[];
    const byPath = new Map(files.map((f) => [f.path, f]));
    assert.equal(byPath.get('pipe.sh')?.skipped?.reason, 'not-a-file', 'a pipe found in a folder');
    assert.match(byPath.get('pipe.sh')!.skipped!.message, /is a named pipe/);
    assert.equal(byPath.get('named-pipe')?.skipped?.reason, 'not-a-file', 'a pipe named on the command line');
    const dev = files.find((f) => f.path.endsWith('dev/zero'));
    assert.match(dev?.skipped?.message ?? '', /is a character device/);
    assert.equal(byPath.get('huge.sh')?.skipped?.reason, 'too-large');
    assert.match(byPath.get('huge.sh')!.skipped!.message, /3072\.0 MB is over the 1\.0 MB size cap \(maxFileBytes\)/);
    assert.equal(byPath.get('ok.sh')?.findings.length, 2);
  });
});
