// `npm test`: builds, then runs every suite in order and ends with one closing line,
// "tests: N passed, N failed, N skipped", summed over the suites' mocha summaries.
// A suite that fails to start, or reports nothing, fails the run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const hasTests = (dir) => existsSync(join(root, dir)) && readdirSync(join(root, dir)).some((f) => f.endsWith('.test.ts'));

const steps = [
  { name: 'build', cmd: npm, args: ['run', '--silent', 'build'] },
  { name: 'typecheck and compile tests', cmd: process.execPath, args: [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'] },
  { name: 'unit', cmd: process.execPath, args: [join(root, 'node_modules/mocha/bin/mocha.js')], suite: true },
  hasTests('test/sandbox') && { name: 'sandbox', cmd: npm, args: ['run', '--silent', 'test:sandbox'], suite: true },
  // the CLI as users install it: npm pack, npm install, npm exec, the Action's steps, real pre-commit
  hasTests('test/package') && { name: 'package', cmd: npm, args: ['run', '--silent', 'test:package'], suite: true },
  existsSync(join(root, 'scripts/vscode-test.mjs')) && { name: 'vscode', cmd: npm, args: ['run', '--silent', 'test:vscode'], suite: true },
].filter(Boolean);

const only = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

for (const step of steps) {
  if (only.length && step.suite && !only.includes(step.name)) continue;
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const { code, output } = await run(step.cmd, step.args);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (step.suite) {
    const count = (re) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    const passed = count(/^\s*(\d+) passing/gm);
    const failed = count(/^\s*(\d+) failing/gm);
    const skipped = count(/^\s*(\d+) pending/gm);
    totals.passed += passed;
    totals.failed += failed;
    totals.skipped += skipped;
    if (passed + failed === 0 && code === 0) {
      console.log(`=== ${step.name}: no test ran; that is a failure ===`);
      failedSteps.push(step.name);
      continue;
    }
    console.log(`=== ${step.name}: ${passed} passed, ${failed} failed, ${skipped} skipped in ${seconds} s (exit ${code}) ===`);
  } else {
    console.log(`=== ${step.name}: exit ${code} in ${seconds} s ===`);
  }
  if (code !== 0) {
    failedSteps.push(step.name);
    if (!step.suite) break; // nothing after a failed build can be trusted
  }
}

if (failedSteps.length) console.log(`\nfailed: ${failedSteps.join(', ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = failedSteps.length || totals.failed ? 1 : 0;

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('error', (e) => resolve({ code: 127, output: `${output}\n${e.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}
