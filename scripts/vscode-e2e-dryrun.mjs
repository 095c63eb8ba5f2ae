// The dry-run part of the end-to-end test (scripts/vscode-e2e.mjs calls it): in the browser
// UI, clicks the "Dry-run in sandbox" lens on the agent-loop example, accepts the first-run
// explanation, waits for the report panel and its graph, follows a line link back to the
// editor, reruns with adversarial answers from the panel's button, dry-runs a TypeScript agent
// (whose types the packaged extension strips itself), and saves screenshots.
import * as path from 'node:path';

/** The report's page inside the visible webview (VS Code nests it in two iframes). */
function reportFrame(page) {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('iframe#active-frame');
}

/** Waits until the animations of the element (and its subtree) have finished. */
async function settled(locator) {
  await locator.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
}

/** Runs a command from the Command Palette, as a user would. */
async function palette(page, title, timeout) {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
}

export async function dryRunChecks(page, { check, artifacts, timeout, metrics }) {
  // Chromium reports what a Content-Security-Policy refused on the console of the frame.
  const refused = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  await check('the dry-run lens appears above the agent-loop example', async () => {
    // room for the editor and the report side by side
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.keyboard.press('Escape');
    await palette(page, 'View: Close Primary Side Bar', timeout);
    await palette(page, 'Notifications: Clear All Notifications', timeout);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
    await page.locator('.tab', { hasText: 'agent-loop.sh' }).first().click();
    await page.locator('.tab.active', { hasText: 'agent-loop.sh' }).waitFor({ timeout });
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Dry-run in sandbox' }).first().waitFor({ timeout });
  });

  let t0 = 0;
  await check('the first click explains the sandbox before running anything', async () => {
    t0 = Date.now();
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Dry-run in sandbox' }).first().click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout });
    const text = await dialog.innerText();
    if (!/isolate/i.test(text) || !/Not isolated/.test(text)) throw new Error(`the explanation does not say what is and is not isolated:\n${text}`);
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-dry-run-explanation.png') });
    await dialog.locator('a.monaco-button, button', { hasText: "Don't Show Again" }).first().click();
  });

  await check('the report panel shows the verdict and the graph of the agent loop', async () => {
    const frame = reportFrame(page);
    const graph = frame.locator('svg.run-graph');
    await graph.waitFor({ timeout });
    metrics.push(`dry-run: lens click to report shown (agent-loop example, including the first-run explanation) ${Date.now() - t0} ms`);
    const verdict = await frame.locator('.verdict').innerText();
    if (!/agent loop/.test(verdict)) throw new Error(`the verdict does not name the agent loop: ${verdict}`);
    const models = await graph.locator('.node-model').count();
    const codes = await graph.locator('.node-code').count();
    const loops = await graph.locator('.edge-loop').count();
    if (models !== 4 || codes !== 3 || loops < 1) throw new Error(`graph: ${models} model nodes (want 4), ${codes} code nodes (want 3), ${loops} loop edges`);
    // the trace channel opened below; give the report the whole height for the picture
    await palette(page, 'View: Hide Panel', timeout);
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout });
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-dry-run-report.png') });
  });

  await check('a second click reports again; measured from click to report', async () => {
    const frame = reportFrame(page);
    const before = await frame.locator('.report-id').getAttribute('data-run');
    const started = Date.now();
    await page.locator('.tab', { hasText: 'agent-loop.sh' }).first().click();
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Dry-run in sandbox' }).first().click();
    await frame.locator(`.report-id:not([data-run="${before}"])`).waitFor({ state: 'attached', timeout });
    await frame.locator('svg.run-graph').waitFor({ timeout });
    metrics.push(`dry-run: lens click to report shown (agent-loop example, second run) ${Date.now() - started} ms`);
  });

  await check('a line link in the report reveals the source line, by keyboard', async () => {
    const frame = reportFrame(page);
    const link = frame.locator('button.line-link', { hasText: 'line 10' }).first();
    await link.focus();
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: /Ln 10,/ }).first().waitFor({ timeout });
  });

  await check('"Run again with adversarial answers" reruns from the panel and lists the hostile answers', async () => {
    const frame = reportFrame(page);
    await frame.locator('button', { hasText: 'Run again with adversarial answers' }).click();
    await frame.locator('h2', { hasText: 'Adversarial answers' }).waitFor({ timeout });
    const text = await frame.locator('body').innerText();
    if (!/fork-bomb/.test(text)) throw new Error('the adversarial section does not list the fork-bomb answer');
    await frame.locator('h2', { hasText: 'Adversarial answers' }).evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-dry-run-adversarial.png') });
  });

  await check('the trace streams into the coloured "Fang Dry-run" output channel', async () => {
    await palette(page, 'Fang: Show Dry-run Trace', timeout);
    const out = page.locator('.panel .monaco-editor').first();
    await out.waitFor({ timeout });
    // the run's last line, so it is in view however long the trace is
    const lines = page.locator('.panel .monaco-editor .view-line', { hasText: /verdict\s+\d+\smodel\scalls/ });
    await lines.first().waitFor({ timeout });
    // the grammar colours the lines: the verdict line has more than one token
    const spans = await lines.first().locator('span > span').count();
    if (spans < 2) throw new Error('the trace line is not tokenised by the fang-trace grammar');
    await settled(out);
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-dry-run-trace.png') });
  });

  await check('a TypeScript snippet dry-runs from the installed VSIX (types stripped by the sucrase bundled in it)', async () => {
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('agent-fetch.ts');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'agent-fetch.ts' }).first().waitFor({ timeout });
    await page.keyboard.press('Enter');
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'agent-fetch.ts' }).waitFor({ timeout });
    const frame = reportFrame(page);
    const before = await frame.locator('.report-id').getAttribute('data-run');
    const started = Date.now();
    await page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: 'Dry-run in sandbox' }).first().click();
    await frame.locator(`.report-id:not([data-run="${before}"])`).waitFor({ state: 'attached', timeout });
    const verdict = await frame.locator('.verdict').innerText();
    metrics.push(`dry-run: lens click to report shown (TypeScript agent, packaged VSIX) ${Date.now() - started} ms`);
    if (!/1 model call, 1 of them produced code that was executed/.test(verdict)) throw new Error(`the TypeScript dry-run did not run the agent: ${verdict}`);
    await page.screenshot({ path: path.join(artifacts, 'vscode-e2e-dry-run-typescript.png') });
    // back to where the next check starts
    await page.keyboard.press('Control+1');
    await page.locator('.editor-group-container.active .tab', { hasText: 'agent-loop.sh' }).first().click();
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'agent-loop.sh' }).waitFor({ timeout });
  });

  await check('Cancel in the progress notification stops a `sleep 1000` dry-run at once', async () => {
    await page.keyboard.press('Control+1');
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'agent-loop.sh' }).waitFor({ timeout });
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('sleep.sh');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sleep.sh' }).first().waitFor({ timeout });
    await page.keyboard.press('Enter');
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'sleep.sh' }).waitFor({ timeout });
    await page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: 'Dry-run in sandbox' }).first().click();
    const toast = page.locator('.notification-toast', { hasText: 'dry-running sleep.sh' });
    await toast.waitFor({ timeout });
    // the sandbox has started `sleep 1000` once the trace shows it
    await page.locator('.panel .monaco-editor .view-line', { hasText: /exec.*sleep\s1000/ }).first().waitFor({ timeout });
    const started = Date.now();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await page.locator('.panel .monaco-editor .view-line', { hasText: /FAILED\s+cancelled/ }).first().waitFor({ timeout });
    const ms = Date.now() - started;
    metrics.push(`dry-run: Cancel click to "cancelled; the sandbox was stopped" in the trace (sleep 1000) ${ms} ms`);
    await reportFrame(page).locator('.verdict', { hasText: 'cancelled' }).waitFor({ timeout });
    metrics.push(`dry-run: Cancel click to "cancelled" in the report panel ${Date.now() - started} ms`);
    if (ms > 1000) throw new Error(`cancel took ${ms} ms`);
  });

  await check('the report page broke no Content-Security-Policy rule', async () => {
    if (refused.length) throw new Error(`refused by the CSP:\n${refused.slice(0, 5).join('\n')}`);
  });
}
