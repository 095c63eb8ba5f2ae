/**
 * Entry point the extension host calls (`extensionTestsPath`): runs the mocha suite and writes
 * its result as JSON to $FANG_VSCODE_RESULT, the file the outside runner waits for.
 * FANG_VSCODE_SUITE picks which files run: "trusted" (default) or "untrusted"; FANG_VSCODE_GREP, when
 * set, only the tests whose full title matches it (scripts/vscode-test.mjs --grep).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  vscodeVersion: string;
  tests: TestOutcome[];
  metrics: Record<string, string>;
}

export async function run(): Promise<void> {
  const resultFile = process.env.FANG_VSCODE_RESULT;
  const suite = process.env.FANG_VSCODE_SUITE ?? 'trusted';
  const grep = process.env.FANG_VSCODE_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec', ...(grep ? { grep: new RegExp(grep) } : {}) });
  const pattern = suite === 'untrusted' ? /^untrusted\..*\.test\.js$/ : /^(?!untrusted\.).*\.test\.js$/;
  const files = fs.readdirSync(__dirname).filter((f) => pattern.test(f)).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  const tests: TestOutcome[] = [];
  const started = Date.now();
  let failures = 0;
  try {
    failures = await new Promise<number>((resolve) => {
      const runner = mocha.run((n) => resolve(n));
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, err: Error) =>
        tests.push({ title: t.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }),
      );
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    });
  } catch (e) {
    failures += 1;
    tests.push({ title: 'loading the suite', state: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as typeof import('vscode');
  const result: SuiteResult = {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: Math.max(failures, tests.filter((t) => t.state === 'failed').length),
    pending: tests.filter((t) => t.state === 'pending').length,
    durationMs: Date.now() - started,
    vscodeVersion: vscode.version,
    tests,
    metrics: (globalThis as { fangMetrics?: Record<string, string> }).fangMetrics ?? {},
  };
  if (files.length === 0) {
    result.failed += 1;
    result.tests.push({ title: 'suite', state: 'failed', error: `no test files for suite "${suite}" in ${__dirname}` });
  }
  if (resultFile) {
    // Write to a temporary name first so the watcher never reads half a file.
    fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify(result, null, 2));
    fs.renameSync(`${resultFile}.tmp`, resultFile);
  }
  if (result.failed > 0) throw new Error(`${result.failed} test(s) failed`);
}
