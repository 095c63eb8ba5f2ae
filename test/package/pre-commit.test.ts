/**
 * The pre-commit hook under the real pre-commit (Debian's package): a hooks repository made of
 * this repository's manifest, lockfile, .npmrc and .pre-commit-hooks.yaml, with the registry
 * package replaced by the tarball `npm run package:npm` makes; a project with an agent loop
 * and a benign script. pre-commit installs the environment as it would for users (npm install,
 * npm pack, npm install -g), then runs `fang scan` on the staged files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../unit/helpers';

const importEsm = new Function('u', 'return import(u)') as (u: string) => Promise<any>;

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, timeout: 600000 });
  if (r.error) throw r.error;
  return r;
}

function gitRepo(dir: string, files: Record<string, string | Buffer>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'init']]) assert.equal(sh('git', args, dir, env).status, 0);
}

describe('the pre-commit hook (real pre-commit)', function () {
  this.timeout(900000);

  it('installs the package and fails the commit on an agent loop, naming it; passes on benign files', async () => {
    const version = sh('pre-commit', ['--version'], ROOT);
    if (version.status !== 0) throw new Error('pre-commit is not installed: apt-get install pre-commit');
    const { packNpm } = await importEsm(path.join(ROOT, 'scripts', 'npm-package.mjs'));
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-pre-commit-'));
    const { tarball } = packNpm({ build: false, out: base });

    const hooksFile = fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const registryDep = `'@fang-dev/fang@${pkg.version}'`;
    assert.ok(hooksFile.includes(registryDep), `.pre-commit-hooks.yaml names ${registryDep}`);
    const hooks = path.join(base, 'hooks');
    gitRepo(hooks, {
      '.pre-commit-hooks.yaml': hooksFile.replace(registryDep, `'${tarball}'`),
      'package.json': fs.readFileSync(path.join(ROOT, 'package.json')),
      'package-lock.json': fs.readFileSync(path.join(ROOT, 'package-lock.json')),
      '.npmrc': fs.readFileSync(path.join(ROOT, '.npmrc')),
    });
    const project = path.join(base, 'project');
    gitRepo(project, {
      'agent.sh': fs.readFileSync(path.join(ROOT, 'examples', 'agent-loop.sh')),
      'build.sh': '#!/bin/sh\nset -e\nnpm run build\n',
      'fix.py': 'import subprocess\nfrom openai import OpenAI\n\nanswer = OpenAI().responses.create(model="gpt-4o", input="a fix").output_text\nsubprocess.run(answer, shell=True)\n',
      'tidy.py': 'import subprocess\nsubprocess.run(["ruff", "format", "."])\n',
      'notes.md': '# Notes\n\n```ts\nconst x: number = 1;\n```\n',
    });
    const env = { ...process.env, PRE_COMMIT_HOME: path.join(base, 'cache'), NO_COLOR: '1' };
    const bad = sh('pre-commit', ['try-repo', hooks, 'fang', '--all-files', '--color', 'never'], project, env);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /fang scan\.+Failed/);
    assert.match(bad.stdout, /agent\.sh:9:1: error bash-agent-loop \[recursive-spawning\]/);
    assert.match(bad.stdout, /fix\.py:5:1: error py-model-output-exec \[model-output-execution\]/);
    assert.match(bad.stdout, /5 files scanned: 6 findings/, `the two shell scripts, the two Python files and the Markdown file were passed to one fang scan:\n${bad.stdout}`);

    for (const f of ['agent.sh', 'fix.py']) fs.rmSync(path.join(project, f));
    const good = sh('pre-commit', ['try-repo', hooks, 'fang', '--all-files', '--color', 'never'], project, env);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /fang scan\.+Passed/);
  });
});
