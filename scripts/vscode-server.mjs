// Starts the VS Code server (from scripts/vscode-setup.mjs) on a free loopback port and drives
// Debian's chromium to its workbench with playwright-core. Shared by the suite runner and the
// end-to-end test.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ensureServer } from './vscode-setup.mjs';

export const CHROMIUM = process.env.FANG_CHROMIUM || '/usr/bin/chromium';

/** Fresh user, server and extensions folders; `settings` become the user settings. */
export function makeProfile(settings, prefix = 'fang-vscode-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const userDataDir = path.join(dir, 'user');
  const serverDataDir = path.join(dir, 'server');
  const extensionsDir = path.join(dir, 'extensions');
  for (const d of [userDataDir, serverDataDir, extensionsDir]) fs.mkdirSync(d, { recursive: true });
  // The web workbench keeps user settings in the server data folder.
  for (const base of [path.join(serverDataDir, 'data', 'User'), path.join(userDataDir, 'User')]) {
    fs.mkdirSync(base, { recursive: true });
    fs.writeFileSync(path.join(base, 'settings.json'), JSON.stringify(settings, null, 2));
  }
  return { dir, userDataDir, serverDataDir, extensionsDir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function serverArgs(profile) {
  return [
    '--accept-server-license-terms',
    '--user-data-dir', profile.userDataDir,
    '--server-data-dir', profile.serverDataDir,
    '--extensions-dir', profile.extensionsDir,
  ];
}

/** Installs a VSIX into the profile, offline, the way a user's server would. */
export async function installVsix(profile, vsix) {
  const vscode = ensureServer();
  const child = spawn(process.execPath, [path.join(vscode, 'out', 'server-main.js'), ...serverArgs(profile), '--install-extension', vsix], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed (exit ${code}):\n${out}`);
  return out.trim();
}

/**
 * Starts the server with `--port 0` and resolves once it prints the port it listens on.
 * `env` is passed to the server and so to its extension host.
 */
export async function startServer(profile, { env = {}, timeoutMs = 60_000, log = () => {} } = {}) {
  const vscode = ensureServer();
  const child = spawn(
    process.execPath,
    [path.join(vscode, 'out', 'server-main.js'), '--host', '127.0.0.1', '--port', '0', '--without-connection-token', ...serverArgs(profile)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: true },
  );
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the VS Code server did not report a port within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (d) => {
      const s = d.toString();
      output += s;
      log(s);
      const m = /listening on (?:127\.0\.0\.1:)?(\d+)/i.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the VS Code server exited with ${code} before listening:\n${output}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    port,
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM'); // its own process group: the server and its extension hosts
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set FANG_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** The workbench URL that opens `folder` and, with `dev`, runs an extension's tests in the extension host. */
export function workbenchUrl(port, folder, dev) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  if (dev) {
    const payload = [
      ['extensionDevelopmentPath', remote(dev.extensionPath)],
      ['extensionTestsPath', remote(dev.testsPath)],
      ['skipWelcome', 'true'],
    ];
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}
