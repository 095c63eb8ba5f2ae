/**
 * Lays out the host folder that the sandbox sees read-only at /run/fang: scripts, stub server,
 * shims, response script, hosts/resolv.conf, the snippet, and the workspace seed copy.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODEL_API_HOSTS, MODEL_CLIS } from '../core/catalog';
import { which, type SandboxLayout } from './backend';
import { HIDDEN_DIRS, SANDBOX_UID_BASE, SANDBOX_UID_SPAN, isRoot } from './bwrap';
import { fstab, safeShimTarget, safePlant, type MountEntry } from './mounts';
import { makeRunFolder } from './run-folder';
import { seccompProgram } from './seccomp';
import { refusedWorkspace } from './secrets';

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
import { EXEC_SH, INIT_SH, XTRACE_SH, planScript, type InitPlan } from './init-script';
import type { Limits } from './limits';
import { catalogCommands, commandWord, hostProgram, modelCommandsIn, recipeOf, type SnippetLanguage } from './model-commands';
import type { ResponseScript } from './responses';
import { SHIM_SH, shimSpecs } from './shim';
import { TRACED_SYSCALLS } from './strace-parser';
import { stubServerProgram } from './stub-server';
import { nodeHookProgram } from './node-hook';
import { SITECUSTOMIZE_PY } from './python-hook';
import { PYTHON_STUB_FILES } from './python-stubs';
import { copyWorkspace, type CopyResult } from './workspace';

export interface PrepareOptions {
  code: string;
  language: SnippetLanguage;
  workspaceDir?: string;
  responses: ResponseScript;
  /** Adversarial runs: the answer given to every request for code. */
  codeAnswer?: string | null;
  /** The same hostile answer in Python, given to requests for Python code. */
  codeAnswerPython?: string | null;
  limits: Limits;
  /** Model commands the user named (CLI flags, user settings, a confirmation): stubbed even where they are programs on this system. */
  modelCommands?: readonly string[];
  /**
   * Model commands a workspace file named (`.fang.json`, workspace settings): stubbed only where
   * they are no program on this system, so a workspace cannot decide what the dry-run hides.
   */
  workspaceModelCommands?: readonly string[];
  /** Workspace paths copied although they look like credentials (the user asked for them). */
  includeSecrets?: readonly string[];
  strace: boolean;
}

export interface Prepared {
  runDir: string;
  layout: SandboxLayout;
  plan: InitPlan;
  seed: CopyResult;
  /** Paths inside the sandbox that Fang put there (excluded from the file diff). */
  ignore: Set<string>;
  /** Paths inside the sandbox that are model shims. */
  shimPaths: Set<string>;
  /** Whether an exec'd path (as the snippet typed it, maybe relative) is a model shim. */
  isShim(execPath: string): boolean;
  stubbedCommands: string[];
  notes: string[];
  env: { home: string; pathPrefix: string; electron: boolean; nodeOptions: string };
  cleanup(): void;
}

const SHIM_BIN = '/run/fang/bin';

/** V8 reserves ~10 GB of address space per WebAssembly memory unless its trap handler is off;
 *  node's own fetch (undici) uses WebAssembly, so under RLIMIT_AS the handler must be off. */
let wasmFlagCache: Map<string, boolean> | undefined;
function supportsWasmFlag(node: string): boolean {
  wasmFlagCache ??= new Map();
  const known = wasmFlagCache.get(node);
  if (known !== undefined) return known;
  const ok =
    node === process.execPath
      ? process.allowedNodeEnvironmentFlags.has('--disable-wasm-trap-handler')
      : spawnSync(node, ['-e', '0'], { env: { NODE_OPTIONS: '--disable-wasm-trap-handler', ELECTRON_RUN_AS_NODE: '1' }, timeout: 10_000 }).status === 0;
  wasmFlagCache.set(node, ok);
  return ok;
}

function findNode(): { path: string; electron: boolean } {
  if (/^node(\.exe)?$/.test(path.basename(process.execPath))) return { path: process.execPath, electron: false };
  const onPath = which('node');
  if (onPath) return { path: onPath, electron: false };
  // Inside the editor's extension host the runtime is Electron, which runs as node on request.
  return { path: process.execPath, electron: true };
}

/** The Python that runs Python snippets: the system's python3 first (a version manager's shim in a home folder would not run in the sandbox). */
function findPython(): string {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (fs.existsSync(p)) return p;
  const onPath = which('python3') ?? which('python');
  if (!onPath) throw new Error('dry-running Python needs python3 on this machine (e.g. apt-get install python3)');
  return fs.realpathSync(onPath);
}

function underHidden(p: string): boolean {
  return HIDDEN_DIRS.some((d) => p === d || p.startsWith(d + '/'));
}

function snippetFile(code: string, language: SnippetLanguage): { name: string; text: string; esm: boolean } {
  const recipe = recipeOf(language);
  if (recipe.runtime === 'bash') return { name: `${recipe.file}.sh`, text: code, esm: false };
  if (recipe.runtime === 'python') return { name: `${recipe.file}.py`, text: code, esm: false };
  const esmSyntax = /^\s*(import\s[^(]|export\s)/m.test(code) || /^\s*await\s/m.test(code);
  const plain = (text: string) => (esmSyntax ? { name: `${recipe.file}.mjs`, text, esm: true } : { name: `${recipe.file}.cjs`, text, esm: false });
  if (!recipe.transform) return plain(code);
  // TypeScript: sucrase strips the types (pure JavaScript, bundled with Fang, nothing executed
  // here) and keeps every line where it was, so the trace's line numbers are the snippet's.
  // Loaded on first use: a Bash run does not pay for it. Bundled (a plain require).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sucrase = require('sucrase') as typeof import('sucrase');
  const name = recipe.transform === 'tsx' ? 'TSX' : 'TypeScript';
  try {
    const transforms: ('typescript' | 'jsx')[] = recipe.transform === 'tsx' ? ['typescript', 'jsx'] : ['typescript'];
    const out = sucrase.transform(code, { transforms, disableESTransforms: true, keepUnusedImports: true, filePath: `${recipe.file}.${recipe.transform}` });
    return plain(out.code);
  } catch (e) {
    const m = /^(.*?) ?\((\d+):(\d+)\)$/.exec((e as Error).message);
    throw new Error(`the ${name} snippet does not compile: ${m ? `line ${m[2]}: ${m[1]}` : (e as Error).message}`);
  }
}

export async function prepareRun(o: PrepareOptions): Promise<Prepared> {
  const sandboxUid = isRoot() ? SANDBOX_UID_BASE + crypto.randomInt(SANDBOX_UID_SPAN) : null;
  const runDir = makeRunFolder(sandboxUid === null);
  const cleanup = (): void => fs.rmSync(runDir, { recursive: true, force: true });
  try {
    return await layOut(o, runDir, sandboxUid, cleanup);
  } catch (e) {
    cleanup();
    throw e;
  }
}

async function layOut(o: PrepareOptions, runDir: string, sandboxUid: number | null, cleanup: () => void): Promise<Prepared> {
  // Everything the sandbox reads is in `fang`, owned by the sandbox's uid and private to it.
  const fang = path.join(runDir, 'fang');
  const bin = path.join(fang, 'bin');
  const seedDir = path.join(fang, 'seed');
  fs.mkdirSync(bin, { recursive: true, mode: 0o700 });
  fs.mkdirSync(seedDir, { mode: 0o700 });
  fs.chmodSync(fang, 0o700);
  const notes: string[] = [];

  // The sandbox's home is a tmpfs at the real home's path; a user without one gets /tmp/home.
  const real = os.homedir();
  const home = real && real !== '/' && fs.existsSync(real) ? real : '/tmp/home';
  let workspace: string;
  let seed: CopyResult;
  if (o.workspaceDir) {
    workspace = fs.realpathSync(o.workspaceDir);
    if (!fs.statSync(workspace).isDirectory()) throw new Error(`the workspace ${o.workspaceDir} is not a folder`);
    const refused = refusedWorkspace(workspace, real ? realpathOr(real) : '', isRoot());
    if (refused) throw new Error(`refusing to use ${workspace} as the workspace: ${refused}; choose the project folder`);
    seed = copyWorkspace(workspace, seedDir, undefined, o.includeSecrets ?? []);
  } else {
    workspace = path.posix.join(home, 'workspace');
    seed = { entries: new Map(), files: 0, bytes: 0, skipped: [], secrets: [], nodeModules: null };
  }
  notes.push(...seed.skipped.slice(0, 20));
  if (seed.skipped.length > 20) notes.push(`... and ${seed.skipped.length - 20} more paths not copied`);

  const node = findNode();
  const roBinds: string[] = [];
  if (underHidden(node.path)) roBinds.push(path.dirname(path.dirname(node.path)));
  const python = recipeOf(o.language).runtime === 'python' ? findPython() : '';
  if (python && underHidden(python)) roBinds.push(path.dirname(path.dirname(python)));
  let nodeModules = seed.nodeModules;
  if (nodeModules && typeof process.getuid === 'function' && process.getuid() === 0 && !everyoneCanEnter(nodeModules)) {
    notes.push('node_modules is not readable by the sandbox uid and was left out');
    nodeModules = null;
  }

  // The shims: every catalog command, configured model commands, and the snippet's wrappers.
  const named = modelCommandsIn(o.code, o.language, [...(o.modelCommands ?? []), ...(o.workspaceModelCommands ?? [])]);
  const byUser = new Set((o.modelCommands ?? []).map(commandWord));
  const byWorkspace = new Set((o.workspaceModelCommands ?? []).map(commandWord));
  const specs: Record<string, { sub?: string[]; flags?: string[] }> = {};
  for (const c of MODEL_CLIS) specs[c.name] = { sub: c.sub, flags: c.flags };
  const shimPaths = new Set<string>();
  const ignore = new Set<string>();
  const plants: string[] = [];
  const shimBinds: string[] = [];
  const essentials = [node.path, ...['bash', 'sh', 'env', 'strace', 'setpriv', 'cat', 'cp', 'ln', 'mkdir', 'mount', 'find', 'stat', 'dirname'].map((t) => which(t)).filter((t): t is string => t !== null)];
  fs.writeFileSync(path.join(bin, '.shim'), SHIM_SH, { mode: 0o755 });
  const bare = new Set(catalogCommands());
  for (const name of named) {
    if (byWorkspace.has(name) || byUser.has(name)) {
      const program = hostProgram(name, o.workspaceDir);
      if (program && !byUser.has(name)) {
        notes.push(`${name}: named as a model command by the workspace configuration, but it is a program on this system (${program}); not stubbed, so this report shows what it does (confirm in the editor, or pass --model-command ${name}, to stub it)`);
        continue;
      }
      if (program) notes.push(`${name}: stubbed as a model command at your request although it is a program on this system (${program}); what it would do is not in this report, its calls are listed as model calls`);
    }
    if (!name.includes('/')) {
      bare.add(name);
      specs[name] ??= {};
      continue;
    }
    specs[path.posix.basename(name)] ??= {};
    const abs = path.posix.isAbsolute(name) ? path.posix.normalize(name) : path.posix.join(workspace, name);
    if (abs.startsWith(workspace + '/')) {
      const rel = abs.slice(workspace.length + 1);
      const unsafe = safePlant(rel);
      if (unsafe) {
        notes.push(`${name}: named as a model command, but ${unsafe}; not stubbed`);
        continue;
      }
      plants.push(rel);
      shimPaths.add(abs);
      ignore.add(abs);
    } else {
      const unsafe = safeShimTarget(abs, essentials);
      if (unsafe) notes.push(`${name}: named as a model command, but ${unsafe}; not stubbed`);
      else {
        shimBinds.push(abs);
        shimPaths.add(abs);
      }
    }
  }
  for (const name of bare) {
    if (!/^[A-Za-z0-9_.@+-]+$/.test(name) || name.startsWith('.')) continue;
    fs.symlinkSync('.shim', path.join(bin, name));
    shimPaths.add(`${SHIM_BIN}/${name}`);
    // A model CLI installed on the host is covered too, for snippets that call it by full path.
    const installed = which(name);
    if (installed && !underHidden(installed) && !shimBinds.includes(installed) && !safeShimTarget(installed, essentials)) {
      shimBinds.push(installed);
      shimPaths.add(installed);
    }
  }
  fs.writeFileSync(path.join(fang, 'shims.sh'), shimSpecs(specs));
  fs.writeFileSync(
    path.join(fang, 'responses.json'),
    JSON.stringify({ language: o.language, rules: o.responses.rules, defaultAnswer: o.responses.defaultAnswer, codeAnswer: o.codeAnswer ?? null, codeAnswerPython: o.codeAnswerPython ?? null }),
  );
  fs.writeFileSync(path.join(fang, 'stub.js'), `(${stubServerProgram.toString()})();\n`);
  fs.writeFileSync(path.join(fang, 'node-hook.js'), `(${nodeHookProgram.toString()})();\n`);
  if (recipeOf(o.language).runtime === 'python') writePythonSupport(fang);

  const hosts = ['127.0.0.1 localhost fang-sandbox', '::1 localhost ip6-localhost', ...MODEL_API_HOSTS.filter((h) => h.includes('.')).map((h) => `127.0.0.1 ${h}`)];
  fs.writeFileSync(path.join(fang, 'hosts'), hosts.join('\n') + '\n');
  fs.writeFileSync(path.join(fang, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');

  const sn = snippetFile(o.code, o.language);
  fs.writeFileSync(path.join(fang, sn.name), sn.text);
  const plantSnippet = sn.esm ? '.fang-dry-run.mjs' : null;
  if (plantSnippet) ignore.add(path.posix.join(workspace, plantSnippet));
  if (nodeModules) ignore.add(path.posix.join(workspace, 'node_modules'));

  const plan: InitPlan = {
    workspace,
    home,
    language: recipeOf(o.language).runtime,
    snippet: `/run/fang/${sn.name}`,
    plantSnippet,
    plants,
    seed: seed.files > 0,
    nproc: o.limits.processes,
    addressSpace: o.limits.memoryBytes,
    strace: o.strace,
    syscalls: TRACED_SYSCALLS,
    node: node.path,
    python,
    dropCaps: true,
    stub: needsStub(o.code, o.language, named),
  };
  fs.writeFileSync(path.join(fang, 'plan.sh'), planScript(plan));
  fs.writeFileSync(path.join(fang, 'init.sh'), INIT_SH);
  fs.writeFileSync(path.join(fang, 'exec.sh'), EXEC_SH);
  fs.writeFileSync(path.join(fang, 'xtrace.sh'), XTRACE_SH);

  // The writable areas, capped in size and inodes, mounted by init (bubblewrap cannot cap
  // inodes); then what bubblewrap staged under /run/fang-stage goes where it belongs.
  const inodes = o.limits.tmpfsInodes;
  const areas: MountEntry[] = [
    { source: 'fang-tmp', target: '/tmp', type: 'tmpfs', options: `size=${o.limits.tmpfsBytes},nr_inodes=${inodes},mode=1777` },
    { source: 'fang-home', target: home, type: 'tmpfs', options: `size=${o.limits.tmpfsBytes},nr_inodes=${inodes},mode=700` },
    { source: 'fang-workspace', target: workspace, type: 'tmpfs', options: `size=${o.limits.tmpfsBytes + seed.bytes + 4 * 1024 * 1024},nr_inodes=${inodes + seed.files + 64},mode=755` },
    { source: 'fang-shm', target: '/dev/shm', type: 'tmpfs', options: `size=${o.limits.tmpfsBytes},nr_inodes=1024,mode=1777` },
  ];
  areas.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  const staged: Array<[string, string]> = [];
  const stage = (hostPath: string, target: string): void => {
    const at = `/run/fang-stage/${staged.length}`;
    staged.push([hostPath, at]);
    areas.push({ source: at, target, type: 'none', options: 'bind,ro' });
  };
  for (const b of roBinds) stage(b, b);
  if (nodeModules) stage(nodeModules, path.posix.join(workspace, 'node_modules'));
  fs.writeFileSync(path.join(fang, 'mounts.fstab'), fstab(areas));
  fs.writeFileSync(path.join(fang, 'shims.fstab'), fstab(shimBinds.map((t) => ({ source: '/run/fang/bin/.shim', target: t, type: 'none', options: 'bind,ro' }))));
  const filter = seccompProgram();
  if (filter) fs.writeFileSync(path.join(runDir, 'seccomp.bpf'), filter, { mode: 0o600 });
  else notes.push(`no seccomp filter for the ${process.arch} architecture: unix sockets, nested user namespaces, memfd and SysV shared memory are not refused in this run`);
  if (sandboxUid !== null) chownTree(fang, sandboxUid);

  const layout: SandboxLayout = {
    runDir,
    fangDir: fang,
    workspace,
    home,
    sandboxUid,
    seccomp: filter !== null,
    mountPoints: areas.filter((a) => a.type === 'tmpfs').map((a) => a.target),
    staged,
    roBinds,
    shimBinds,
  };
  return {
    runDir,
    layout,
    plan,
    seed,
    ignore,
    shimPaths,
    isShim: (p: string) =>
      shimPaths.has(p) || p.startsWith(`${SHIM_BIN}/`) || (!p.startsWith('/') && plants.includes(path.posix.normalize(p))),
    stubbedCommands: [...bare, ...plants.map((p) => `./${p}`), ...shimBinds].sort(),
    notes,
    env: { home, pathPrefix: SHIM_BIN, electron: node.electron, nodeOptions: supportsWasmFlag(node.path) ? '--disable-wasm-trap-handler' : '' },
    cleanup,
  };
}

/** Hands the sandbox's folder to its uid (modes stay as they are: owner-only stays owner-only). */
/**
 * Python's start-up module (the trace hook, python-hook.ts) in /run/fang/python, which the
 * sandbox puts first on PYTHONPATH, and the stand-in SDK modules in /run/fang/python-stubs, which
 * the hook appends to the end of sys.path (an installed SDK wins).
 */
function writePythonSupport(fang: string): void {
  const dirs = [path.join(fang, 'python'), path.join(fang, 'python-stubs')];
  for (const d of dirs) fs.mkdirSync(d, { mode: 0o755 });
  fs.writeFileSync(path.join(dirs[0]!, 'sitecustomize.py'), SITECUSTOMIZE_PY, { mode: 0o644 });
  for (const [rel, text] of Object.entries(PYTHON_STUB_FILES)) {
    const file = path.join(dirs[1]!, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, text, { mode: 0o644 });
  }
}

function chownTree(dir: string, uid: number): void {
  fs.lchownSync(dir, uid, uid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) fs.lchownSync(path.join(e.parentPath, e.name), uid, uid);
}

/** Whether "others" may traverse every folder up to `p` and read it (the sandbox uid is nobody). */
function everyoneCanEnter(p: string): boolean {
  let cur = p;
  for (;;) {
    try {
      const st = fs.statSync(cur);
      if ((st.mode & 0o005) !== 0o005) return false;
    } catch {
      return false;
    }
    const up = path.dirname(cur);
    if (up === cur) return true;
    cur = up;
  }
}

/**
 * Whether the snippet could reach a model or the network at all. Starting the stub server
 * costs a node start (~50 ms), so a snippet that only runs plain commands goes without it;
 * anything that can run other code, name a host or a model keeps it.
 */
export function needsStub(code: string, language: SnippetLanguage, named: readonly string[]): boolean {
  if (recipeOf(language).runtime !== 'bash' || named.length) return true;
  return /\b(curl|wget|https?|xh|nc|ncat|netcat|socat|telnet|ssh|scp|sftp|rsync|ftp|dig|nslookup|host|ping|python[\d.]*|node|nodejs|perl|ruby|php|deno|bun|go|java|bash|sh|zsh|dash|ksh|fish|busybox|source|eval|exec|xargs|parallel|env|sudo|su|apt|apt-get|pip\d*|npm|npx|yarn|pnpm|git|docker|podman|gh|aws|gcloud|az|kubectl|make|crontab|at|systemctl|nohup|setsid|script|expect|awk|gawk|sed|find|vim?|emacs)\b|:\/\/|\/dev\/(tcp|udp)|\$0|\$\{?BASH_SOURCE|(^|[\s;&|(])\.{1,2}\/|(^|[\s;&|(])\/[\w.-]+\/|(^|[\s;&|(])\.\s|\$\{?[A-Za-z_]\w*\}?\s|_BASE_URL|OLLAMA_HOST|[A-Za-z0-9-]+\.(com|net|org|io|ai|dev|sh|xyz)\b/m.test(code);
}
