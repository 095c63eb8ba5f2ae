// `npm test`: builds, compiles, lints, then runs every suite in order and ends with one closing
// line, "tests: N passed, N failed, N skipped". `npm test -- unit` (or `npm run test:unit`) runs
// the same first steps, then only the suites named: a suite never runs stale JavaScript.
//
// The counts are data, not reporter text: each suite adds { passed, failed, pending } to the
// JSON file named by $FANG_TEST_RESULT (scripts/test-result.cjs). A suite that writes no
// result, runs no test, or skips any (pending) fails the run, whatever its exit status.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const node = process.execPath;
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const mocha = bin('mocha', 'bin/mocha.js');

const steps = [
  { name: 'build', args: [join(root, 'scripts/build.mjs')] },
  { name: 'typecheck and compile tests', args: [bin('typescript', 'bin/tsc'), '-p', '.'] },
  { name: 'lint', args: [bin('eslint', 'bin/eslint.js'), '--max-warnings', '0', '.'] },
  // .mocharc.json: the unit suite, its reporter, --forbid-only and --forbid-pending
  { name: 'unit', suite: true, args: [mocha] },
  {
    name: 'sandbox',
    suite: true,
    args: [mocha, '--no-config', '--reporter', join(root, 'scripts/mocha-result.cjs'), '--forbid-only', '--forbid-pending', 'out/test/sandbox/**/*.test.js'],
  },
  // the CLI as users install it: npm pack, npm install, npm exec, the Action's steps, real pre-commit
  {
    name: 'package',
    suite: true,
    args: [mocha, '--no-config', '--reporter', join(root, 'scripts/mocha-result.cjs'), '--forbid-only', '--forbid-pending', '--timeout', '900000', 'out/test/package/**/*.test.js'],
  },
  // a second editor: Debian's Neovim, headless, with its built-in LSP client against `fang lsp --stdio`
  {
    name: 'editors',
    suite: true,
    args: [mocha, '--no-config', '--reporter', join(root, 'scripts/mocha-result.cjs'), '--forbid-only', '--forbid-pending', '--timeout', '120000', 'out/test/editors/**/*.test.js'],
  },
  {
    name: 'vscode',
    suite: true,
    commands: [
      [join(root, 'scripts/vscode-schema.mjs'), '--check'],
      [join(root, 'scripts/vscode-test.mjs')],
      [join(root, 'scripts/vscode-e2e.mjs')],
      [join(root, 'scripts/vscode-e2e-inert.mjs')],
    ],
  },
];

const only = process.argv.slice(2);
const unknown = only.filter((n) => !steps.some((s) => s.suite && s.name === n));
if (unknown.length) {
  console.error(`test-all: no suite named ${unknown.join(', ')}; the suites are ${steps.filter((s) => s.suite).map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];
const resultDir = mkdtempSync(join(tmpdir(), 'fang-test-results-'));

for (const step of steps) {
  if (only.length && step.suite && !only.includes(step.name)) continue;
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const resultFile = join(resultDir, `${step.name}.json`);
  let code = 0;
  for (const args of step.commands ?? [step.args]) {
    const c = await run(args, { FANG_TEST_RESULT: resultFile });
    if (c !== 0) code = c;
    if (code !== 0 && !step.suite) break;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!step.suite) {
    console.log(`=== ${step.name}: exit ${code} in ${seconds} s ===`);
    if (code !== 0) {
      failedSteps.push(step.name);
      break; // nothing after a failed build, compile or lint can be trusted
    }
    continue;
  }
  const r = readResult(resultFile);
  if (!r) {
    console.log(`=== ${step.name}: wrote no result (exit ${code}); that is a failure ===`);
    failedSteps.push(step.name);
    continue;
  }
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.pending;
  console.log(`=== ${step.name}: ${r.passed} passed, ${r.failed} failed, ${r.pending} skipped in ${seconds} s (exit ${code}) ===`);
  if (r.passed + r.failed === 0) console.log(`=== ${step.name}: no test ran; that is a failure ===`);
  if (r.pending > 0) console.log(`=== ${step.name}: ${r.pending} test(s) skipped; a skipped test is a failure ===`);
  if (code !== 0 || r.failed > 0 || r.pending > 0 || r.passed + r.failed === 0) failedSteps.push(step.name);
}
rmSync(resultDir, { recursive: true, force: true });

if (failedSteps.length) console.log(`\nfailed: ${failedSteps.join(', ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = failedSteps.length ? 1 : 0;

function readResult(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return [r.passed, r.failed, r.pending].every(Number.isInteger) ? r : undefined;
  } catch {
    return undefined;
  }
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(node, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(e.message);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
