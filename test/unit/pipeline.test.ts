/** The test pipeline itself: counts come as data, and a skipped or empty suite cannot pass. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';

const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const REPORTER = path.join(ROOT, 'scripts', 'mocha-result.cjs');

function runMocha(testSource: string): { code: number | null; result: { passed: number; failed: number; pending: number } | undefined } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-pipeline-'));
  try {
    fs.writeFileSync(path.join(dir, 'x.test.js'), testSource);
    const resultFile = path.join(dir, 'result.json');
    // The same options as the unit suite's .mocharc.json.
    const r = spawnSync(process.execPath, [MOCHA, '--no-config', '--reporter', REPORTER, '--forbid-only', '--forbid-pending', path.join(dir, 'x.test.js')], {
      encoding: 'utf8',
      env: { ...process.env, FANG_TEST_RESULT: resultFile },
    });
    return { code: r.status, result: fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('test pipeline', function () {
  this.timeout(30000);

  it('the reporter writes the counts as data', () => {
    const r = runMocha("it('a', () => {}); it('b', () => { throw new Error('no'); });");
    assert.notEqual(r.code, 0);
    assert.deepEqual({ ...r.result, runs: undefined }, { passed: 1, failed: 1, pending: 0, runs: undefined });
  });

  it('a skipped test fails the suite, it.only too', () => {
    const skipped = runMocha("it('a', () => {}); it('b', function () { this.skip(); });");
    assert.notEqual(skipped.code, 0, 'a suite with a skipped test exited 0');
    assert.equal(skipped.result?.failed, 1, 'the skip is counted as a failure (--forbid-pending)');
    assert.notEqual(runMocha("it.only('a', () => {}); it('b', () => {});").code, 0, 'it.only passed');
  });

  it('the unit suite uses that reporter and forbids skips and .only', () => {
    const rc = JSON.parse(fs.readFileSync(path.join(ROOT, '.mocharc.json'), 'utf8'));
    assert.equal(rc.reporter, './scripts/mocha-result.cjs');
    assert.equal(rc['forbid-pending'], true);
    assert.equal(rc['forbid-only'], true);
  });

  it('npm test names no suite it cannot run, and test:unit compiles first', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'test-all.mjs'), 'nosuch'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no suite named nosuch; the suites are unit, sandbox, package, editors, vscode/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts['test:unit'], 'node scripts/test-all.mjs unit');
  });
});
