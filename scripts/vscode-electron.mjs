// `npm run test:electron`: the same suite as `npm run test:vscode`, run by @vscode/test-electron
// in a desktop VS Code it downloads (needs network access to VS Code's download servers and a
// display, e.g. `xvfb-run -a npm run test:electron` on Linux CI).
//   node scripts/vscode-electron.mjs [--suite trusted|untrusted] [--version 1.100.3]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildExtension, buildTests } from './vscode-build.mjs';
import { report } from './vscode-report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const suite = arg('--suite', 'trusted');
// The minimum VS Code the extension supports (engines.vscode), as in the VS Code server run.
const version = arg('--version', '1.100.3');

await buildExtension();
const testsPath = await buildTests();

let executable;
try {
  executable = await downloadAndUnzipVSCode({ version, cachePath: path.join(root, '.vscode-test') });
} catch (e) {
  process.stderr.write(
    `\ntest:electron: COULD NOT DOWNLOAD VS Code ${version}: ${e instanceof Error ? e.message : String(e)}\n` +
      'No test ran. This machine cannot reach the VS Code download servers; run `npm run test:vscode`,\n' +
      'which runs the same suite in the VS Code server from the code-server npm package.\n',
  );
  process.stdout.write('electron: 0 passed, 1 failed\n');
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-electron-'));
const workspace = path.join(work, 'workspace');
fs.cpSync(path.join(root, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
const resultFile = path.join(work, 'result.json');
let exitCode = 1;
try {
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: root,
    extensionTestsPath: testsPath,
    launchArgs: [workspace, '--user-data-dir', path.join(work, 'user'), '--extensions-dir', path.join(work, 'ext'), ...(suite === 'trusted' ? ['--disable-workspace-trust'] : [])],
    extensionTestsEnv: { FANG_VSCODE_RESULT: resultFile, FANG_VSCODE_SUITE: suite },
  });
  exitCode = 0;
} catch (e) {
  process.stderr.write(`test:electron: VS Code reported a failure: ${e instanceof Error ? e.message : String(e)}\n`);
}
if (fs.existsSync(resultFile)) {
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  report(suite, r);
  process.stdout.write(`electron: ${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} skipped` : ''}\n`);
  if (r.failed > 0 || r.passed === 0) exitCode = 1;
} else {
  process.stdout.write('electron: 0 passed, 1 failed (the suite wrote no result)\n');
  exitCode = 1;
}
fs.rmSync(work, { recursive: true, force: true });
process.exit(exitCode);
