/**
 * The generic rule test: every rule has an annotated fixture; every `ruleid:` line is reported,
 * every `ok:` line is not, nothing unannotated is reported; every rule's bad example fires and
 * its good example does not.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzer, ROOT } from './helpers';
import { readAnnotations } from './annotations';
import type { RuleMeta } from '../../src/core/index';
import { LANGUAGES, languageById } from '../../src/core/languages';
import { ANALYSERS } from '../../src/core/analysers';
import { GENERIC_RULES } from '../../src/core/rules/index';

/** Rule fixtures: files under test/fixtures/<folder>/ named by a rule's id (other folders hold dry-run snippets and quick-fix cases). */
const fixtureRoot = path.join(ROOT, 'test', 'fixtures');
const ruleIds = new Set([...Object.values(ANALYSERS).flatMap((a) => a.rules), ...GENERIC_RULES].map((r) => r.meta.id));
const allFixtures = fs
  .readdirSync(fixtureRoot)
  .filter((d) => fs.statSync(path.join(fixtureRoot, d)).isDirectory())
  .flatMap((d) => fs.readdirSync(path.join(fixtureRoot, d)).map((f) => path.join(fixtureRoot, d, f)))
  .filter((f) => ruleIds.has(path.basename(f, path.extname(f))));

/** A rule's fixtures: files named by its id, in any language its analyser reads (<id>.tsx, <id>.js ...). */
function fixturesFor(meta: RuleMeta): string[] {
  const analyser = meta.language === 'any' ? undefined : languageById(meta.language)!.analyser;
  const exts = new Set(LANGUAGES.filter((l) => !analyser || l.analyser === analyser).flatMap((l) => l.extensions.map((e) => `.${e}`)));
  return allFixtures.filter((f) => path.basename(f, path.extname(f)) === meta.id && exts.has(path.extname(f))).sort();
}

describe('rules and their annotated fixtures', function () {
  this.timeout(30000);
  let rules: RuleMeta[] = [];

  before(async () => {
    rules = (await analyzer()).rules();
  });

  it('a rule reads facts, never another rule: no rule module imports another', () => {
    const dir = path.join(ROOT, 'src', 'core', 'rules');
    const ruleFiles = new Set([...ruleIds].map((id) => `${id}.ts`));
    const problems: string[] = [];
    for (const f of fs.readdirSync(dir).filter((x) => ruleFiles.has(x))) {
      for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '\.\/([\w-]+)'/g)) {
        if (ruleFiles.has(`${m[1]}.ts`)) problems.push(`${f} imports ${m[1]}`);
      }
    }
    assert.ok(ruleFiles.size >= 20, `only ${ruleFiles.size} rule files`);
    assert.deepEqual(problems, []);
  });

  it('there are rules in all three categories', () => {
    const cats = new Set(rules.map((r) => r.category));
    for (const c of ['self-invocation', 'model-output-execution', 'recursive-spawning']) assert.ok(cats.has(c as never), `no rule in ${c}`);
  });

  it('every rule has a fixture and a docs page of the same id', () => {
    const missing = rules.filter((r) => fixturesFor(r).length === 0).map((r) => r.id);
    assert.deepEqual(missing, [], `rules without a fixture: ${missing.join(', ')}`);
    const noDocs = rules.filter((r) => !fs.existsSync(path.join(ROOT, 'docs', 'rules', `${r.id}.md`))).map((r) => r.id);
    assert.deepEqual(noDocs, [], `rules without docs/rules/<id>.md: ${noDocs.join(', ')}`);
  });

  for (const file of allFixtures) {
    it(`fixture ${path.relative(ROOT, file)} matches its annotations`, async () => {
      const a = await analyzer();
      const text = fs.readFileSync(file, 'utf8');
      const { hits, oks } = readAnnotations(text);
      const own = path.basename(file, path.extname(file));
      const isMeta = own === 'analysis-incomplete';
      const minimum = isMeta ? 4 : 8;
      assert.ok((hits.get(own)?.size ?? 0) >= minimum, `${own}: needs at least ${minimum} ruleid annotations, has ${hits.get(own)?.size ?? 0}`);
      assert.ok((oks.get(own)?.size ?? 0) >= minimum, `${own}: needs at least ${minimum} ok annotations, has ${oks.get(own)?.size ?? 0}`);
      const result = a.analyze(text, { path: file });
      assert.equal(result.skipped, undefined, `fixture was skipped: ${result.skipped?.message}`);
      const checked = new Set([own, ...hits.keys(), ...oks.keys()]);
      const problems: string[] = [];
      for (const id of checked) {
        const got = new Set(result.findings.filter((f) => f.ruleId === id).map((f) => f.range.start.line));
        for (const l of hits.get(id) ?? []) if (!got.has(l)) problems.push(`missed ${id} on line ${l + 1}: ${text.split('\n')[l]!.trim()}`);
        for (const l of got) {
          if (hits.get(id)?.has(l)) continue;
          const f = result.findings.find((x) => x.ruleId === id && x.range.start.line === l)!;
          problems.push(`${oks.get(id)?.has(l) ? 'near miss reported' : 'unexpected'} ${id} on line ${l + 1}: ${text.split('\n')[l]!.trim()}  -- ${f.message}`);
        }
      }
      assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
    });
  }

  it("every rule's bad example fires and its good example does not", async () => {
    const a = await analyzer();
    const problems: string[] = [];
    for (const r of rules) {
      const lang = r.language === 'any' ? 'bash' : r.language;
      if (r.id === 'analysis-incomplete' || r.id === 'suppression-without-reason') {
        // written in Bash
      }
      const bad = a.analyze(r.example.bad, { language: lang });
      const good = a.analyze(r.example.good, { language: lang });
      if (bad.skipped) problems.push(`${r.id}: bad example skipped (${bad.skipped.message})`);
      if (!bad.findings.some((f) => f.ruleId === r.id)) problems.push(`${r.id}: bad example does not fire`);
      if (good.findings.some((f) => f.ruleId === r.id)) problems.push(`${r.id}: good example fires`);
    }
    assert.deepEqual(problems, []);
  });
});
