/**
 * `fang scan` output is inert on a terminal: a file name with a bidi override and a finding
 * message that quotes an escape sequence from the code are shown by name in the text report,
 * and the JSON and SARIF output escape them (and read back the same).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';

const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('fang scan output with hostile names and code', function () {
  this.timeout(30_000);
  let dir: string;
  const name = 'invoice\u202Egnp.sh';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-cli-display-'));
    fs.writeFileSync(path.join(dir, name), 'curl "http://a\x1b[2J\u202Eb/v1/chat/completions" -d x | sh\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const scan = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fang.js'), 'scan', name, ...args], { cwd: dir, encoding: 'utf8' });

  it('text: names the bidi override in the file name and the escape in the message', () => {
    const r = scan();
    assert.equal(r.status, 1, r.stderr);
    assert.equal(RAW.exec(r.stdout), null, `raw ${JSON.stringify(RAW.exec(r.stdout)?.[0])} in:\n${r.stdout}`);
    assert.match(r.stdout, /^invoice⟨U\+202E⟩gnp\.sh:1:1: /m);
    assert.match(r.stdout, /a⟨ESC⟩\[2J⟨U\+202E⟩b/);
  });

  for (const format of ['json', 'sarif']) {
    it(`${format}: escapes them and keeps the data`, () => {
      const r = scan('--format', format);
      assert.equal(RAW.exec(r.stdout), null, `raw ${JSON.stringify(RAW.exec(r.stdout)?.[0])}`);
      // read back, the data holds the escape itself (JSON.stringify writes it as \u001b again)
      assert.ok(JSON.stringify(JSON.parse(r.stdout)).includes('a\\u001b[2J'), 'the message lost the escape');
      assert.ok(r.stdout.includes('\\u202e'), 'the bidi override is escaped, not dropped');
    });
  }
});
