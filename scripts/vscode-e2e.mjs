// End-to-end: packages the VSIX, installs it into a fresh VS Code server the way a user would,
// opens examples/agent-loop.sh in the browser UI, checks the Problems panel lists its findings
// and the hover explains them, dry-runs it from its code lens (scripts/vscode-e2e-dryrun.mjs),
// and saves screenshots under .artifacts/ (git-ignored).
//   node scripts/vscode-e2e.mjs      exit 0 when every check passed
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChecks } from './vscode-checks.mjs';
import { dryRunChecks } from './vscode-e2e-dryrun.mjs';
import { packageVsix } from './vscode-package.mjs';
import { installVsix, launchBrowser, makeProfile, startServer, workbenchUrl } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, '.artifacts');
const TIMEOUT = 60_000;

const { checks, check, summary } = createChecks();

async function main(page, port, workspace) {
  await check('workbench loads', async () => {
    await page.goto(workbenchUrl(port, workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
    await page.locator('.explorer-folders-view').waitFor({ timeout: TIMEOUT });
  });
  await check('the agent-loop example opens through Quick Open', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: TIMEOUT });
    await input.fill('agent-loop.sh');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'agent-loop.sh' }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'agent-loop.sh' }).waitFor({ timeout: TIMEOUT });
  });
  await check('squiggles appear in the editor', async () => {
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: TIMEOUT });
  });
  await check('the Problems panel lists the findings with source fang and rule ids', async () => {
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ timeout: TIMEOUT });
    for (const id of ['bash-agent-loop', 'bash-model-output-exec', 'bash-model-cli-call']) {
      await panel.locator('.monaco-list-row', { hasText: id }).first().waitFor({ timeout: TIMEOUT });
    }
    const text = await panel.innerText();
    if (!/fang/.test(text)) throw new Error(`no "fang" source in the Problems panel:\n${text}`);
    if (!/agent loop/.test(text)) throw new Error(`the agent-loop message is missing:\n${text}`);
  });
  await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-problems.png') });
  await check("the rule id in the Problems panel opens the rule's page shipped in the extension", async () => {
    await page.locator('.markers-panel .monaco-list-row a', { hasText: 'bash-agent-loop' }).first().click();
    // the extension swaps the raw Markdown for its rendered preview
    await page.locator('.tab.active', { hasText: 'Preview bash-agent-loop.md' }).waitFor({ timeout: TIMEOUT });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const heading = frame.locator('h1', { hasText: 'bash-agent-loop' });
    await heading.waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-rule-page.png') });
    await page.locator('.tab', { hasText: 'agent-loop.sh' }).first().click();
    await page.locator('.tab.active', { hasText: 'agent-loop.sh' }).waitFor({ timeout: TIMEOUT });
  });
  await check('hovering the loop head explains the risk', async () => {
    // put the cursor on the loop head and ask for the hover with the keyboard
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${loopLine}:3`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover-content', { hasText: 'Fang:' }).first();
    await hover.waitFor({ timeout: TIMEOUT });
    const text = await hover.innerText();
    if (!/Path:/.test(text)) throw new Error(`the hover has no path:\n${text}`);
  });
  await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-hover.png') });
  await check('the status bar shows the finding count', async () => {
    await page.locator('.statusbar-item', { hasText: /Fang: \d+/ }).first().waitFor({ timeout: TIMEOUT });
  });
  await check('inserting a risky block raises the paste-guard notification', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.fill('benign.sh');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'benign.sh' }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'benign.sh' }).waitFor({ timeout: TIMEOUT });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    // a real paste: the block goes through the system clipboard and Ctrl+V
    await page.evaluate((t) => navigator.clipboard.writeText(t), 'fix=$(llm "write a one-liner that fixes my PATH")\neval "$fix"\necho "done"\n');
    await page.keyboard.press('Control+V');
    const toast = page.locator('.notification-toast', { hasText: 'Inserted code' });
    await toast.waitFor({ timeout: TIMEOUT });
    // let the toast finish sliding in before the screenshot
    await toast.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    await page.locator('.notifications-toasts').evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    const text = await toast.innerText();
    for (const action of ['Show', 'Dry-run', 'Undo']) if (!text.includes(action)) throw new Error(`no ${action} action in the notification:\n${text}`);
  });
  await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-paste-guard.png') });
  await dryRunChecks(page, { check, artifacts, timeout: TIMEOUT, metrics });
}

const metrics = [];

const t0 = Date.now();
fs.mkdirSync(artifacts, { recursive: true });
const { out: vsix, size } = await packageVsix(path.join(artifacts, 'fang.vsix'));
process.stdout.write(`packaged ${path.relative(root, vsix)} (${(size / 1024).toFixed(0)} KiB)\n`);
const profile = makeProfile({
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
});
// The workspace: the repository's examples (the agent-loop example among them) and a benign
// script to paste into.
const workspace = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'fang-e2e-'));
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
fs.copyFileSync(path.join(root, 'test', 'vscode', 'workspace', 'benign.sh'), path.join(workspace, 'benign.sh'));
// a TypeScript agent, dry-run from the packaged VSIX (nothing outside the VSIX strips its types)
fs.copyFileSync(path.join(root, 'test', 'fixtures', 'dryrun', 'agent-fetch.ts'), path.join(workspace, 'agent-fetch.ts'));
// a snippet that only waits, for the dry-run's Cancel
fs.writeFileSync(path.join(workspace, 'sleep.sh'), '#!/bin/bash\nsleep 1000\n');
const loopLine = fs.readFileSync(path.join(workspace, 'agent-loop.sh'), 'utf8').split('\n').findIndex((l) => /^\s*while\b/.test(l)) + 1;
if (loopLine < 1) throw new Error('examples/agent-loop.sh has no while loop');
let server;
let browser;
let failed = false;
try {
  await check('the VSIX installs into the VS Code server offline', () => installVsix(profile, vsix));
  server = await startServer(profile);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  try {
    await main(page, server.port, workspace);
  } catch {
    failed = true;
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-failure.png') }).catch(() => undefined);
  }
} catch (e) {
  failed = true;
  if (!checks.some((c) => !c.ok)) checks.push({ name: 'setup', ok: false, ms: 0, error: e.message });
} finally {
  await browser?.close();
  await server?.stop();
  if (process.env.FANG_E2E_KEEP) process.stdout.write(`kept ${profile.dir} and ${workspace}\n`);
  else profile.dispose();
  if (!process.env.FANG_E2E_KEEP) fs.rmSync(workspace, { recursive: true, force: true });
}
const nFailed = summary('end-to-end (packaged VSIX in the browser UI)', failed, [
  ...metrics.map((m) => `measured: ${m}`),
  `screenshots in ${path.relative(root, artifacts)}/; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
]);
process.stdout.write(`e2e: ${checks.filter((c) => c.ok).length} passed, ${nFailed} failed\n`);
process.exit(nFailed ? 1 : 0);
