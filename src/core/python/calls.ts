/**
 * Calls of known modules and builtins: model calls (SDK, HTTP, CLI), code sinks, process starts,
 * file writes and reads. The dataflow asks here what calling a reference does.
 */
import { findModelCli, nameLooksLikeModelWrapper } from '../catalog';
import {
  basename, codeSink, CODE_FLAGS, CODE_TOOLS, deserializeSink, hintIsModelUrl, hostOf, httpCall, importSink, INTERPRETERS, isRelative, processCall,
  qualName, REMOTE_COMMANDS, sdkCall, templateSink, langchainModelClass, type ProcessApi,
} from './modules';
import { CLEAN, concat, deepFiles, deepTaint, extend, modelOnly, modelOrSelf, NOTHING, ofKind, union, type PyModelCall, type Ref, type Taints, type Val } from './values';
import { argOf, type CallSite, type PyEffectKind, type PySpawn } from './results';

/** What calls.ts needs from the flow. */
export interface CallHost {
  readonly extraSdk: readonly string[];
  readonly extraCli: readonly string[];
  modelCall(site: CallSite, kind: PyModelCall['kind'], reason: string, confidence: 'high' | 'low', inputs: Taints): Val;
  effect(kind: PyEffectKind, site: CallSite, label: string, taint: Taints): void;
  spawn(site: CallSite, s: Omit<PySpawn, 'node' | 'range' | 'label'>): void;
  /** Records text written to files (model output for write-then-run; model output or the program's path for persistence). */
  write(files: readonly string[], taint: Taints, site: CallSite): void;
  /** What reading the files `v` names yields: model output written there, host names from SSH files. */
  readTaint(v: Val, site: CallSite): Taints;
  /** Taint of files written with model output that `v` names (a path, or a command line mentioning one). */
  writtenTaint(v: Val): Taints;
  leave(site: CallSite, taint: Taints): void;
  /** Calls a function value with arguments (callbacks, tools); `how` words the step. */
  callValue(fn: Val, args: Val[], site: CallSite, how?: string): Val;
  /** Answers of model calls made through an `http.client` connection to `base`. */
  readonly responses: Map<string, Val>;
  /** The methods an agent framework calls on a tool object of this file (`_run`, `forward`, `__call__`). */
  toolMethods(v: Val): Val[];
}

const truthy = (v: Val | undefined) => !!v && v.str !== undefined && !/^(False|None|0|)$/.test(v.str);
const model = (v: Val | undefined): Taints => (v ? modelOnly(deepTaint(v)) : CLEAN);
const inputsOf = (site: CallSite) => union(...site.args.map((a) => deepTaint(a)), ...[...site.kwargs.values()].map((a) => deepTaint(a)), site.rest);

/** The result of calling `ref`, or undefined to let the flow apply its generic rule. */
export function refCall(host: CallHost, ref: Ref, site: CallSite, argHasModel: boolean): Val | undefined {
  const q = qualName(ref);
  const a0 = site.args[0];

  // --- code sinks -----------------------------------------------------------------
  const sink = codeSink(ref);
  if (sink) {
    const code = argOf(site, sink.arg, sink.kw);
    if (q === 'builtins.execfile') {
      host.effect('file-exec', site, '`execfile`', code ? host.writtenTaint(code) : CLEAN);
      host.effect('exec', site, '`execfile` of a path chosen by model output', model(code));
      return NOTHING;
    }
    host.effect('exec', site, sink.label, code && !code.fn ? model(code) : CLEAN);
    // `eval(answer)` is the answer's value.
    return q === 'builtins.eval' && code ? { t: deepTaint(code) } : NOTHING;
  }
  if (q === 'builtins.compile') return a0 ? { t: extend(deepTaint(a0), site.range, 'compiled here') } : NOTHING;
  const imp = importSink(ref);
  if (imp) return importCall(host, site, imp, q);
  const kwText = new Map([...site.kwargs].map(([k, v]) => [k, v.str ?? v.hint ?? (v.ref ? qualName(v.ref) : undefined)] as const));
  const des = deserializeSink(ref, kwText);
  if (des) {
    host.effect('exec', site, `${des} (it runs code hidden in its input)`, model(a0));
    return { t: a0 ? deepTaint(a0) : CLEAN };
  }
  const tpl = templateSink(ref);
  if (tpl) {
    host.effect('exec', site, `a ${tpl} built from it (a template is code)`, model(argOf(site, 0, 'source')));
    return { t: CLEAN, ref: { pkg: ref.instance ? ref.pkg : 'jinja2', path: [], instance: true, cls: 'Template' } };
  }

  // --- the environment: `os.environ.get("OLLAMA_HOST", default)` names the variable ---------
  if (/^os\.(getenv|environ\.get|environ\.setdefault)$/.test(q) && a0?.str !== undefined) return { t: CLEAN, hint: `$${a0.str}` };

  // --- files ------------------------------------------------------------------------
  const file = fileCall(host, ref, site, q);
  if (file) return file;

  // --- processes ------------------------------------------------------------------
  const proc = processCall(ref);
  if (proc) return processStart(host, ref, site, proc.api, proc.sync, !!proc.replaces);

  // --- remote hosts ------------------------------------------------------------------
  const remote = remoteCall(host, ref, site);
  if (remote) return remote;

  // --- HTTP -----------------------------------------------------------------------
  if (q === 'urllib.request.Request' || q === 'urllib2.Request') {
    const url = argOf(site, 0, 'url');
    return { t: inputsOf(site), hint: url?.str ?? url?.hint, str: url?.str };
  }
  const http = httpCall(ref);
  if (http) {
    const url = argOf(site, http.urlArg, 'url');
    const base = ref.base ?? '';
    if (http.factory) {
      const b = http.client === 'http.client' ? `https://${url?.str ?? url?.hint ?? '…'}` : (argOf(site, -1, 'base_url')?.str ?? argOf(site, -1, 'base_url')?.hint ?? '');
      return { t: CLEAN, ref: { pkg: ref.instance ? ref.pkg : qualName({ pkg: ref.pkg, path: ref.path.slice(0, -1) }), path: [], instance: true, cls: ref.path[ref.path.length - 1], base: b || undefined } };
    }
    const hint = base + (url?.str ?? url?.hint ?? '');
    if (hintIsModelUrl(hint)) {
      const answer = host.modelCall(site, 'http', `a request to ${hostOf(hint)} (${http.client})`, 'high', inputsOf(site));
      if (http.client === 'http.client') host.responses.set(base, answer);
      return answer;
    }
    return { t: inputsOf(site) };
  }
  if (ref.instance && /^(http\.client|httplib)$/.test(ref.pkg) && ref.path.join('.') === 'getresponse') return host.responses.get(ref.base ?? '') ?? NOTHING;

  // --- SDKs -----------------------------------------------------------------------
  const sdk = sdkCall(ref, host.extraSdk, argHasModel);
  if (sdk) return sdkResult(host, ref, site, sdk);

  // --- another module of the project ------------------------------------------------
  if (isRelative(ref.pkg) && !ref.instance) {
    // `from .llm import ask_llm`: a function of another module that plainly stands for a model call.
    const name = ref.path[ref.path.length - 1] ?? site.label;
    // A class of that module (`Ai(self)`) is constructed, not called: only functions count by their names.
    if (!/^[A-Z]/.test(name) && nameLooksLikeModelWrapper(name)) return host.modelCall(site, 'wrapper', `\`${name}\` from ${ref.pkg}, a model wrapper by its name`, 'low', inputsOf(site));
    const m = modelOnly(inputsOf(site));
    if (m.length) host.leave(site, m);
  }
  return undefined;
}

/** `__import__(x)`, `importlib.import_module(x)`, `runpy.run_path(p)`: a module reference for literals, a sink for model text or files it wrote. */
function importCall(host: CallHost, site: CallSite, imp: { label: string; by: 'name' | 'path' }, q: string): Val {
  const a = imp.by === 'path' && q.endsWith('spec_from_file_location') ? argOf(site, 1, 'location') : argOf(site, 0, imp.by === 'name' ? 'name' : 'path_name');
  if (!a) return NOTHING;
  const asFile = imp.by === 'path' ? a : a.str !== undefined ? { ...a, str: `${a.str.replace(/\./g, '/')}.py` } : a;
  const written = host.writtenTaint(asFile);
  if (written.length) {
    host.effect('file-exec', site, imp.label, written);
    return NOTHING;
  }
  const code = model(a);
  if (code.length) host.effect('exec', site, `${imp.label} of a ${imp.by === 'name' ? 'module' : 'file'} named by model output`, code);
  if (a.str !== undefined && imp.by === 'name' && !q.startsWith('runpy')) return { t: CLEAN, ref: { pkg: a.str, path: [] } };
  return NOTHING;
}

/** open(), pathlib, tempfile, shutil: handles, reads and writes. */
function fileCall(host: CallHost, ref: Ref, site: CallSite, q: string): Val | undefined {
  const a0 = site.args[0];
  const path = ref.path.join('.');
  if (q === 'builtins.open' || q === 'io.open' || q === 'codecs.open' || q === 'os.fdopen' || (ref.instance && ref.cls === 'Path' && path === 'open')) {
    const target = ref.instance ? { t: CLEAN, files: ref.base !== undefined ? [ref.base] : [] } : (argOf(site, 0, 'file') ?? NOTHING);
    const mode = argOf(site, ref.instance ? 0 : 1, 'mode')?.str ?? 'r';
    const write = /[wax+]/.test(mode);
    const files = deepFiles(target);
    return { t: write ? CLEAN : host.readTaint(target, site), handle: { files, write }, files };
  }
  if (/^tempfile\.(NamedTemporaryFile|TemporaryFile|SpooledTemporaryFile)$/.test(q)) {
    const mode = argOf(site, 0, 'mode')?.str ?? 'w+b';
    const id = `#tmp${site.node.id}${argOf(site, -1, 'suffix')?.str ?? ''}`;
    return { t: CLEAN, handle: { files: [id], write: /[wax+]/.test(mode) }, files: [id], props: new Map([['name', { t: CLEAN, files: [id] }]]) };
  }
  if (q === 'tempfile.mkstemp') {
    const id = `#tmp${site.node.id}${argOf(site, 0, 'suffix')?.str ?? ''}`;
    return { t: CLEAN, elems: [{ t: CLEAN, files: [id] }, { t: CLEAN, files: [id] }] };
  }
  if (/^(pathlib\.)?(Pure)?(Posix|Windows)?Path$/.test(q) && !ref.instance) {
    const joined = site.args.length ? concat(site.args.flatMap((a, i) => (i ? [{ t: CLEAN, str: '/' }, a] : [a]))) : { t: CLEAN, str: '.' };
    return pathVal(joined);
  }
  if (/^pathlib\.Path\.(home|cwd)$/.test(q)) return pathVal({ t: CLEAN, str: q.endsWith('home') ? '~' : '.' });
  if (ref.instance && ref.cls === 'Path') {
    const self: Val = { t: CLEAN, str: ref.base, files: ref.base !== undefined ? [ref.base] : undefined };
    if (/^write_(text|bytes)$/.test(path)) {
      host.write(deepFiles(self), modelOrSelf(deepTaint(argOf(site, 0, 'data') ?? NOTHING)), site);
      return NOTHING;
    }
    if (/^read_(text|bytes)$/.test(path)) return { t: host.readTaint(self, site) };
    if (/^(joinpath|with_suffix|with_name)$/.test(path)) return pathVal(concat([self, { t: CLEAN, str: path === 'joinpath' ? '/' : '' }, ...site.args]));
    return undefined;
  }
  if (/^os\.path\.(join)$/.test(q)) return concat(site.args.flatMap((a, i) => (i ? [{ t: CLEAN, str: '/' }, a] : [a])));
  if (/^os\.path\.(expanduser|expandvars|abspath|realpath|normpath)$/.test(q) && a0) return a0;
  if (/^os\.path\.dirname$/.test(q) && a0) return { t: a0.t.filter((t) => t.origin.kind !== 'self'), str: a0.str?.replace(/\/[^/]*$/, '') };
  if (/^shutil\.(copy|copy2|copyfile|move)$/.test(q) && a0 && site.args[1]) {
    // A copy of the program itself, or of a file written with model output.
    const src = union(modelOrSelf(deepTaint(a0)).filter((t) => t.origin.kind === 'self'), host.writtenTaint(a0));
    if (src.length) host.write(deepFiles(site.args[1]), src, site);
    return NOTHING;
  }
  if (q === 'os.chmod' || q === 'os.remove' || q === 'os.unlink' || q === 'os.makedirs' || q === 'os.mkdir') return NOTHING;
  if (/^json\.dump$/.test(q) && a0 && site.args[1]?.handle?.write) {
    host.write(site.args[1].handle.files, modelOrSelf(deepTaint(a0)), site);
    return NOTHING;
  }
  if (q === 'builtins.print') {
    const out = site.kwargs.get('file');
    if (out?.handle?.write) host.write(out.handle.files, modelOrSelf(union(...site.args.map((a) => deepTaint(a)))), site);
    return NOTHING;
  }
  return undefined;
}

export function pathVal(v: Val): Val {
  const str = v.str;
  return { t: v.t, str, hint: v.hint, files: str !== undefined ? [str, ...(v.files ?? [])] : v.files, ref: { pkg: 'pathlib', path: [], instance: true, cls: 'Path', base: str ?? v.hint } };
}

/** paramiko, fabric: connections to other hosts and commands run there. */
function remoteCall(host: CallHost, ref: Ref, site: CallSite): Val | undefined {
  const path = ref.path.join('.');
  const hostArg = argOf(site, 0, 'hostname') ?? argOf(site, 0, 'host');
  if (ref.instance && /^(paramiko|fabric|asyncssh)/.test(ref.pkg)) {
    if (/^connect$/.test(path)) {
      host.effect('spread', site, `\`${site.label}\``, ofKind(hostArg ? deepTaint(hostArg) : CLEAN, 'hosts'));
      return NOTHING;
    }
    if (/^(exec_command|run|sudo)$/.test(path)) {
      host.effect('exec', site, `\`${site.label}\` (runs it on another host)`, model(argOf(site, 0, 'command')));
      return { t: CLEAN };
    }
    return undefined;
  }
  const q = qualName(ref);
  if (/^paramiko(\.client)?\.SSHClient$/.test(q)) return { t: CLEAN, ref: { pkg: 'paramiko', path: [], instance: true, cls: 'SSHClient' } };
  if (/^(fabric\.Connection|asyncssh\.connect)$/.test(q)) {
    host.effect('spread', site, `\`${site.label}\``, ofKind(hostArg ? deepTaint(hostArg) : CLEAN, 'hosts'));
    return { t: CLEAN, ref: { pkg: ref.pkg, path: [], instance: true, cls: ref.path[ref.path.length - 1] } };
  }
  return undefined;
}

/** What an SDK call gives: a client, a model answer (tools run with the model's arguments), or a builder step. */
function sdkResult(host: CallHost, ref: Ref, site: CallSite, sdk: { model: boolean; keepsModel?: boolean; client?: string; reason: string }): Val {
  const fns = collectFns([...site.args, ...site.kwargs.values()], (v) => host.toolMethods(v));
  const codeTools = [...(ref.codeTools ?? []), ...collectCodeTools([...site.args, ...site.kwargs.values()])];
  if (sdk.client) {
    const ctorDepth = ref.path[ref.path.length - 1] === sdk.client ? 1 : 2;
    const pkg = ref.instance ? ref.pkg : qualName({ pkg: ref.pkg, path: ref.path.slice(0, -ctorDepth) });
    if (CODE_TOOLS.test(sdk.client)) codeTools.push(sdk.client);
    return { t: CLEAN, ref: { pkg, path: [], instance: true, cls: sdk.client, hasModel: sdk.keepsModel || langchainModelClass(sdk.client) || undefined, tools: fns.length ? fns : undefined, codeTools: codeTools.length ? codeTools : undefined } };
  }
  if (sdk.model) {
    const answer = host.modelCall(site, 'sdk', sdk.reason, 'high', inputsOf(site));
    // An agent given tools: each runs with arguments the model chose; tools that run code run the answer.
    for (const tool of [...fns, ...(ref.tools ?? [])]) {
      const arg: Val = { t: extend(answer.t, site.range, 'tool arguments chosen by the model here') };
      host.callValue(tool, [arg, arg, arg, arg], site, 'received by the tool as');
    }
    for (const name of new Set(codeTools)) host.effect('exec', site, `the \`${name}\` given to the agent (it runs what the model writes)`, modelOnly(answer.t));
    if (ref.cls === 'CodeAgent') host.effect('exec', site, '`CodeAgent`, which runs the Python the model writes', modelOnly(answer.t));
    return answer;
  }
  const last = ref.path[ref.path.length - 1] ?? '';
  const instructor = !ref.instance && /^instructor\.(from_\w+|patch|apatch)$/.test(qualName(ref));
  if (instructor && site.args[0]) return site.args[0];
  const keeps = sdk.keepsModel ?? ref.hasModel;
  const tools = [...(ref.tools ?? []), ...fns];
  return {
    t: inputsOf(site),
    ref: {
      ...ref,
      path: ref.path.length ? [...ref.path.slice(0, -1), `${last}()`] : ref.path,
      hasModel: keeps || undefined,
      tools: tools.length ? tools : undefined,
      codeTools: codeTools.length ? codeTools : undefined,
    },
  };
}

/** Function values inside arguments: `tools=[f, g]`, `{"run": f}`, a LangChain tool. */
export function collectFns(vals: Iterable<Val>, methods: (v: Val) => Val[], depth = 3): Val[] {
  const out: Val[] = [];
  const visit = (v: Val, d: number) => {
    if (v.fn) out.push(v);
    if (v.instanceOf) out.push(...methods(v));
    for (const t of v.ref?.tools ?? []) out.push(t);
    if (d === 0) return;
    for (const p of v.props?.values() ?? []) visit(p, d - 1);
    for (const e of v.elems ?? []) visit(e, d - 1);
  };
  for (const v of vals) visit(v, depth);
  return out;
}

function collectCodeTools(vals: Iterable<Val>, depth = 3): string[] {
  const out: string[] = [];
  const visit = (v: Val, d: number) => {
    if (v.ref?.cls && CODE_TOOLS.test(v.ref.cls)) out.push(v.ref.cls);
    if (v.ref?.codeTools) out.push(...v.ref.codeTools);
    if (d === 0) return;
    for (const e of v.elems ?? []) visit(e, d - 1);
    for (const p of v.props?.values() ?? []) visit(p, d - 1);
  };
  for (const v of vals) visit(v, depth);
  return out;
}

/** The program, its words and the shell text of a process start, by API. */
function commandOf(api: ProcessApi, site: CallSite): { program?: Val; words: Val[]; shellText?: Val } {
  const { args } = site;
  // The items of a list, and what is known only of the whole (`[sys.executable] + sys.argv`).
  const list = (v: Val | undefined): Val[] => (v ? [...(v.elems ?? []), ...(v.t.length || !v.elems ? [{ t: deepTaint(v) }] : [])] : []);
  switch (api) {
    case 'shell':
      return { shellText: argOf(site, 0, 'cmd') ?? argOf(site, 0, 'command'), words: [] };
    case 'argv': {
      const a = argOf(site, 0, 'args') ?? argOf(site, 0, 'argv');
      if (truthy(site.kwargs.get('shell'))) return { shellText: a?.elems ? a.elems[0] : a, words: a?.elems?.slice(1) ?? [] };
      if (a?.elems) return { program: a.elems[0] ?? { t: deepTaint(a) }, words: list(a).slice(1) };
      // a list built from parts the flow cannot split (`cmd.split()`, `shlex.split(x)`): its items decide the program too
      return { program: a, words: [] };
    }
    case 'execv':
      return { program: args[0], words: list(args[1]).slice(1) };
    case 'execl':
      return { program: args[0], words: args.slice(2) };
    case 'exec':
      return { program: args[0], words: args.slice(1) };
    case 'spawnv':
      return { program: args[1], words: list(args[2]).slice(1) };
    case 'spawnl':
      return { program: args[1], words: args.slice(3) };
    case 'command': {
      const c = args[0];
      const parts = (c?.str ?? c?.hint ?? '').trim().split(/\s+/);
      return { program: c ? { ...c, str: parts[0], hint: parts[0] } : undefined, words: c ? [{ t: deepTaint(c), str: parts.slice(1).join(' ') || undefined }] : [] };
    }
    default:
      return { words: [] };
  }
}

/** The program's name as written: the first item, or the first word of a command line. */
function progName0(program: Val | undefined, shellText: Val | undefined): string | undefined {
  if (program?.str !== undefined) return basename(program.str);
  const w = (shellText?.str ?? shellText?.hint ?? '').trim().split(/\s+/)[0];
  return w ? basename(w) : undefined;
}

const words = (v: Val | undefined) => (v?.str ?? v?.hint ?? '').trim().split(/\s+/).filter(Boolean);

function processStart(host: CallHost, ref: Ref, site: CallSite, api: ProcessApi, sync: boolean, replaces: boolean): Val {
  const label = `\`${site.label}\``;
  if (api === 'process') {
    const target = argOf(site, 0, 'target');
    const targs = argOf(site, 1, 'args');
    if (target?.fn) host.callValue(target, targs?.elems ?? (targs ? [targs] : []), site, 'passed to the process as');
    host.spawn(site, { api, sync, replaces, self: CLEAN, detached: false, target: target?.fn?.node });
    return { t: CLEAN, ref: { pkg: 'multiprocessing', path: [], instance: true, cls: 'Process' } };
  }
  if (api === 'fork') {
    host.spawn(site, { api, sync, replaces, self: CLEAN, detached: false });
    return { t: CLEAN, str: undefined };
  }
  const { program, words: argv, shellText } = commandOf(api, site);
  const all = [program, shellText, ...argv].filter((v): v is Val => !!v);
  const allTaint = union(...all.map((v) => deepTaint(v)));
  const progWords = program?.str !== undefined ? [program.str, ...argv.map((a) => a.str ?? a.hint ?? '…')] : words(shellText);
  const detached = truthy(site.kwargs.get('start_new_session')) || /setsid/.test(site.kwargs.get('preexec_fn')?.ref?.path.join('.') ?? '') || /DETACHED|NEW_PROCESS_GROUP/.test(site.kwargs.get('creationflags')?.hint ?? site.kwargs.get('creationflags')?.ref?.path.join('.') ?? '') || /^(nohup|setsid|disown)$/.test(basename(progWords[0] ?? ''));
  // crontab / at: scheduled to run again (py-spread-persist); naming the program there does not start it.
  const cronish = (progName0(program, shellText) ?? '').match(/^(crontab|at|batch)$/) || (shellText && /\b(crontab|at)\b/.test(shellText.str ?? shellText.hint ?? ''));
  const self = cronish ? CLEAN : ofKind(allTaint, 'self');
  host.spawn(site, { api, sync, replaces, self, detached });

  // A model CLI started here?
  let name = progWords[0] !== undefined ? basename(progWords[0]) : undefined;
  let sub = progWords[1];
  let rest = progWords.slice(1);
  if (name && /^(nohup|setsid|env|sudo|timeout|nice|stdbuf)$/.test(name)) {
    const i = progWords.findIndex((w, k) => k > 0 && !w.startsWith('-') && !/^\d+[smh]?$/.test(w) && !w.includes('='));
    name = i > 0 ? basename(progWords[i]!) : undefined;
    sub = progWords[i + 1];
    rest = progWords.slice(i + 1);
  }
  if (name && INTERPRETERS.test(name) && rest[0] && CODE_FLAGS.test(rest[0])) {
    const inner = (argv[argv.findIndex((a) => a.str !== undefined && CODE_FLAGS.test(a.str)) + 1]?.str ?? rest.slice(1).join(' ')).replace(/^['"]/, '').trim().split(/\s+/);
    name = inner[0] ? basename(inner[0]) : undefined;
    sub = inner[1];
  }
  const cli = name ? findModelCli(name, host.extraCli) : undefined;
  if (cli && (!cli.sub || (sub !== undefined && cli.sub.includes(sub)))) {
    return host.modelCall(site, 'cli', `the \`${cli.name}\` CLI`, 'high', allTaint);
  }
  const rawName = program?.str ?? words(shellText)[0];
  if (!cli && rawName && !INTERPRETERS.test(basename(rawName)) && nameLooksLikeModelWrapper(rawName)) {
    return host.modelCall(site, 'cli', `\`${rawName}\`, a model wrapper by its name`, 'low', allTaint);
  }

  // Model output run as code.
  const shell = api === 'shell' || truthy(site.kwargs.get('shell'));
  if (shellText) host.effect('exec', site, shell && api === 'argv' ? `${label} with \`shell=True\`` : label, model(shellText));
  if (program) host.effect('exec', site, `${label} (model output as the program)`, model(program));
  const progName = program?.str !== undefined ? basename(program.str) : shellText?.str !== undefined ? basename(words(shellText)[0] ?? '') : undefined;
  if (progName && INTERPRETERS.test(progName)) {
    const flagAt = argv.findIndex((a) => a.str !== undefined && CODE_FLAGS.test(a.str));
    if (flagAt >= 0) host.effect('exec', site, `${label} running \`${progName} ${argv[flagAt]!.str}\``, union(...argv.slice(flagAt + 1).map(model)));
    const input = site.kwargs.get('input');
    if (input) host.effect('exec', site, `${label} feeding \`${progName}\` its code on standard input`, model(input));
  }
  // Another host: `ssh host cmd` with host names from SSH files, model text run there.
  const remote = progName && REMOTE_COMMANDS.test(progName) ? progName : shellText && REMOTE_COMMANDS.test(basename(words(shellText)[0] ?? '')) ? basename(words(shellText)[0]!) : undefined;
  if (remote) {
    host.effect('spread', site, `${label} (\`${remote}\`)`, ofKind(allTaint, 'hosts'));
    if (remote === 'ssh' && program) host.effect('exec', site, `${label} (\`ssh\` runs it on another host)`, union(...argv.map(model)));
  }
  if (cronish) host.effect('persist', site, `${label} (\`${progName && /^(crontab|at|batch)$/.test(progName) ? progName : 'crontab'}\`)`, modelOrSelf(union(...all.map((v) => deepTaint(v)), site.kwargs.get('input') ? deepTaint(site.kwargs.get('input')!) : CLEAN)));
  if (detached && self.length) host.effect('persist', site, `${label} of the program itself, detached`, self);
  // A file written with model output, then run.
  const written = union(...all.map((v) => host.writtenTaint(v)));
  if (written.length) host.effect('file-exec', site, label, written);
  // An interpreter started without code reads its code from standard input.
  const reads = progName && INTERPRETERS.test(progName) && !argv.some((a) => a.str !== undefined && (CODE_FLAGS.test(a.str) || /\.\w+$/.test(a.str)));
  return { t: CLEAN, ref: { pkg: ref.pkg, path: [`${ref.path[ref.path.length - 1] ?? ''}()`], instance: true, cls: 'Popen', interpreter: reads ? progName : undefined } };
}
