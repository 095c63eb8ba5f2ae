/**
 * What the JavaScript/TypeScript analysis knows about modules and globals: which member of which
 * package is a model call, an HTTP client, a process spawn or a code sink. Only names, no flow.
 */
import { MODEL_BASE_URL_VARS, MODEL_SDK_PACKAGES, NON_GENERATING_PATH, urlLooksLikeModelApi } from '../catalog';
import type { Ref } from './taint';

/** `node:fs` -> `fs`, `ollama/browser` -> `ollama`, `fs/promises` stays. */
export function normalizePkg(spec: string): string {
  const s = spec.replace(/^node:/, '');
  if (s === 'ollama/browser') return 'ollama';
  if (s === 'zx/globals' || s === 'zx/core') return 'zx';
  if (s === 'fs-extra' || s === 'graceful-fs') return 'fs';
  return s;
}

export const isRelative = (pkg: string) => /^\.{1,2}(\/|$)|^\//.test(pkg);

const isLangchain = (pkg: string) => pkg === 'langchain' || pkg.startsWith('langchain/') || pkg.startsWith('@langchain/');

export function isSdkPackage(pkg: string, extra: readonly string[]): boolean {
  return MODEL_SDK_PACKAGES.includes(pkg) || isLangchain(pkg) || pkg.startsWith('@ai-sdk/') || extra.includes(pkg);
}

const OPENAI_LIKE = /^(chat\.completions\.(create|stream|parse|runTools)|responses\.(create|stream|parse)|completions\.create|beta\.[\w.()]*\.(create|stream|parse|runTools|createAndPoll|createAndStream))$/;
const ANTHROPIC = /^(messages\.(create|stream|parse)|completions\.create|beta\.[\w.()]*messages\.(create|stream|parse))$/;
const GOOGLE = /(^|\.)(generateContent|generateContentStream|sendMessage|sendMessageStream)$/;
const METHODS: Record<string, RegExp> = {
  openai: OPENAI_LIKE,
  'groq-sdk': OPENAI_LIKE,
  '@anthropic-ai/sdk': ANTHROPIC,
  '@anthropic-ai/bedrock-sdk': ANTHROPIC,
  '@anthropic-ai/vertex-sdk': ANTHROPIC,
  ai: /^(generateText|streamText|generateObject|streamObject)$/,
  '@google/genai': GOOGLE,
  '@google/generative-ai': GOOGLE,
  ollama: /^(chat|generate)$/,
  'cohere-ai': /^(v2\.)?(chat|chatStream|generate|generateStream)$/,
  '@mistralai/mistralai': /^(chat|fim|agents)\.(complete|stream)$/,
  // client.send(new ConverseCommand(...)) / InvokeModelCommand: every send of the runtime client runs a model
  '@aws-sdk/client-bedrock-runtime': /^(send|converse|invokeModel|converseStream|invokeModelWithResponseStream)$/,
};

/** Client classes of the SDKs by name, for a copy of an SDK bundled into the file (`class OpenAI { constructor({ baseURL, apiKey }) ... }`). */
const BUNDLED_CLIENTS: Record<string, string> = {
  OpenAI: 'openai',
  AzureOpenAI: 'openai',
  Anthropic: '@anthropic-ai/sdk',
  GoogleGenerativeAI: '@google/generative-ai',
  GoogleGenAI: '@google/genai',
  Groq: 'groq-sdk',
  Ollama: 'ollama',
  Mistral: '@mistralai/mistralai',
  CohereClient: 'cohere-ai',
  CohereClientV2: 'cohere-ai',
};

/** The SDK a class of the file is a bundled copy of: an SDK client's name, and a constructor that takes an endpoint or a key. */
export function bundledSdkClient(name: string | undefined, ctorText: string | undefined): string | undefined {
  const pkg = name ? BUNDLED_CLIENTS[name] : undefined;
  return pkg && ctorText && /\b(baseURL|apiKey|OLLAMA_HOST)\b/.test(ctorText) ? pkg : undefined;
}

/** Generating methods of SDK clients with a distinctive path, for clients of several SDKs joined in one value. */
const SDK_CLIENT_METHODS: [string, RegExp][] = [
  ['openai', OPENAI_LIKE],
  ['@anthropic-ai/sdk', ANTHROPIC],
  ['@google/genai', /^models\.(generateContent|generateContentStream)$|^chats?\.(sendMessage|sendMessageStream)$/],
];

const LC_MODEL_CLASS = /^(Chat[A-Z]\w*|\w*LLM\w*|OpenAI|AzureOpenAI|Ollama|Anthropic|Cohere|Mistral\w*|Groq|Bedrock\w*|VertexAI\w*|GoogleGenerativeAI|HuggingFaceInference|\w+Chain|AgentExecutor)$/;
const LC_MODEL_FACTORY = /^(createReactAgent|createToolCallingAgent|createOpenAIFunctionsAgent|createOpenAIToolsAgent|initChatModel|createStuffDocumentsChain|createRetrievalChain|loadQAChain|loadSummarizationChain)$/;
const LC_CALL = /^(invoke|call|stream|predict|predictMessages|batch|run|streamEvents|streamLog|generate)$/;
/** Methods that return the same runnable with options: the model stays inside. */
const LC_KEEP = /^(bind|bindTools|withStructuredOutput|withConfig|withRetry|withFallbacks|pipe|withListeners)$/;

/** Whether a LangChain class or factory stands for a model (or a chain around one). */
export const langchainModelClass = (name: string | undefined) => !!name && LC_MODEL_CLASS.test(name);

export interface SdkCallInfo {
  model: boolean;
  /** For a non-model call: whether its result still holds a model (LangChain `pipe`, `bindTools`). */
  keepsModel?: boolean;
  reason: string;
}

/** Classifies calling `ref` (the callee) with a receiver; undefined when the package is not an SDK. */
export function sdkCall(ref: Ref, extra: readonly string[], argHasModel: boolean): SdkCallInfo | undefined {
  const pkg = ref.pkg;
  if (!isSdkPackage(pkg, extra)) return undefined;
  const reason = `the \`${pkg}\` SDK`;
  const path = ref.path.join('.');
  const last = ref.path[ref.path.length - 1] ?? '';
  if (isLangchain(pkg)) {
    if (ref.hasModel && LC_CALL.test(last)) return { model: true, reason: `a LangChain ${ref.cls ? `\`${ref.cls}\`` : 'chain'} (${pkg})` };
    if (LC_KEEP.test(last) || last === 'from') return { model: false, keepsModel: ref.hasModel || argHasModel, reason };
    if (ref.path.length === 1 && LC_MODEL_FACTORY.test(last)) return { model: false, keepsModel: true, reason };
    return { model: false, reason };
  }
  if (pkg.startsWith('@ai-sdk/')) return { model: false, reason }; // provider factories: `openai('gpt-4o')` is not a call
  const re = METHODS[pkg];
  if (re && re.test(path)) return { model: true, reason };
  // A client made by one of several SDKs (`getClient(provider)` returns an OpenAI, Anthropic or
  // Gemini client): the value keeps one of them, the call names another's generating method.
  const other = ref.instance && ref.path.length > 1 ? SDK_CLIENT_METHODS.find(([, m]) => m.test(path)) : undefined;
  if (other) return { model: true, reason: `the \`${other[0]}\` SDK (the client may come from several SDKs)` };
  if (re) return { model: false, reason };
  // A package named in the configuration's sdkNames: any call through it is a model call.
  return { model: extra.includes(pkg), reason: `\`${pkg}\` (configured in sdkNames)` };
}

/** Does this text name a model endpoint: a known host or path, or a base-URL variable? */
export function hintIsModelUrl(hint: string | undefined): boolean {
  if (!hint) return false;
  return urlLooksLikeModelApi(hint) || (MODEL_BASE_URL_VARS.some((v) => hint.includes(v)) && !NON_GENERATING_PATH.test(hint));
}

export function hostOf(hint: string): string {
  const m = /https?:\/\/([^/`'"\s…]+)/.exec(hint);
  return m ? m[1]! : (/[A-Z_]*BASE[A-Z_]*|OLLAMA_HOST/.exec(hint)?.[0] ?? hint.replace(/…/g, '').slice(0, 40));
}

export type HttpClient = 'fetch' | 'axios' | 'got' | 'undici' | 'http' | 'ky';

/** Which HTTP client a callee is, and whether it is a request (vs a client factory). */
export function httpCall(ref: Ref): { client: HttpClient; factory: boolean } | undefined {
  const last = ref.path[ref.path.length - 1] ?? '';
  const depth = ref.path.length;
  switch (ref.pkg) {
    case '<global>':
      return depth === 1 && last === 'fetch' ? { client: 'fetch', factory: false } : undefined;
    case 'node-fetch':
    case 'cross-fetch':
    case 'isomorphic-fetch':
      return { client: 'fetch', factory: false };
    case 'axios':
      if (/^(create)$/.test(last)) return { client: 'axios', factory: true };
      return depth === 0 || /^(get|post|put|patch|request|delete)$/.test(last) ? { client: 'axios', factory: false } : undefined;
    case 'got':
    case 'ky':
      if (/^(extend|create)$/.test(last)) return { client: ref.pkg, factory: true };
      return depth === 0 || /^(get|post|put|patch|stream|delete)$/.test(last) ? { client: ref.pkg, factory: false } : undefined;
    case 'undici':
      if (/^(Client|Pool)$/.test(last)) return { client: 'undici', factory: true };
      return /^(request|fetch|stream)$/.test(last) ? { client: 'undici', factory: false } : undefined;
    case 'http':
    case 'https':
      return /^(request|get)$/.test(last) ? { client: 'http', factory: false } : undefined;
    default:
      return undefined;
  }
}

/** Programs that run the code given after a flag (`sh -c`, `node -e`, `python3 -c`). */
export const INTERPRETERS = /^(sh|bash|zsh|dash|ksh|fish|node|nodejs|deno|bun|python[0-9.]*|perl|ruby|php|pwsh|powershell|cmd|cmd\.exe|osascript|lua|tsx|ts-node)$/;
export const CODE_FLAGS = /^(-c|-e|--eval|-p|--print|-Command|\/c|\/C|-r|eval|-x)$/;
export const basename = (s: string) => s.replace(/^.*[\\/]/, '');

export type ProcessApi = 'shell' | 'file' | 'fork' | 'worker' | 'template' | 'command' | 'argv';

/** child_process, execa, zx, worker_threads, cluster: how a callee starts a process. */
export function processCall(ref: Ref, isNew: boolean): { api: ProcessApi; sync: boolean } | undefined {
  const last = ref.path[ref.path.length - 1] ?? '';
  if (ref.pkg === '<global>' && ref.path[0] === 'Bun') {
    // Bun.spawn(['sh', '-c', code]), Bun.spawnSync(...), Bun.$`...`
    if (last === 'spawn' || last === 'spawnSync') return { api: 'argv', sync: last === 'spawnSync' };
    if (last === '$') return { api: 'template', sync: false };
    return undefined;
  }
  if (ref.path.length > 1 && ref.pkg !== 'cluster') return undefined;
  switch (ref.pkg) {
    case 'child_process':
      if (/^exec(Sync)?$/.test(last)) return { api: 'shell', sync: last.endsWith('Sync') };
      if (/^(spawn|spawnSync|execFile|execFileSync)$/.test(last)) return { api: 'file', sync: last.endsWith('Sync') };
      if (last === 'fork') return { api: 'fork', sync: false };
      return undefined;
    case 'execa':
      if (/^(execa|execaSync)$/.test(last) || (last === '' && ref.path.length === 0)) return { api: 'file', sync: last.endsWith('Sync') };
      if (/^execaCommand(Sync)?$/.test(last)) return { api: 'command', sync: last.endsWith('Sync') };
      if (last === 'execaNode') return { api: 'fork', sync: false };
      if (last === '$') return { api: 'template', sync: false };
      return undefined;
    case 'zx':
      return last === '$' ? { api: 'template', sync: false } : undefined;
    case 'worker_threads':
      return last === 'Worker' && isNew ? { api: 'worker', sync: false } : undefined;
    case '<global>':
      return last === 'Worker' && isNew && ref.path.length === 1 ? { api: 'worker', sync: false } : undefined;
    case 'cluster':
      return last === 'fork' ? { api: 'fork', sync: false } : undefined;
    default:
      return undefined;
  }
}

/** Sinks that run a string as JavaScript. */
export function codeSink(ref: Ref, isNew: boolean): string | undefined {
  const last = ref.path[ref.path.length - 1] ?? '';
  if (ref.pkg === '<global>' && ref.path.length === 1) {
    if (last === 'eval') return '`eval`';
    if (last === 'Function') return isNew ? '`new Function`' : '`Function`';
    if (last === 'setTimeout' || last === 'setInterval') return `\`${last}\` with a string`;
    if (last === 'execScript') return '`execScript`';
  }
  if (ref.pkg === 'vm' && /^(runInThisContext|runInNewContext|runInContext|compileFunction|Script|SourceTextModule)$/.test(last)) return `\`vm.${last}\``;
  return undefined;
}

/** fs writes: which argument is the path and which the data. */
export function fileWrite(ref: Ref): boolean {
  const last = ref.path[ref.path.length - 1] ?? '';
  if (ref.pkg === 'fs' || ref.pkg === 'fs/promises') return /^(writeFile|writeFileSync|appendFile|appendFileSync|outputFile|outputFileSync)$/.test(last);
  if (ref.pkg === '<global>') return ref.path.join('.') === 'Bun.write' || ref.path.join('.') === 'Deno.writeTextFile' || ref.path.join('.') === 'Deno.writeTextFileSync';
  return false;
}

/** Results that never carry the text through: booleans and numbers. */
export const CLEAN_METHODS = /^(includes|startsWith|endsWith|test|indexOf|lastIndexOf|has|some|every|localeCompare|getTime|valueOf|isArray|isInteger|isNaN)$/;

/** Globals the analysis recognizes by name (when not shadowed by a local binding). */
export const GLOBALS = new Set(['eval', 'Function', 'Object', 'fetch', 'setTimeout', 'setInterval', 'process', 'globalThis', 'window', 'global', 'self', 'Worker', 'JSON', 'Promise', 'Bun', 'Deno', 'URL', 'execScript', 'Number', 'Boolean', 'parseInt', 'parseFloat']);
