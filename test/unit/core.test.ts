/** The analysis core's contracts that the rule fixtures do not cover. */
import * as assert from 'node:assert/strict';
import { analyzer } from './helpers';
import { parseConfig, detectLanguage, extractFences, renderMessage } from '../../src/core/index';
import { BASH_RULES } from '../../src/core/rules/index';

describe('core', function () {
  this.timeout(20000);

  describe('configuration', () => {
    it('keeps the valid entries and names each invalid key with what it expects', () => {
      const { config, problems } = parseConfig({
        rules: { 'bash-model-cli-call': 'off', 'bash-agent-loop': 'loud' },
        categories: { 'self-invocation': 'note', 'made-up': 'error' },
        modelCommands: ['my-llm', 42],
        maxFileBytes: -1,
        colour: true,
      });
      assert.deepEqual(config.rules, { 'bash-model-cli-call': 'off' });
      assert.deepEqual(config.categories, { 'self-invocation': 'note' });
      assert.deepEqual(config.modelCommands, ['my-llm']);
      assert.equal(config.maxFileBytes, undefined);
      const keys = problems.map((p) => p.key).sort();
      assert.deepEqual(keys, ['categories.made-up', 'colour', 'maxFileBytes', 'modelCommands.1', 'rules.bash-agent-loop']);
      assert.match(problems.find((p) => p.key === 'rules.bash-agent-loop')!.message, /expected one of "error", "warning", "note", "off"/);
      assert.match(problems.find((p) => p.key === 'colour')!.message, /unknown key "colour"/);
    });

    it('severity overrides per rule win over per category, "off" removes', async () => {
      const a = await analyzer();
      const text = 'eval "$(llm "fix it")"\n';
      const base = a.analyze(text, { language: 'bash' }).findings.map((f) => `${f.ruleId}:${f.severity}`).sort();
      assert.deepEqual(base, ['bash-model-cli-call:warning', 'bash-model-output-exec:error']);
      const cfg = { categories: { 'self-invocation': 'off' as const, 'model-output-execution': 'note' as const }, rules: { 'bash-model-output-exec': 'warning' as const } };
      const tuned = a.analyze(text, { language: 'bash', config: cfg }).findings.map((f) => `${f.ruleId}:${f.severity}`);
      assert.deepEqual(tuned, ['bash-model-output-exec:warning']);
    });

    it('extra model commands from the config become sources', async () => {
      const a = await analyzer();
      const text = 'plan=$(brainstorm "steps")\neval "$plan"\n';
      assert.equal(a.analyze(text, { language: 'bash' }).findings.length, 0);
      const ids = a.analyze(text, { language: 'bash', config: { modelCommands: ['brainstorm'] } }).findings.map((f) => f.ruleId);
      assert.deepEqual(ids.sort(), ['bash-model-cli-call', 'bash-model-output-exec']);
    });
  });

  describe('languages and Markdown', () => {
    it('detects Bash by extension and shebang', () => {
      assert.equal(detectLanguage('a.sh', ''), 'bash');
      assert.equal(detectLanguage('a.zsh', ''), 'bash');
      assert.equal(detectLanguage('t.bats', ''), 'bash');
      assert.equal(detectLanguage('tool', '#!/usr/bin/env bash\n'), 'bash');
      assert.equal(detectLanguage('tool', '#!/bin/sh -e\n'), 'bash');
      assert.equal(detectLanguage('tool', '#!/usr/bin/env python3\n'), 'python');
      assert.equal(detectLanguage('tool', '#!/usr/bin/python3.12 -u\n'), 'python');
      assert.equal(detectLanguage('tool', '#!/usr/bin/env ruby\n'), undefined);
      assert.equal(detectLanguage('README.md', ''), 'markdown');
    });

    it('extracts fences with their offsets; console keeps only prompted lines', () => {
      const md = ['text', '  ```sh', '  echo a', '  ```', '```console', '$ ls', 'out', '$ eval "$x" \\', '> && true', '```', '```text', 'eval', '```'].join('\n');
      const fences = extractFences(md);
      assert.equal(fences.length, 2);
      assert.deepEqual([fences[0]!.startLine, fences[0]!.code, fences[0]!.columnOffsets], [2, 'echo a', [2]]);
      assert.equal(fences[1]!.code, 'ls\n\neval "$x" \\\n&& true');
      assert.deepEqual(fences[1]!.columnOffsets, [2, 0, 2, 2]);
    });

    it('reports findings in a fence at the Markdown line, and the message names that line', async () => {
      const a = await analyzer();
      const md = '# Setup\n\nRun this:\n\n```bash\ncmd=$(sgpt "one command")\neval "$cmd"\n```\n';
      const f = a.analyze(md, { path: 'README.md' }).findings.find((x) => x.ruleId === 'bash-model-output-exec')!;
      assert.equal(f.range.start.line, 6);
      assert.match(renderMessage(f), /\(line 6\) reaches `eval` \(line 7\)/);
      assert.deepEqual(f.refs, [{ line: 5, column: 6, place: true }, { line: 6, column: 0 }]);
      assert.equal(f.path[0]!.range.start.line, 5);
    });
  });

  describe('robustness', () => {
    it('one failing rule does not blank the others, and says so', async () => {
      const a = await analyzer();
      const victim = BASH_RULES.find((r) => r.meta.id === 'bash-fork-bomb')!;
      const original = victim.check;
      victim.check = () => {
        throw new Error('boom');
      };
      try {
        const r = a.analyze('eval "$(llm "x")"\n', { language: 'bash' });
        const ids = r.findings.map((f) => f.ruleId).sort();
        assert.deepEqual(ids, ['analysis-incomplete', 'bash-model-cli-call', 'bash-model-output-exec']);
        assert.match(r.findings.find((f) => f.ruleId === 'analysis-incomplete')!.message, /rule bash-fork-bomb failed on this file \(boom\)/);
      } finally {
        victim.check = original;
      }
    });

    it('a suppression applies to the next code line; without a reason it is reported too', async () => {
      const a = await analyzer();
      const text = [
        '# fang-ignore-next-line bash-model-output-exec -- reviewed: runs in the CI sandbox',
        'eval "$(llm "a")"',
        '# fang-ignore-next-line bash-model-output-exec',
        'eval "$(llm "b")"',
        'eval "$(llm "c")"',
      ].join('\n');
      const r = a.analyze(text, { language: 'bash' });
      const exec = r.findings.filter((f) => f.ruleId === 'bash-model-output-exec').map((f) => f.range.start.line);
      assert.deepEqual(exec, [4]);
      const notes = r.findings.filter((f) => f.ruleId === 'suppression-without-reason').map((f) => f.range.start.line);
      assert.deepEqual(notes, [2]);
    });

    it('an unparseable line next to a model call is "analysis incomplete", never clean', async () => {
      const a = await analyzer();
      const r = a.analyze('echo start\neval "$(llm "x")" | | sh\n', { language: 'bash' });
      assert.ok(r.findings.some((f) => f.ruleId === 'analysis-incomplete' && f.range.start.line === 1), JSON.stringify(r.findings));
    });

    it('a deeply nested script is analysed or skipped with a note, never crashes', async () => {
      const a = await analyzer();
      const deep = `${'if true; then '.repeat(400)}eval "$(llm x)"${'; fi'.repeat(400)}\n`;
      const r = a.analyze(deep, { language: 'bash' });
      assert.ok(r.skipped || r.findings.length > 0, 'neither a result nor a note');
    });
  });

  describe('positions as data', () => {
    it('messages carry positions as refs; in a Markdown fence they are document lines in every message', async () => {
      const a = await analyzer();
      const md = ['# Notes', '', 'Some text.', '', '```bash', 'echo start', 'echo more', 'echo working', 'eval "$(llm "x")" | | sh', '```', ''].join('\n');
      const r = a.analyze(md, { language: 'markdown' });
      const exec = r.findings.find((f) => f.ruleId === 'bash-model-output-exec' || f.ruleId === 'analysis-incomplete');
      assert.ok(exec, JSON.stringify(r.findings));
      for (const f of r.findings) {
        assert.doesNotMatch(f.message, /line \d/, `a line number baked into the text: ${f.message}`);
        for (const p of f.refs ?? []) assert.ok(p.line >= 5 && p.line <= 9, `ref ${p.line} is not a document line of the fence`);
      }
      const incomplete = r.findings.find((f) => f.ruleId === 'analysis-incomplete')!;
      assert.equal(incomplete.range.start.line, 8);
      assert.match(renderMessage(incomplete), /a syntax error on line 9\b/);
    });

    it('text from the code cannot forge a position or break the template', async () => {
      const a = await analyzer();
      const r = a.analyze('x=$(llm "a")\n"{0}{{}}\uE000deadbeef:99:0\uE001" "$x"\neval "$x"\n', { language: 'bash' });
      for (const f of r.findings) {
        const text = renderMessage(f);
        assert.doesNotMatch(text, /line 100\b/, text);
        for (const p of f.refs ?? []) assert.ok(p.line <= 2, `forged ref ${p.line}`);
      }
      const wrapped = r.findings.find((f) => f.ruleId === 'bash-model-output-exec');
      assert.ok(wrapped);
    });
  });
});
