/** The extension's analysis client against the real worker: a stuck worker is replaced, nothing is lost. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnalysisClient } from '../../src/lsp/analysisClient';
import { ROOT } from './helpers';

const dist = path.join(ROOT, 'dist');

describe('analysis client', function () {
  this.timeout(30000);
  let client: AnalysisClient | undefined;
  afterEach(() => client?.dispose());

  before(() => {
    assert.ok(fs.existsSync(path.join(dist, 'worker.js')), 'dist/worker.js is missing: run `npm run build` first');
  });

  it('a worker that overruns its budget is replaced: the stuck document gets a time note, the queued ones real results', async () => {
    const log: string[] = [];
    let fatal = '';
    client = new AnalysisClient(path.join(__dirname, 'stuck-worker.js'), path.join(dist, 'wasm'), (m) => log.push(m), (m) => (fatal = m), { overrunMarginMs: () => 200 });
    const stuck = client.analyze('echo STUCK-WORKER\n', 'bash', { analysisBudgetMs: 300 }, '/w/stuck.sh');
    const queued = client.analyze('eval "$(llm "next")"\n', 'bash', {}, '/w/next.sh');
    const s = await stuck;
    assert.deepEqual(s.result.findings.map((f) => `${f.ruleId}(${f.budget})`), ['analysis-incomplete(time)']);
    assert.match(s.result.findings[0]!.message, /did not finish within its 300 ms time budget/);
    assert.ok(s.ms >= 500, `stopped after ${s.ms} ms, before budget and margin`);
    const q = await queued;
    assert.ok(q.result.findings.some((f) => f.ruleId === 'bash-model-output-exec'), JSON.stringify(q.result.findings));
    assert.equal(client.overruns, 1);
    // The new worker keeps serving; an overrun is not a crash and never switches analysis off.
    const again = await client.analyze('x=$(llm "a")\neval "$x"\n', 'bash', {});
    assert.ok(again.result.findings.some((f) => f.ruleId === 'bash-model-output-exec'));
    assert.equal(fatal, '');
    assert.ok(log.some((m) => /overran its 300 ms budget/.test(m)), log.join('\n'));
  });
});
