// The README's pictures of the real product: the screenshots the end-to-end test takes (in
// .artifacts/, after `npm run test:vscode`), scaled to at most 1280 px wide with Debian's chromium
// and written to media/readme/. Run after an e2e run that looks right; commit the result.
//
//   node scripts/readme-images.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const README_IMAGES = [
  ['vscode-e2e-hover.png', 'findings.png'],
  ['vscode-e2e-dry-run-report.png', 'dry-run-report.png'],
  ['vscode-e2e-paste-guard.png', 'paste-guard.png'],
];
export const MAX_WIDTH = 1280;

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = path.join(root, 'media', 'readme');
  fs.mkdirSync(out, { recursive: true });
  const browser = await launchBrowser();
  try {
    for (const [from, to] of README_IMAGES) {
      const src = path.join(root, '.artifacts', from);
      if (!fs.existsSync(src)) throw new Error(`${src} is missing: run npm run test:vscode first`);
      const page = await browser.newPage({ deviceScaleFactor: 1 });
      await page.setContent(`<style>html,body{margin:0}img{display:block;max-width:${MAX_WIDTH}px;height:auto}</style><img src="data:image/png;base64,${fs.readFileSync(src).toString('base64')}">`);
      const img = page.locator('img');
      await img.evaluate((el) => el.decode());
      await img.screenshot({ path: path.join(out, to) });
      await page.close();
      process.stdout.write(`media/readme/${to}: ${(fs.statSync(path.join(out, to)).size / 1024).toFixed(0)} KiB\n`);
    }
  } finally {
    await browser.close();
  }
}
