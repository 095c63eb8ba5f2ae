/** `fang scan` on TypeScript/JavaScript as users and CI run it: every extension, Markdown fences, SARIF. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';
import { sarifSchema } from './sarif-schema';

const BIN = path.join(ROOT, 'bin', 'fang.js');
const EXTENSIONS = ['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'mts', 'cts'];
const SNIPPET = [
  "import OpenAI from 'openai';",
  'const client = new OpenAI();',
  "const r = await client.responses.create({ model: 'gpt-4.1', input: 'one shell command' });",
  'eval(r.output_text);',
  '',
].join('\n');
const FENCES = ['ts', 'typescript', 'js', 'javascript', 'tsx', 'jsx'];

describe('fang scan on TypeScript and JavaScript (CLI)', function () {
  this.timeout(30000);
  let dir = '';

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-js-cli-'));
    for (const ext of EXTENSIONS) fs.writeFileSync(path.join(dir, `agent.${ext}`), SNIPPET);
    fs.writeFileSync(path.join(dir, 'README.md'), FENCES.map((f) => `## ${f}\n\n\`\`\`${f}\n${SNIPPET}\`\`\`\n`).join('\n'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads every listed extension and every fence, and the SARIF follows the contract', () => {
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'sarif', '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const sarif = sarifSchema.parse(JSON.parse(r.stdout));
    const run = sarif.runs[0]!;
    const ruleIds = run.tool.driver.rules.map((x) => x.id);
    for (const id of ['js-model-sdk-call', 'js-model-http-call', 'js-model-cli-spawn', 'js-model-output-exec', 'js-model-output-file-exec', 'js-agent-loop', 'js-self-spawn', 'js-unbounded-spawn', 'js-unbounded-fanout']) {
      assert.ok(ruleIds.includes(id), `tool.driver.rules lacks ${id}`);
    }
    const execs = run.results.filter((x) => x.ruleId === 'js-model-output-exec');
    const byFile = new Map<string, number[]>();
    for (const x of execs) {
      const loc = x.locations[0]!.physicalLocation;
      byFile.set(loc.artifactLocation.uri, [...(byFile.get(loc.artifactLocation.uri) ?? []), loc.region.startLine]);
      assert.equal(x.properties.category, 'model-output-execution');
      assert.equal(x.level, 'error');
      assert.ok(x.relatedLocations.length >= 2, 'the path from the model call to eval is in relatedLocations');
      assert.match(x.message.text, /output of `client\.responses\.create` \(line \d+\) reaches `eval` \(line \d+\)/);
    }
    for (const ext of EXTENSIONS) assert.deepEqual(byFile.get(`agent.${ext}`), [4], `agent.${ext}`);
    const mdLines = fs.readFileSync(path.join(dir, 'README.md'), 'utf8').split('\n').flatMap((l, i) => (l === 'eval(r.output_text);' ? [i + 1] : []));
    assert.equal(mdLines.length, FENCES.length);
    assert.deepEqual(byFile.get('README.md'), mdLines, 'one finding per fence, on the document line');
  });
});
