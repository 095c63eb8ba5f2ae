// Sets up the VS Code server shipped inside the `code-server` npm package, once, in a cache
// outside the tracked tree. Offline apart from the npm registry: no install script downloads
// anything (ripgrep comes from Debian's `rg`). See docs in test/vscode/README.md.
//
//   node scripts/vscode-setup.mjs          prints the server folder (sets it up if needed)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';

export function cacheRoot() {
  return process.env.FANG_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'fang-vscode');
}

/** The folder holding `out/server-main.js`. */
export function serverDir() {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'lib', 'vscode');
}

function run(cmd, args, cwd) {
  const started = Date.now();
  process.stderr.write(`[vscode-setup] ${cwd}$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status} in ${cwd}`);
  process.stderr.write(`[vscode-setup]   done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function findRipgrep() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'rg');
    if (dir && fs.existsSync(p)) return fs.realpathSync(p);
  }
  throw new Error('ripgrep (`rg`) is not on PATH; install it with `apt-get install ripgrep`');
}

/** Sets the server up unless the ready marker says it already is. Returns serverDir(). */
export function ensureServer() {
  const top = path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const vscode = serverDir();
  const marker = path.join(top, '.fang-ready');
  if (fs.existsSync(marker) && fs.existsSync(path.join(vscode, 'out', 'server-main.js'))) return vscode;
  const started = Date.now();
  fs.mkdirSync(top, { recursive: true });
  fs.writeFileSync(path.join(top, 'package.json'), JSON.stringify({ name: 'fang-vscode-cache', private: true }, null, 2));
  // 1. The package itself; its install scripts would fetch kerberos build deps and rg from GitHub.
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-save', '--no-package-lock'], top);
  // 2. VS Code's own production dependencies.
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vscode);
  // 3. The native modules the server needs at start (node headers come from `nodedir`/local Node).
  // node-gyp would download Node's headers; use the ones installed with this Node when present.
  const prefix = path.dirname(path.dirname(process.execPath));
  const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? [`--nodedir=${prefix}`] : [];
  run('npm', ['rebuild', '--ignore-scripts=false', ...nodedir, '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'], vscode);
  for (const built of ['@vscode/spdlog/build/Release/spdlog.node', 'native-watchdog/build/Release/watchdog.node']) {
    if (!fs.existsSync(path.join(vscode, 'node_modules', built))) throw new Error(`npm rebuild did not build ${built}; a C++ toolchain (g++, make, python3) is needed`);
  }
  // 4. Debian's ripgrep instead of the one @vscode/ripgrep downloads.
  const rgDir = path.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgDir, { recursive: true });
  fs.copyFileSync(findRipgrep(), path.join(rgDir, 'rg'));
  fs.chmodSync(path.join(rgDir, 'rg'), 0o755);
  // 5. The server loads its modules through `node_modules.asar`.
  const asar = path.join(vscode, 'node_modules.asar');
  if (!fs.existsSync(asar)) fs.symlinkSync('node_modules', asar);
  if (!fs.existsSync(path.join(vscode, 'out', 'server-main.js'))) throw new Error(`setup finished but ${vscode}/out/server-main.js is missing`);
  fs.writeFileSync(marker, `${new Date().toISOString()} ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stderr.write(`[vscode-setup] VS Code server ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${vscode}\n`);
  return vscode;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    process.stdout.write(`${ensureServer()}\n`);
  } catch (e) {
    process.stderr.write(`[vscode-setup] ${e.message}\n`);
    process.exit(1);
  }
}
