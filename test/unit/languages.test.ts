/**
 * The language registry is the one list of languages: each entry is reachable through every way
 * in (extension, `#!` line, Markdown fence, editor id, `dry-run --lang`), claims nothing another
 * entry claims, ships its grammar, has an analyser with rules, and the generated files agree.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANALYSERS } from '../../src/core/analysers';
import { detectLanguage, extractFences, languageFromEditorId } from '../../src/core/index';
import { LANGUAGES, languageForDryRun, MARKDOWN } from '../../src/core/languages';
import { languageOf } from '../../src/cli/dry-run';
import { analyzer, ROOT } from './helpers';

describe('language registry', function () {
  this.timeout(30000);

  for (const l of LANGUAGES) {
    it(`${l.name}: found by extension, #! line, fence tag, editor id and dry-run name`, () => {
      for (const ext of l.extensions) assert.equal(detectLanguage(`dir/file.${ext.toUpperCase()}`, ''), l.id, ext);
      for (const i of l.interpreters) {
        assert.equal(detectLanguage(undefined, `#!/usr/bin/${i}\n`), l.id, i);
        assert.equal(detectLanguage(undefined, `#!/usr/bin/env -S ${i} --flag\n`), l.id, `env ${i}`);
      }
      for (const tag of l.fenceTags) assert.deepEqual(extractFences(`text\n\`\`\`${tag}\ncode\n\`\`\`\n`).map((f) => f.language), [l.id], tag);
      for (const id of l.editorIds) assert.equal(languageFromEditorId(id), l.id, id);
      assert.equal(languageForDryRun(l.dryRun.lang)?.id, l.id);
      if (l.extensions[0]) assert.equal(languageOf(`snippet.${l.extensions[0]}`, ''), l.dryRun.lang);
    });

    it(`${l.name}: its grammar ships in dist/wasm and parses, its analyser has rules`, async () => {
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'wasm', l.grammar.file)), `dist/wasm/${l.grammar.file} missing: the build does not read the registry`);
      const analyser = ANALYSERS[l.analyser];
      assert.ok(analyser.rules.length > 0, `analyser ${l.analyser} has no rules`);
      for (const r of analyser.rules) assert.ok(r.meta.language === 'any' || LANGUAGES.some((x) => x.id === r.meta.language && x.analyser === l.analyser), r.meta.id);
      const r = (await analyzer()).analyze('\n', { language: l.id });
      assert.equal(r.skipped, undefined, r.skipped?.message);
    });
  }

  it('no two entries claim the same extension, interpreter, fence tag, editor id or dry-run name', () => {
    const claims = (pick: (l: (typeof LANGUAGES)[number]) => readonly string[], extra: readonly string[] = []) => {
      const all = [...LANGUAGES.flatMap((l) => pick(l)), ...extra];
      return all.filter((x, i) => all.indexOf(x) !== i);
    };
    assert.deepEqual(claims((l) => l.extensions, MARKDOWN.extensions), []);
    assert.deepEqual(claims((l) => l.interpreters), []);
    assert.deepEqual(claims((l) => [...l.fenceTags, ...('consoleFenceTags' in l ? l.consoleFenceTags : [])]), []);
    assert.deepEqual(claims((l) => l.editorIds, MARKDOWN.editorIds), []);
    assert.deepEqual(claims((l) => [l.dryRun.lang]), []);
  });

  it('package.json and the .fang.json schema are generated from the registry and the config (vscode-schema --check)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'vscode-schema.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const l of LANGUAGES) {
      for (const id of l.editorIds) assert.ok(pkg.activationEvents.includes(`onLanguage:${id}`), id);
      assert.ok(l.setting in pkg.contributes.configuration.properties['fang.enable'].properties, l.setting);
    }
  });

  it('fang scan --help names every extension', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fang.js'), 'scan', '--help'], { encoding: 'utf8' });
    for (const l of LANGUAGES) for (const e of l.extensions) assert.match(r.stdout, new RegExp(`\\.${e}\\b`), e);
  });
});
