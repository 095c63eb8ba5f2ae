// `npm run test:vscode`: runs test/vscode/suite inside the extension host of a real VS Code
// (the server from code-server's npm package), opened by headless Debian chromium.
//   node scripts/vscode-test.mjs [--suite trusted|untrusted|all] [--timeout SECONDS] [--grep PATTERN]
// --grep runs only the tests whose full title matches (while working on them; npm test runs all).
// Exit status: 0 when every test passed, 1 otherwise (including when nothing ran).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension, buildTests } from './vscode-build.mjs';
import { createRequire } from 'node:module';
import { report } from './vscode-report.mjs';
import { ensureServer } from './vscode-setup.mjs';
import { launchBrowser, makeProfile, startServer, workbenchUrl } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
};

/** Waits for `file` to appear (fs.watch on its folder), for `exited`, or for the timeout. */
function waitForResult(file, exited, timeoutMs) {
  return new Promise((resolve, reject) => {
    const dir = path.dirname(file);
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      fn(v);
    };
    const check = () => {
      if (fs.existsSync(file)) finish(resolve, JSON.parse(fs.readFileSync(file, 'utf8')));
    };
    const watcher = fs.watch(dir, (_event, name) => {
      if (name === path.basename(file)) check();
    });
    const timer = setTimeout(() => finish(reject, new Error(`no test result after ${timeoutMs / 1000} s`)), timeoutMs);
    exited.then((e) => {
      check();
      finish(reject, new Error(`the VS Code server exited (${JSON.stringify(e)}) before the suite reported a result`));
    });
    check();
  });
}

async function runSuite(suite, testsPath, timeoutMs) {
  const started = Date.now();
  const workspace = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'fang-ws-'));
  fs.cpSync(path.join(root, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  // The untrusted run opens a folder whose .fang.json and settings try to silence Fang.
  if (suite === 'untrusted') fs.cpSync(path.join(root, 'test', 'vscode', 'untrusted-overlay'), workspace, { recursive: true });
  const settings = { ...BASE_SETTINGS, 'security.workspace.trust.enabled': suite !== 'trusted' };
  const profile = makeProfile(settings);
  const resultFile = path.join(profile.dir, 'result.json');
  const serverLog = [];
  const server = await startServer(profile, {
    env: { FANG_VSCODE_RESULT: resultFile, FANG_VSCODE_SUITE: suite, FANG_VSCODE_WORKSPACE: workspace, ...(arg('--grep') ? { FANG_VSCODE_GREP: arg('--grep') } : {}) },
    log: (s) => serverLog.push(s),
  });
  const browser = await launchBrowser();
  const consoleLines = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(workbenchUrl(server.port, workspace, { extensionPath: root, testsPath }));
    const result = await waitForResult(resultFile, server.exited, timeoutMs);
    result.wallMs = Date.now() - started;
    return result;
  } catch (e) {
    process.stderr.write(`\n--- server output ---\n${serverLog.join('').slice(-6000)}\n--- browser console ---\n${consoleLines.slice(-60).join('\n')}\n`);
    return { passed: 0, failed: 1, pending: 0, durationMs: Date.now() - started, wallMs: Date.now() - started, tests: [{ title: `${suite} suite`, state: 'failed', error: e.message }] };
  } finally {
    await browser.close();
    await server.stop();
    profile.dispose();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

const suites = arg('--suite', 'all') === 'all' ? ['trusted', 'untrusted'] : [arg('--suite', 'all')];
const timeoutMs = Number(arg('--timeout', '300')) * 1000;
const t0 = Date.now();
ensureServer();
const tSetup = Date.now();
await buildExtension();
const testsPath = await buildTests();
let passed = 0;
let failed = 0;
let pending = 0;
for (const suite of suites) {
  const r = await runSuite(suite, testsPath, timeoutMs);
  report(suite, r);
  passed += r.passed;
  failed += r.failed;
  pending += r.pending;
}
if (passed + failed === 0) failed += 1; // a run that executed nothing is a failure
process.stdout.write(`\nVS Code setup check ${((tSetup - t0) / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
process.stdout.write(`vscode: ${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}\n`);
createRequire(import.meta.url)('./test-result.cjs').addResult({ passed, failed, pending });
process.exit(failed > 0 ? 1 : 0);
