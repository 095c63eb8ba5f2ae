/** `fang scan --baseline`: only what is new since an earlier SARIF report, through the built CLI. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fingerprints } from '../../src/core/fingerprint';
import type { Finding } from '../../src/core/types';
import { ROOT } from './helpers';
import { sarifSchema } from './sarif-schema';

const BIN = path.join(ROOT, 'bin', 'fang.js');

function fang(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const AGENT = fs.readFileSync(path.join(ROOT, 'examples', 'agent-loop.sh'), 'utf8');
const DEPLOY = '#!/bin/bash\nnotes=$(llm "write release notes")\necho "$notes"\nfix=$(llm "a command that fixes the build")\neval "$fix"\n';

function finding(ruleId: string, line: number): Finding {
  const at = { start: { line, column: 0 }, end: { line, column: 4 } };
  return { ruleId, category: 'model-output-execution', severity: 'error', message: 'm', range: at, path: [], confidence: 'high' };
}

describe('fingerprints', () => {
  it('survive lines added above and re-indentation, and change with the finding\'s own text or rule', () => {
    const before = fingerprints([finding('r', 1)], 'a\neval "$x"\n');
    assert.deepEqual(fingerprints([finding('r', 2)], 'new\nlines\n    eval   "$x"\n'), before);
    assert.notDeepEqual(fingerprints([finding('r', 1)], 'a\neval "$y"\n'), before);
    assert.notDeepEqual(fingerprints([finding('other', 1)], 'a\neval "$x"\n'), before);
  });

  it('tell apart the same line written twice in one file, whatever the order the findings come in', () => {
    const text = 'eval "$x"\neval "$x"\n';
    const [a, b] = fingerprints([finding('r', 0), finding('r', 1)], text);
    assert.notEqual(a, b);
    assert.deepEqual(fingerprints([finding('r', 1), finding('r', 0)], text), [b, a]);
  });
});

describe('fang scan --baseline', function () {
  this.timeout(30000);

  it('reports only findings not in the baseline, matched by rule, file and a fingerprint that survives unrelated edits', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-baseline-'));
    fs.mkdirSync(path.join(dir, 'ci'));
    fs.writeFileSync(path.join(dir, 'agent.sh'), AGENT);
    fs.writeFileSync(path.join(dir, 'ci', 'deploy.sh'), DEPLOY);
    const first = fang(['scan', '.', '--format', 'sarif'], dir);
    assert.equal(first.code, 1, first.stderr);
    const sarif = sarifSchema.parse(JSON.parse(first.stdout));
    const total = sarif.runs[0]!.results.length;
    assert.ok(total >= 6, `${total} findings in the baseline`);
    fs.writeFileSync(path.join(dir, 'fang-baseline.sarif'), first.stdout);

    const same = fang(['scan', '.', '--baseline', 'fang-baseline.sarif'], dir);
    assert.equal(same.code, 0, same.stdout);
    assert.match(same.stdout, /no findings/);
    assert.match(same.stderr, new RegExp(`${total} findings already in the baseline not reported`));

    // Unrelated edits: lines above, re-indentation, a new benign file.
    fs.writeFileSync(path.join(dir, 'agent.sh'), AGENT.replace('RUN_AI=./query-model', '# tuned\nset -u\nRUN_AI=./query-model').replace('    eval', '\t\teval'));
    fs.writeFileSync(path.join(dir, 'ci', 'deploy.sh'), `${DEPLOY.replace('#!/bin/bash\n', '#!/bin/bash\nset -euo pipefail\n\n')}echo done\n`);
    fs.writeFileSync(path.join(dir, 'build.sh'), '#!/bin/sh\nmake all\n');
    const edited = fang(['scan', '.', '--baseline', 'fang-baseline.sarif', '--format', 'json'], dir);
    assert.equal(edited.code, 0, edited.stdout);
    assert.deepEqual(JSON.parse(edited.stdout).files.flatMap((f: { findings: unknown[] }) => f.findings), []);

    // New findings: a new flow, and the same risky line written a second time.
    fs.appendFileSync(path.join(dir, 'ci', 'deploy.sh'), 'plan=$(llm "next step")\nbash -c "$plan"\neval "$fix"\n');
    const grown = fang(['scan', '.', '--baseline', 'fang-baseline.sarif', '--format', 'sarif'], dir);
    assert.equal(grown.code, 1);
    const fresh = sarifSchema.parse(JSON.parse(grown.stdout)).runs[0]!.results;
    const lines = fresh.map((r) => `${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine} ${r.ruleId}`).sort();
    assert.deepEqual(lines, ['ci/deploy.sh:10 bash-model-output-exec', 'ci/deploy.sh:11 bash-model-output-exec', 'ci/deploy.sh:9 bash-model-cli-call']);
    // The same finding in another file is not the baseline's.
    fs.writeFileSync(path.join(dir, 'ci', 'copy.sh'), DEPLOY);
    const copied = fang(['scan', 'ci/copy.sh', '--baseline', 'fang-baseline.sarif'], dir);
    assert.equal(copied.code, 1);
    assert.match(copied.stdout, /ci\/copy\.sh:5:1: error bash-model-output-exec/);
  });

  it('refuses a baseline that is not a SARIF report of Fang, naming what is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-baseline-'));
    fs.writeFileSync(path.join(dir, 'a.sh'), DEPLOY);
    fs.writeFileSync(path.join(dir, 'not.json'), 'hello');
    fs.writeFileSync(path.join(dir, 'other.sarif'), JSON.stringify({ version: '2.1.0', runs: [{ results: [{ ruleId: 'x', locations: [{ physicalLocation: { artifactLocation: { uri: 'a.sh' } } }] }] }] }));
    fs.writeFileSync(path.join(dir, 'v1.sarif'), JSON.stringify({ version: '1.0.0', runs: [] }));
    const cases: [string, RegExp][] = [
      ['missing.sarif', /cannot read baseline .*missing\.sarif/],
      ['not.json', /cannot read baseline .*not\.json/],
      ['v1.sarif', /is not a SARIF 2\.1\.0 report: version/],
      ['other.sarif', /has no "fang\/v1" fingerprints; write it with `fang scan --format sarif`/],
    ];
    for (const [file, message] of cases) {
      const r = fang(['scan', 'a.sh', '--baseline', file], dir);
      assert.equal(r.code, 2, file);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
