/**
 * Calls of known modules and globals: model calls (SDK, HTTP, CLI), code sinks, process spawns
 * and file writes. The dataflow asks here what a call of a module reference does.
 */
import { agentApprovalsOff, findModelCli, HOUSEKEEPING, nameLooksLikeModelWrapper } from '../catalog';
import { findSubcommand } from '../bash/commands';
import {
  basename, codeSink, CODE_FLAGS, fileWrite, hintIsModelUrl, hostOf, httpCall, INTERPRETERS, isRelative, processCall, sdkCall, langchainModelClass, type ProcessApi,
} from './modules';
import { CLEAN, deepFiles, deepTaint, modelOnly, selfOnly, union, type JsModelCall, type Ref, type Taints, type Val } from './taint';
import type { CallSite, JsEffectKind } from './results';

/** What calls.ts needs from the flow. */
export interface CallHost {
  readonly extraSdk: readonly string[];
  readonly extraCli: readonly string[];
  modelCall(site: CallSite, kind: JsModelCall['kind'], reason: string, confidence: 'high' | 'low', inputs: Taints, approvalsOff?: string): Val;
  effect(kind: JsEffectKind, site: CallSite, label: string, taint: Taints): void;
  spawn(site: CallSite, api: ProcessApi, sync: boolean, self: Taints, detached: boolean): void;
  write(files: string[], taint: Taints, site: CallSite): void;
  /** Taint of files written with model output that `v` names (a path, or a command mentioning one). */
  writtenTaint(v: Val): Taints;
  /** Where to report a model call whose program or URL is `decisive`: the wrapper's call site when one was handed it. */
  outerSite(site: CallSite, decisive: (Val | undefined)[]): CallSite;
  leave(site: CallSite, taint: Taints): void;
}

const truthy = (v: Val | undefined) => !!v && v.str !== undefined && v.str !== 'false' && v.str !== '' && v.str !== '0';
const prop = (v: Val | undefined, k: string) => v?.props?.get(k);

/** Programs that run a command inside a container or on another host. */
const REMOTE_OR_CONTAINER = /^(docker|podman|nerdctl|kubectl|oc|lxc|incus|ssh|sshpass|vagrant)$/;

/** The result of calling `ref`, or undefined to let the flow apply its generic rule. */
export function refCall(host: CallHost, ref: Ref, site: CallSite, argHasModel: boolean): Val | undefined {
  const { args } = site;
  const inputs = union(...args.map((a) => deepTaint(a)), ...(site.substitutions ?? []).map((a) => a.t));

  // --- code sinks -----------------------------------------------------------------
  const sink = codeSink(ref, site.isNew);
  if (sink) {
    const last = ref.path[ref.path.length - 1];
    const code = last === 'Function' ? union(...args.map((a) => deepTaint(a))) : args[0] && !args[0].fn ? deepTaint(args[0]) : CLEAN;
    host.effect('exec', site, sink, modelOnly(code));
    return { t: CLEAN };
  }
  if (ref.pkg === '<global>' && ref.path.length === 1 && ref.path[0] === 'require') return requireOrImport(host, site, '`require`');
  if (ref.pkg === '<global>' && ref.path.join('.') === 'JSON.parse') return { t: args[0] ? deepTaint(args[0]) : CLEAN };

  // --- file writes ----------------------------------------------------------------
  if (fileWrite(ref)) {
    const data = args[1] ? modelOnly(deepTaint(args[1])) : CLEAN;
    if (data.length && args[0]) host.write(deepFiles(args[0]), data, site);
    return { t: CLEAN };
  }

  // --- processes ------------------------------------------------------------------
  const proc = processCall(ref, site.isNew);
  if (proc) return processStart(host, ref, site, proc.api, proc.sync);

  // --- HTTP -----------------------------------------------------------------------
  const http = httpCall(ref);
  if (http) {
    const a0 = args[0];
    const urlHint = [ref.base, a0?.str ?? a0?.hint, prop(a0, 'url')?.hint ?? prop(a0, 'url')?.str, prop(a0, 'baseURL')?.str ?? prop(a0, 'baseURL')?.hint, prop(a0, 'prefixUrl')?.str ?? prop(a0, 'prefixUrl')?.hint, prop(a0, 'hostname')?.str, prop(a0, 'host')?.str, prop(a0, 'path')?.str].filter(Boolean).join('');
    if (http.factory) return { t: CLEAN, ref: { pkg: ref.pkg, path: [], instance: true, base: urlHint || undefined } };
    if (hintIsModelUrl(urlHint)) return host.modelCall(host.outerSite(site, [a0, prop(a0, 'url'), prop(a0, 'hostname')]), 'http', `a request to ${hostOf(urlHint)} (${http.client})`, 'high', inputs);
    return { t: inputs };
  }

  // --- SDKs -----------------------------------------------------------------------
  const sdk = sdkCall(ref, host.extraSdk, argHasModel);
  if (sdk) {
    if (site.isNew) {
      const cls = ref.path[ref.path.length - 1];
      return { t: CLEAN, ref: { pkg: ref.pkg, path: [], instance: true, cls, hasModel: langchainModelClass(cls) } };
    }
    if (sdk.model) return host.modelCall(site, 'sdk', sdk.reason, 'high', inputs);
    const path = [...ref.path.slice(0, -1), `${ref.path[ref.path.length - 1] ?? ''}()`];
    return { t: inputs, ref: { ...ref, path, hasModel: sdk.keepsModel ?? ref.hasModel } };
  }

  // --- leaving the file -----------------------------------------------------------
  if (isRelative(ref.pkg)) {
    // `import { askLLM } from './llm'`: a function of another file that plainly stands for a model call.
    const name = ref.path[ref.path.length - 1] ?? site.label;
    if (!site.isNew && nameLooksLikeModelWrapper(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))) {
      return host.modelCall(site, 'wrapper', `\`${name}\` from ${ref.pkg}, a model wrapper by its name`, 'low', inputs);
    }
    const m = modelOnly(inputs).filter((t) => t.origin.kind === 'model');
    if (m.length) host.leave(site, m);
    return undefined;
  }
  return undefined;
}

/** `require(x)` / `import(x)`: a module reference for literals, a sink for model text or files it wrote. */
export function requireOrImport(host: CallHost, site: CallSite, label: string): Val | undefined {
  const a = site.args[0];
  if (!a) return { t: CLEAN };
  const written = host.writtenTaint(a);
  if (written.length) {
    host.effect('file-exec', site, label, written);
    return { t: CLEAN };
  }
  const code = modelOnly(deepTaint(a)).filter((t) => t.origin.kind === 'model');
  if (code.length) {
    const data = /^data:|^blob:/.test(a.hint ?? a.str ?? '');
    host.effect('exec', site, data ? `${label} of a \`data:\` URL` : `${label} of a module named by model output`, code);
  }
  return undefined;
}

function processStart(host: CallHost, ref: Ref, site: CallSite, api: ProcessApi, sync: boolean): Val {
  const { args } = site;
  const label = `\`${site.label}\``;
  let program: Val | undefined;
  let argv: Val[] = [];
  let options: Val | undefined;
  let shellText: Val | undefined;
  const withProps = (from: number) => args.slice(from).find((a) => a.props);
  switch (api) {
    case 'shell':
    case 'command':
      shellText = args[0];
      options = withProps(1);
      break;
    case 'file':
      program = args[0];
      argv = args[1]?.elems ?? (args[1] && !args[1].props ? [args[1]] : []);
      options = withProps(1);
      break;
    case 'fork':
      program = { t: CLEAN, str: 'node' };
      argv = args[0] ? [args[0], ...(args[1]?.elems ?? (args[1] && !args[1].props ? [args[1]] : []))] : [];
      options = withProps(1);
      break;
    case 'worker':
      options = withProps(1);
      if (truthy(prop(options, 'eval'))) shellText = args[0];
      else argv = args[0] ? [args[0]] : [];
      program = { t: CLEAN, str: 'node' };
      break;
    case 'template':
      shellText = args[0];
      break;
    case 'argv': {
      // Bun.spawn(['prog', ...args], opts) or Bun.spawn({ cmd: [...] })
      const list = args[0]?.elems ?? prop(args[0], 'cmd')?.elems ?? [];
      program = list[0];
      argv = list.slice(1);
      options = withProps(1) ?? args[0];
      break;
    }
  }
  const all = [program, shellText, ...argv].filter((v): v is Val => !!v);
  const self = ref.pkg === 'cluster' ? [{ origin: { kind: 'self' as const, range: site.range, label: '`cluster.fork()`' }, steps: [] }] : selfOnly(union(...all.map((v) => deepTaint(v))));
  host.spawn(site, api, sync, self, truthy(prop(options, 'detached')));

  // A model CLI started here?
  const words = (shellText?.str ?? shellText?.hint ?? '').trim().split(/\s+/);
  let name = program?.str !== undefined ? basename(program.str) : words[0] ? basename(words[0]) : undefined;
  let sub = program?.str !== undefined ? argv[0]?.str : words[1];
  if (name && INTERPRETERS.test(name) && argv[0]?.str && CODE_FLAGS.test(argv[0].str) && argv[1]) {
    const inner = (argv[1].str ?? argv[1].hint ?? '').trim().split(/\s+/);
    name = inner[0] ? basename(inner[0]) : undefined;
    sub = inner[1];
  }
  const cli = name ? findModelCli(name, host.extraCli) : undefined;
  // the words after the program: argv (literal where known), or the rest of the command line
  const rest: (string | undefined)[] = program?.str !== undefined ? argv.map((a) => a.str) : words.slice(1);
  const subcommand = cli?.sub ? findSubcommand(rest, cli.sub) : undefined;
  const housekeeping = rest[0] !== undefined && HOUSEKEEPING.has(rest[0]) && !(cli?.sub && subcommand);
  if (cli && !housekeeping && (!cli.sub || subcommand !== undefined || (sub !== undefined && cli.sub.includes(sub)))) {
    const approvalsOff = agentApprovalsOff(cli, rest);
    return host.modelCall(host.outerSite(site, [program ?? shellText]), 'cli', `the \`${cli.name}\` CLI`, 'high', union(...all.map((v) => deepTaint(v))), approvalsOff);
  }
  const rawName = program?.str ?? words[0];
  if (!cli && rawName && api !== 'worker' && api !== 'fork' && !INTERPRETERS.test(basename(rawName)) && nameLooksLikeModelWrapper(rawName)) {
    return host.modelCall(host.outerSite(site, [program ?? shellText]), 'cli', `\`${rawName}\`, a model wrapper by its name`, 'low', union(...all.map((v) => deepTaint(v))));
  }

  // Model output run as code.
  const model = (v: Val | undefined) => (v ? modelOnly(deepTaint(v)).filter((t) => t.origin.kind === 'model') : CLEAN);
  const shell = truthy(prop(options, 'shell'));
  if (api === 'template') {
    host.effect('exec', site, `\`${site.label}\` template`, union(...(site.substitutions ?? []).map(model)));
  } else if (shellText) {
    host.effect('exec', site, api === 'worker' ? '`new Worker` with `eval: true`' : label, model(shellText));
  }
  if (program) host.effect('exec', site, `${label} (model output as the program)`, model(program));
  if (api === 'worker' && !shellText && args[0]) host.effect('exec', site, '`new Worker` of a script built from model output', model(args[0]));
  if (shell) host.effect('exec', site, `${label} with \`shell: true\``, union(...argv.map(model)));
  const progName = program?.str !== undefined ? basename(program.str) : shellText?.str !== undefined ? basename(shellText.str.trim().split(/\s+/)[0] ?? '') : undefined;
  if (progName && INTERPRETERS.test(progName)) {
    const flagAt = argv.findIndex((a) => a.str !== undefined && CODE_FLAGS.test(a.str));
    if (flagAt >= 0) host.effect('exec', site, `${label} running \`${progName} ${argv[flagAt]!.str}\``, union(...argv.slice(flagAt + 1).map(model)));
    const input = prop(options, 'input');
    if (input) host.effect('exec', site, `${label} feeding \`${progName}\` its code on standard input`, model(input));
  } else if (progName === undefined && program && argv[0]?.str === '-c' && argv.length > 1) {
    // `spawn(shell, ['-c', code])` with the shell chosen at run time (`$SHELL`, a configured path)
    host.effect('exec', site, `${label} running a shell's \`-c\``, union(...argv.slice(1).map(model)));
  } else if (progName && REMOTE_OR_CONTAINER.test(progName)) {
    // `docker exec NAME sh -c CODE`, `kubectl exec POD -- bash -c CODE`, `ssh HOST CODE`: a shell further in
    const at = argv.findIndex((a, i) => a.str !== undefined && INTERPRETERS.test(basename(a.str)) && argv[i + 1]?.str !== undefined && CODE_FLAGS.test(argv[i + 1]!.str!));
    if (at >= 0) host.effect('exec', site, `${label} running \`${basename(argv[at]!.str!)} ${argv[at + 1]!.str}\` in \`${progName}\``, union(...argv.slice(at + 2).map(model)));
    else if (progName === 'ssh') host.effect('exec', site, `${label} running a command on another host over \`ssh\``, union(...argv.filter((a) => a.str === undefined).map(model)));
  }
  // A file written with model output, then run.
  const written = union(...all.map((v) => host.writtenTaint(v)));
  if (written.length) host.effect('file-exec', site, label, written);
  // A shell or interpreter started without code to run reads its code from standard input.
  const reads = progName && INTERPRETERS.test(progName) && !argv.some((a) => a.str !== undefined && (CODE_FLAGS.test(a.str) || /\.\w+$/.test(a.str))) && (api === 'file' || api === 'shell');
  return { t: CLEAN, ref: { pkg: ref.pkg, path: [`${ref.path[ref.path.length - 1] ?? ''}()`], interpreter: reads ? progName : undefined } };
}
