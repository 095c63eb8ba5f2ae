/**
 * The npm package as a user gets it: `npm pack` of the staged @fang-dev/fang, installed alone into
 * an empty folder with --omit=dev, then `fang scan`, `fang hook` and a TypeScript `fang dry-run`
 * (real bubblewrap) run from there; and the GitHub Action's own shell steps run against it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import { fileUri, LspClient } from '../lsp/client';
import { ROOT } from '../unit/helpers';
import { sarifSchema } from '../unit/sarif-schema';
import { LANGUAGES } from '../../src/core/languages';

// Node's own import(): TypeScript's CommonJS output would turn it into require(), which cannot load .mjs.
const importEsm = new Function('u', 'return import(u)') as (u: string) => Promise<any>;

interface Packed {
  tarball: string;
  files: string[];
}

const ROOT_PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function run(cmd: string, args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', env: opts.env ?? process.env, timeout: 120000 });
  if (r.error) throw r.error;
  return r;
}

describe('the npm package @fang-dev/fang', function () {
  this.timeout(240000);
  let mod: { NPM_NAME: string; NPM_FILES: string[]; RUNTIME_DEPENDENCIES: string[]; packNpm(o: object): Packed };
  let packed: Packed;
  let project: string;
  let fangBin: string;

  before(async function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    mod = await importEsm(path.join(ROOT, 'scripts', 'npm-package.mjs'));
    packed = mod.packNpm({ build: false, out: fs.mkdtempSync(path.join(os.tmpdir(), 'fang-pack-')) });
    project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fang-installed-')));
    const npm = run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', packed.tarball], { cwd: project });
    assert.equal(npm.status, 0, `npm install of the tarball failed:\n${npm.stderr}`);
    fangBin = path.join(project, 'node_modules', '.bin', 'fang');
  });

  it('is scoped, keeps the command `fang`, and ships exactly what the CLI needs', () => {
    assert.equal(mod.NPM_NAME, '@fang-dev/fang');
    assert.deepEqual(packed.files, ['LICENSE', 'README.md', 'package.json', ...mod.NPM_FILES].sort());
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '@fang-dev', 'fang', 'package.json'), 'utf8'));
    assert.equal(installed.name, '@fang-dev/fang');
    assert.equal(installed.version, ROOT_PKG.version);
    assert.deepEqual(installed.bin, { fang: 'bin/fang.js' });
    assert.equal(installed.devDependencies, undefined);
    assert.deepEqual(Object.keys(installed.dependencies ?? {}), mod.RUNTIME_DEPENDENCIES);
    for (const k of ['license', 'repository', 'bugs', 'homepage', 'keywords']) assert.deepEqual(installed[k], ROOT_PKG[k], k);
    assert.ok(fs.existsSync(fangBin), 'node_modules/.bin/fang');
    assert.equal(ROOT_PKG.bin, undefined, 'the repository itself installs no `fang` that could shadow the package');
  });

  it('scans and answers a hook from the installed copy', () => {
    fs.writeFileSync(path.join(project, 'agent.sh'), fs.readFileSync(path.join(ROOT, 'examples', 'agent-loop.sh')));
    const v = run(fangBin, ['--version'], { cwd: project });
    assert.equal(v.stdout.trim(), ROOT_PKG.version);
    const scan = run(fangBin, ['scan', 'agent.sh', '--format', 'sarif'], { cwd: project });
    assert.equal(scan.status, 1, scan.stderr);
    const sarif = sarifSchema.parse(JSON.parse(scan.stdout));
    assert.ok(sarif.runs[0]!.results.some((r) => r.ruleId === 'bash-agent-loop'));
    const hook = run(fangBin, ['hook', 'claude-code'], {
      cwd: project,
      input: JSON.stringify({ session_id: 's', transcript_path: '/tmp/t', cwd: project, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'bash agent.sh' }, tool_use_id: 't' }),
    });
    assert.equal(hook.status, 0, hook.stderr);
    assert.equal(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision, 'deny');
  });

  it('scans a file of every language of the registry from the installed copy (each grammar is shipped)', () => {
    const dir = fs.mkdtempSync(path.join(project, 'langs-'));
    // `x = 1` parses in every language Fang reads
    const files = LANGUAGES.map((l) => `x-${l.id}.${l.extensions[0]}`);
    for (const f of files) fs.writeFileSync(path.join(dir, f), 'x = 1\n');
    const scan = run(fangBin, ['scan', ...files, '--format', 'json'], { cwd: dir });
    assert.equal(scan.status, 0, scan.stdout + scan.stderr);
    const out = JSON.parse(scan.stdout) as { files: { path: string; skipped?: unknown; notes?: unknown[] }[] };
    assert.deepEqual(out.files.map((f) => path.basename(f.path)).sort(), [...files].sort());
  });

  it('dry-runs a TypeScript snippet from the installed copy (real bubblewrap)', () => {
    fs.writeFileSync(path.join(project, 'greet.ts'), 'const who: string = "sandbox";\nconsole.log(`hello ${who}`);\n');
    const r = run(fangBin, ['dry-run', 'greet.ts', '--format', 'json'], { cwd: project });
    assert.equal(r.status, 0, `fang dry-run from the installed package failed (exit ${r.status}): ${r.stderr}`);
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.exitCode, 0);
    assert.match(report.stdout, /hello sandbox/);
    assert.ok(report.processes.some((p: { argv: string[] }) => p.argv.some((a) => /node/.test(a))), 'node ran inside the sandbox');
  });

  it('runs from `npm exec --package=<tarball>` in an empty folder, as npx does on a clean machine', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-npx-'));
    const r = run('npm', ['exec', '--yes', '--prefer-offline', `--package=${packed.tarball}`, '--', 'fang', '--version'], { cwd: empty });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), ROOT_PKG.version);
  });

  it('serves LSP from `npm exec -- file:<tarball> lsp --stdio` in an empty folder, as `npx @fang-dev/fang lsp --stdio` does, with rule pages inside the package', async () => {
    const empty = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fang-npx-lsp-')));
    const client = new LspClient({ workspaceFolder: empty, command: { cmd: 'npm', args: ['exec', '--yes', '--prefer-offline', '--', `file:${packed.tarball}`, 'lsp', '--stdio'], cwd: empty } });
    try {
      const init = await client.initialize();
      assert.equal(init.serverInfo?.name, 'fang');
      assert.equal(init.serverInfo?.version, ROOT_PKG.version);
      const uri = fileUri(path.join(empty, 'agent.sh'));
      client.open(uri, 'sh', fs.readFileSync(path.join(ROOT, 'examples', 'agent-loop.sh'), 'utf8'));
      const ds = await client.diagnostics(uri, (d) => d.length > 0);
      assert.ok(ds.some((d) => d.code === 'bash-agent-loop'), JSON.stringify(ds.map((d) => d.code)));
      for (const d of ds) {
        const page = fileURLToPath(d.codeDescription!.href);
        assert.ok(!page.startsWith(ROOT + path.sep), `the rule page ${page} must come from the installed package, not this checkout`);
        assert.ok(fs.existsSync(page), `rule page ${page} is missing from the package`);
      }
    } finally {
      assert.equal(await client.stop(), 0, client.stderr.join(''));
    }
  });

  it('the GitHub Action\'s steps write SARIF and fail on findings, with the package in place of the registry copy', () => {
    const action = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
    const steps = action.runs.steps as { id?: string; run?: string; env?: Record<string, string>; if?: string }[];
    const scan = steps.find((s) => s.id === 'scan')!;
    const fail = steps.find((s) => s.if === "inputs.fail-on != 'none'")!;
    const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fang-action-')));
    fs.mkdirSync(path.join(work, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'examples', 'agent-loop.sh'), path.join(work, 'scripts', 'agent.sh'));
    fs.writeFileSync(path.join(work, 'ok.sh'), 'echo fine\n');
    const output = path.join(work, 'github-output');
    fs.writeFileSync(output, '');
    const env = { ...process.env, GITHUB_OUTPUT: output, FANG_PACKAGE: packed.tarball, FANG_PATHS: 'scripts ok.sh', FANG_BASELINE: '', FANG_CONFIG: '', FANG_SARIF: 'out.sarif', FANG_FAIL_ON: 'warning' };
    const s = run('bash', ['-c', scan.run!], { cwd: work, env });
    assert.equal(s.status, 0, s.stderr);
    const sarif = sarifSchema.parse(JSON.parse(fs.readFileSync(path.join(work, 'out.sarif'), 'utf8')));
    const count = sarif.runs[0]!.results.length;
    assert.ok(count >= 3);
    assert.match(fs.readFileSync(output, 'utf8'), new RegExp(`^sarif-file=out\\.sarif\\nfindings=${count}\\n$`));
    const f = run('bash', ['-c', fail.run!], { cwd: work, env });
    assert.equal(f.status, 1, 'findings at or above warning fail the job');
    assert.match(f.stdout, /scripts\/agent\.sh:9:1: error bash-agent-loop/);
    // With the findings in a baseline, the job passes.
    fs.copyFileSync(path.join(work, 'out.sarif'), path.join(work, 'baseline.sarif'));
    const again = run('bash', ['-c', fail.run!], { cwd: work, env: { ...env, FANG_BASELINE: 'baseline.sarif' } });
    assert.equal(again.status, 0, again.stdout + again.stderr);
  });
});
