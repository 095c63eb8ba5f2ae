// `npm run package`: a universal VSIX, built offline with @vscode/vsce from a minified bundle, with
// its LICENSE and repository (so README links point into the repository, as the Marketplace shows them).
//   node scripts/vscode-package.mjs [--out FILE]    prints the VSIX path and size
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExtension } from './vscode-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAX_VSIX_BYTES = 5 * 1024 * 1024;

export async function packageVsix(out = path.join(root, '.artifacts', 'fang.vsix')) {
  await buildExtension({ minify: true });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`vsce package failed with exit code ${r.status}`);
  const size = fs.statSync(out).size;
  if (size > MAX_VSIX_BYTES) throw new Error(`${out} is ${size} bytes, over the ${MAX_VSIX_BYTES}-byte limit`);
  return { out, size };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--out');
  try {
    const { out, size } = await packageVsix(i > 0 ? path.resolve(process.argv[i + 1]) : undefined);
    process.stdout.write(`${path.relative(root, out)}: ${(size / 1024).toFixed(0)} KiB\n`);
  } catch (e) {
    process.stderr.write(`package: ${e.message}\n`);
    process.exit(1);
  }
}
