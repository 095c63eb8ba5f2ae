/**
 * The real-world corpus without the network: its labels are well formed and its scoring counts
 * what it says. (`npm run corpus:real` fetches the packages and scores Fang on them.)
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers';

// Node's own import(): TypeScript's CommonJS output would turn it into require(), which cannot load .mjs.
const importEsm = new Function('u', 'return import(u)') as (u: string) => Promise<any>;
const load = (f: string) => importEsm(pathToFileURL(path.join(ROOT, 'scripts', f)).href);

describe('real-world corpus', () => {
  it('has at least 30 entries, positives and look-alikes, each with pinned provenance', async () => {
    const { loadCorpus } = await load('corpus-real.mjs');
    const corpus = loadCorpus(path.join(ROOT, 'test', 'corpus', 'real'));
    assert.ok(corpus.length >= 30, `only ${corpus.length} entries`);
    const kinds = new Set(corpus.map((e: { kind: string }) => e.kind));
    assert.deepEqual([...kinds].sort(), ['look-alike', 'positive']);
    const cats = new Set(corpus.flatMap((e: { labels: { category: string }[] }) => e.labels.map((l) => l.category)));
    assert.equal(cats.size, 3, `labels cover only ${[...cats].join(', ')}`);
  });

  it('scores findings against labels: accepted places are neither misses nor false positives', async () => {
    const { score, rates } = await load('corpus-score.mjs');
    const r = score([
      {
        id: 'a',
        labels: [
          { file: 'x.js', line: 3, category: 'model-output-execution' },
          { file: 'x.js', line: 9, category: 'self-invocation' },
        ],
        accept: [{ file: 'x.js', line: 4, category: 'model-output-execution' }],
        findings: [
          { file: 'x.js', line: 3, category: 'model-output-execution', ruleId: 'js-model-output-exec' },
          { file: 'x.js', line: 3, category: 'model-output-execution', ruleId: 'js-agent-loop' },
          { file: 'x.js', line: 4, category: 'model-output-execution', ruleId: 'js-model-output-exec' },
          { file: 'x.js', line: 7, category: 'recursive-spawning', ruleId: 'js-self-spawn' },
          { file: 'x.js', line: 9, category: 'model-output-execution', ruleId: 'analysis-incomplete' },
        ],
      },
    ]);
    assert.deepEqual(r.per['model-output-execution'], { tp: 1, fn: 0, fp: 0, labels: 1 });
    assert.deepEqual(r.per['self-invocation'], { tp: 0, fn: 1, fp: 0, labels: 1 });
    assert.deepEqual(r.per['recursive-spawning'], { tp: 0, fn: 0, fp: 1, labels: 0 });
    assert.deepEqual(rates(r.overall), { recall: 0.5, precision: 0.5 });
  });
});
