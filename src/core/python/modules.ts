/**
 * What the Python analysis knows about modules and builtins: which member of which module is a
 * model call, an HTTP request, a process start, a code sink or a file write. Only names, no flow.
 */
import { MODEL_BASE_URL_VARS, PYTHON_SDK_MODULES, urlLooksLikeModelApi } from '../catalog';
import type { Ref } from './values';

/** The dotted name a reference stands for: `subprocess.run`, `google.genai.Client`. */
export function qualName(ref: Ref): string {
  return [ref.pkg, ...ref.path].filter(Boolean).join('.');
}

export const isRelative = (pkg: string) => pkg.startsWith('.');

/** The SDK module a dotted name belongs to (`google.genai.types.Part` -> `google.genai`). */
export function sdkModule(name: string, extra: readonly string[]): string | undefined {
  for (const m of [...PYTHON_SDK_MODULES, ...extra]) if (name === m || name.startsWith(`${m}.`)) return m;
  if (/^(langchain|langgraph|llama_index)(_[a-z0-9_]+)?(\.|$)/.test(name)) return name.split('.')[0];
  return undefined;
}

export const isLangchain = (m: string) => /^(langchain|langgraph)(_[a-z0-9_]+)?$/.test(m);

const OPENAI_LIKE = /^(chat\.completions\.(create|stream|parse)|responses\.(create|stream|parse)|completions\.create|beta\.[\w.()]*\.(create|stream|parse|create_and_poll|create_and_stream|stream))$/;
const ANTHROPIC = /^(messages\.(create|stream|parse)|completions\.create|beta\.[\w.()]*messages\.(create|stream|parse))$/;
const GOOGLE = /^(aio\.)?(models\.generate_content(_stream)?|chats\.create\(\)\.send_message(_stream)?)$/;
const GEMINI_MODEL = /^(generate_content(_async)?|start_chat\(\)\.send_message(_async)?)$/;

interface SdkSpec {
  /** Classes whose instances are clients. */
  classes?: RegExp;
  /** Model calls on an instance (its member path, `()` after calls). */
  instance?: RegExp;
  /** Model calls on the module itself (the path after the module). */
  module?: RegExp;
  /** How deep below the module its client classes live (default 2: `google.genai.Client`, `openai.types.X`). */
  classDepth?: number;
}

const SDKS: Record<string, SdkSpec> = {
  openai: { classes: /^(Async)?(Azure)?OpenAI$/, instance: OPENAI_LIKE, module: /^(ChatCompletion|Completion)\.a?create$|^(chat\.completions|completions|responses)\.(create|parse|stream)$/ },
  anthropic: { classes: /^(Async)?Anthropic(Bedrock|Vertex)?$/, instance: ANTHROPIC },
  groq: { classes: /^(Async)?Groq$/, instance: OPENAI_LIKE },
  together: { classes: /^(Async)?Together$/, instance: OPENAI_LIKE },
  'cerebras.cloud.sdk': { classes: /^(Async)?Cerebras$/, instance: OPENAI_LIKE },
  mistralai: { classes: /^(Mistral|MistralClient|MistralAsyncClient)$/, instance: /^((chat|fim|agents)\.(complete|stream)(_async)?|chat|chat_stream)$/ },
  cohere: { classes: /^(Async)?Client(V2)?$/, instance: /^(chat|chat_stream|generate|generate_stream)$/ },
  'google.genai': { classes: /^Client$/, instance: GOOGLE },
  'google.generativeai': { classes: /^GenerativeModel$/, instance: GEMINI_MODEL, module: /^(generate_text|chat)$/ },
  vertexai: { classes: /^GenerativeModel$/, instance: GEMINI_MODEL },
  ollama: { classes: /^(Async)?Client$/, instance: /^(chat|generate)$/, module: /^(chat|generate)$/ },
  litellm: { classes: /^Router$/, instance: /^a?(completion|text_completion)$/, module: /^a?(completion|text_completion|responses)$/ },
  replicate: { classes: /^Client$/, instance: /^(run|stream|async_run)$/, module: /^(run|stream|async_run)$/ },
  huggingface_hub: { classes: /^(Async)?InferenceClient$/, instance: /^(chat_completion|text_generation|chat\.completions\.create)$/ },
  llm: { instance: /^(prompt|conversation\(\)\.prompt|chain)$/ },
  pydantic_ai: { classes: /^Agent$/, instance: /^(run|run_sync|run_stream|iter)$/ },
  agents: { module: /^Runner\.(run|run_sync|run_streamed)$/ },
  smolagents: { classes: /^(CodeAgent|ToolCallingAgent|MultiStepAgent)$/, instance: /^run$/ },
  crewai: { classes: /^Crew$/, instance: /^kickoff(_async)?$/ },
  boto3: { instance: /^(invoke_model|invoke_model_with_response_stream|converse|converse_stream)$/ },
  // lmtk (Language Model Tool Kit): modes such as `lmtk.modes.raw_gpt.RawGPTMode` and the raw
  // `lmtk.llms.open_ai.GPT3`/`ChatGPT` wrappers; `ask`/`respond`/`complete` stream the answer.
  lmtk: { classes: /^(\w+Mode|GPT3|GPT4|ChatGPT)$/, instance: /^(ask|respond|complete)$/, classDepth: 4 },
};

/** LangChain and LlamaIndex classes and factories that stand for a model (or a chain or agent around one). */
const LC_MODEL_CLASS = /^(Chat[A-Z]\w*|\w*LLM\w*|OpenAI|AzureOpenAI|Ollama|OllamaLLM|Anthropic|Cohere|Mistral\w*|Groq|Bedrock\w*|VertexAI\w*|GoogleGenerativeAI|HuggingFace\w*|\w+Chain|AgentExecutor|ReActAgent|OpenAIAgent|FunctionAgent|FunctionCallingAgent|CodeActAgent)$/;
const LC_MODEL_FACTORY = /^(create_react_agent|create_tool_calling_agent|create_openai_functions_agent|create_openai_tools_agent|create_structured_chat_agent|initialize_agent|init_chat_model|load_qa_chain|load_summarize_chain|create_sql_agent|create_pandas_dataframe_agent|create_csv_agent|create_python_agent|create_stuff_documents_chain|create_retrieval_chain|from_llm|from_tools|from_defaults|as_query_engine|as_chat_engine)$/;
const LC_CALL = /^(invoke|ainvoke|stream|astream|batch|abatch|run|arun|predict|apredict|generate|agenerate|stream_events|astream_events|complete|acomplete|chat|achat|stream_complete|stream_chat|query|aquery|call|acall|__call__)$/;
/** Methods that return the same runnable with options: the model stays inside. */
const LC_KEEP = /^(bind|bind_tools|with_structured_output|with_config|with_retry|with_fallbacks|pipe|assign|with_listeners|configurable_fields|compile)$/;
/** LangChain tools and chains that run code the model writes. */
export const CODE_TOOLS = /^(PythonREPLTool|PythonAstREPLTool|ShellTool|BashProcess|PythonREPL|LLMBashChain|PALChain|E2BDataAnalysisTool)$/;

/** Classes whose names look like a model's but hold none (`ChatPromptTemplate`, `ChatMessageHistory`). */
const LC_NOT_MODEL = /(Template|History|Messages?|Prompt|PromptValue|Memory|Parser|Loader|Splitter|Retriever|Store|Embeddings|Callback\w*|Handler)$/;

export const langchainModelClass = (name: string | undefined) => !!name && LC_MODEL_CLASS.test(name) && !LC_NOT_MODEL.test(name);

export interface SdkCallInfo {
  model: boolean;
  /** For a non-model call: whether its result still holds a model (LangChain `bind_tools`, `|`). */
  keepsModel?: boolean;
  /** A factory whose result is a client instance (`OpenAI()`, `genai.GenerativeModel(...)`). */
  client?: string;
  reason: string;
}

/** Classifies calling `ref`; undefined when it is no SDK's. */
export function sdkCall(ref: Ref, extra: readonly string[], argHasModel: boolean): SdkCallInfo | undefined {
  const name = ref.instance ? ref.pkg : qualName(ref);
  const mod = sdkModule(name, extra);
  if (!mod) return undefined;
  const reason = `the \`${mod}\` SDK`;
  // The path below the SDK module: `Client` of `google.genai`, `ChatCompletion.create` of `openai`.
  const below = ref.instance ? ref.path : name.slice(mod.length + 1).split('.').filter(Boolean);
  const last = below[below.length - 1] ?? '';
  if (/^(langchain|langgraph|llama_index)/.test(mod)) {
    if (ref.hasModel && LC_CALL.test(last)) return { model: true, reason: `a LangChain ${ref.cls ? `\`${ref.cls}\`` : 'chain'} (${mod})` };
    if (!ref.instance && langchainModelClass(last)) return { model: false, client: last, keepsModel: true, reason };
    // `RetrievalQA.from_chain_type(llm, ...)`, `LLMChain.from_string(llm, ...)`: a class's own constructor.
    const cls = below[below.length - 2];
    if (!ref.instance && /^from_\w+$/.test(last) && cls && langchainModelClass(cls)) return { model: false, client: cls, keepsModel: true, reason };
    // Any other class (a tool, a retriever, a prompt): an instance that remembers its class (`ShellTool()`).
    if (!ref.instance && /^[A-Z]\w*$/.test(last) && below.length <= 4) return { model: false, client: last, reason };
    if (LC_KEEP.test(last)) return { model: false, keepsModel: ref.hasModel || argHasModel, reason };
    if (LC_MODEL_FACTORY.test(last)) return { model: false, keepsModel: true, reason };
    return { model: false, reason };
  }
  if (mod === 'instructor') return { model: false, reason };
  const spec = SDKS[mod];
  if (!spec) return { model: extra.includes(mod), reason: `\`${mod}\` (configured in sdkNames)` };
  const path = below.join('.');
  if (ref.instance) {
    if (mod === 'boto3' && !/^bedrock/.test(ref.cls ?? '')) return { model: false, reason };
    return { model: !!spec.instance?.test(path), reason };
  }
  if (spec.classes?.test(last) && below.length <= (spec.classDepth ?? 2)) return { model: false, client: last, reason };
  if (mod === 'llm' && /^get_(async_)?model$/.test(path)) return { model: false, client: 'Model', reason };
  return { model: !!spec.module?.test(path), reason };
}

/**
 * Does this text name a model endpoint: a known host or path, or a base-URL variable followed by
 * a path that asks a model (`$OLLAMA_HOST/api/generate`, not `$OLLAMA_HOST/api/tags`)?
 */
export function hintIsModelUrl(hint: string | undefined): boolean {
  if (!hint) return false;
  if (urlLooksLikeModelApi(hint)) return true;
  const v = MODEL_BASE_URL_VARS.find((name) => hint.includes(name));
  if (!v) return false;
  const after = hint.slice(hint.indexOf(v) + v.length);
  return v === 'OLLAMA_HOST' ? /\/api\/(generate|chat)\b/.test(after) : /(completions|messages|responses|generate|chat)\b/.test(after) || after.replace(/[…}'"\s]/g, '') === '';
}

export function hostOf(hint: string): string {
  const m = /https?:\/\/([^/`'"\s…]+)/.exec(hint);
  return m ? m[1]! : (/[A-Z_]*BASE[A-Z_]*|OLLAMA_HOST/.exec(hint)?.[0] ?? hint.replace(/…/g, '').slice(0, 40));
}

export type HttpClient = 'requests' | 'httpx' | 'aiohttp' | 'urllib' | 'urllib3' | 'http.client';

const VERBS = /^(get|post|put|patch|delete|head|request|stream|send|options)$/;

/** Which HTTP client a callee is; `factory` for clients and sessions, `urlArg` where the URL is. */
export function httpCall(ref: Ref): { client: HttpClient; factory: boolean; urlArg: number } | undefined {
  const q = ref.instance ? `${ref.pkg}#${ref.path.join('.')}` : qualName(ref);
  const last = ref.path[ref.path.length - 1] ?? '';
  const urlArg = last === 'request' || last === 'stream' ? 1 : 0;
  if (/^requests(\.api)?\.(get|post|put|patch|delete|head|request|options)$/.test(q)) return { client: 'requests', factory: false, urlArg };
  if (/^requests(\.sessions)?\.(Session|session)$/.test(q)) return { client: 'requests', factory: true, urlArg };
  if (/^httpx\.(get|post|put|patch|delete|head|request|stream)$/.test(q)) return { client: 'httpx', factory: false, urlArg };
  if (/^httpx\.(Async)?Client$/.test(q)) return { client: 'httpx', factory: true, urlArg };
  if (/^aiohttp(\.client)?\.ClientSession$/.test(q)) return { client: 'aiohttp', factory: true, urlArg };
  if (q === 'aiohttp.request') return { client: 'aiohttp', factory: false, urlArg: 1 };
  if (/^urllib3\.(PoolManager|HTTPConnectionPool|HTTPSConnectionPool)$/.test(q)) return { client: 'urllib3', factory: true, urlArg };
  if (q === 'urllib3.request') return { client: 'urllib3', factory: false, urlArg: 1 };
  if (/^(urllib\.request|urllib2)\.urlopen$/.test(q)) return { client: 'urllib', factory: false, urlArg: 0 };
  if (/^(http\.client|httplib)\.HTTPS?Connection$/.test(q)) return { client: 'http.client', factory: true, urlArg: 0 };
  if (ref.instance && ref.path.length === 1 && VERBS.test(last)) {
    const cls = /^(http\.client|httplib)$/.test(ref.pkg) ? 'http.client' : ref.pkg.split('.')[0];
    if (cls === 'requests' || cls === 'httpx' || cls === 'aiohttp' || cls === 'urllib3') return { client: cls, factory: false, urlArg: last === 'request' || (cls !== 'requests' && last === 'stream') ? 1 : 0 };
    if (cls === 'http.client' || cls === 'httplib') return last === 'request' ? { client: 'http.client', factory: false, urlArg: 1 } : undefined;
  }
  return undefined;
}

/** Programs that run the code given after a flag (`sh -c`, `python3 -c`, `node -e`). */
export const INTERPRETERS = /^(sh|bash|zsh|dash|ksh|fish|ash|busybox|node|nodejs|deno|bun|python[0-9.]*|pypy[0-9.]*|perl|ruby|php|pwsh|powershell|cmd|cmd\.exe|osascript|lua|tsx|ts-node)$/;
export const CODE_FLAGS = /^(-c|-e|--eval|-p|--print|-Command|\/c|\/C|-r|eval|-x|-lc|-ic|-ec|-xc)$/;
export const basename = (s: string) => s.replace(/^.*[\\/]/, '');

/**
 * How a callee starts a process: `shell` (a command line for /bin/sh), `argv` (a list, or a
 * program name; a shell with `shell=True`), `execv`/`spawnv` (a path, then a list whose first item
 * is the name), `execl`/`spawnl` (a path, a name, then words), `exec` (a program, then words),
 * `command` (a line split into words without a shell), `fork`, `process` (multiprocessing).
 */
export type ProcessApi = 'shell' | 'argv' | 'execv' | 'execl' | 'exec' | 'spawnv' | 'spawnl' | 'command' | 'fork' | 'process';

export function processCall(ref: Ref): { api: ProcessApi; sync: boolean; replaces?: boolean } | undefined {
  if (ref.instance) return undefined;
  const q = qualName(ref);
  let m: RegExpExecArray | null;
  if ((m = /^subprocess\.(run|call|check_call|check_output|Popen|getoutput|getstatusoutput)$/.exec(q))) {
    const f = m[1]!;
    return { api: /^get/.test(f) ? 'shell' : 'argv', sync: f !== 'Popen' };
  }
  if (/^(os|posix)\.(system|popen)$/.test(q)) return { api: 'shell', sync: true };
  if ((m = /^(os|posix)\.(exec[lv]p?e?)$/.exec(q))) return { api: m[2]!.startsWith('execv') ? 'execv' : 'execl', sync: true, replaces: true };
  if ((m = /^(os|posix)\.(spawn[lv]p?e?)$/.exec(q))) return { api: m[2]!.startsWith('spawnv') ? 'spawnv' : 'spawnl', sync: false };
  if (/^(os|posix)\.posix_spawnp?$/.test(q)) return { api: 'execv', sync: false };
  if (/^(os|posix)\.(fork|forkpty)$/.test(q) || q === 'pty.fork') return { api: 'fork', sync: false };
  if (q === 'pty.spawn') return { api: 'argv', sync: true };
  if (q === 'asyncio.create_subprocess_shell') return { api: 'shell', sync: false };
  if (q === 'asyncio.create_subprocess_exec') return { api: 'exec', sync: false };
  if (/^commands\.(getoutput|getstatusoutput)$/.test(q)) return { api: 'shell', sync: true };
  if (/^pexpect\.(spawn|run|spawnu|runu)$/.test(q)) return { api: 'command', sync: q.includes('run') };
  if (/^multiprocessing(\.context)?\.Process$/.test(q)) return { api: 'process', sync: false };
  return undefined;
}

/** Builtins and module functions that run a string as Python (`exec`, `eval`, ...), with the argument that holds it. */
export function codeSink(ref: Ref): { label: string; arg: number; kw?: string } | undefined {
  const q = qualName(ref);
  if (/^builtins\.(exec|eval|execfile)$/.test(q)) return { label: `\`${ref.path[0]}\``, arg: 0 };
  if (q === 'types.FunctionType') return { label: '`types.FunctionType`', arg: 0 };
  if (/^timeit\.(timeit|repeat|Timer)$/.test(q)) return { label: `\`${q}\``, arg: 0, kw: 'stmt' };
  const path = ref.path.join('.');
  if (ref.instance && ref.pkg === 'code' && /^Interactive(Interpreter|Console)$/.test(ref.cls ?? '') && /^(runsource|runcode|push)$/.test(path)) return { label: `\`${path}\` of an interactive interpreter`, arg: 0 };
  if (ref.instance && ref.cls === 'PythonREPL' && path === 'run') return { label: '`PythonREPL.run`', arg: 0 };
  if (/(^|\.)run_cell$/.test(q) && /IPython|get_ipython/.test(q)) return { label: '`run_cell`', arg: 0 };
  return undefined;
}

/** Deserialisers that run code from their input (pickle, marshal, unsafe YAML). */
export function deserializeSink(ref: Ref, kwargs: ReadonlyMap<string, string | undefined>): string | undefined {
  const q = qualName(ref);
  if (/^(pickle|cPickle|_pickle|dill|cloudpickle|joblib|marshal|shelve)\.(loads?|Unpickler)$/.test(q)) return `\`${q}\``;
  if (/^jsonpickle\.(decode|loads)$/.test(q)) return `\`${q}\``;
  if (/^yaml\.(unsafe_load|unsafe_load_all)$/.test(q)) return `\`${q}\``;
  if (/^yaml\.(load|load_all)$/.test(q)) {
    const loader = kwargs.get('Loader');
    if (loader === undefined || /(^|\.)(Unsafe|Full|)Loader$/.test(loader) && !/Safe|Base/.test(loader)) return `\`${q}\``;
  }
  return undefined;
}

/** Template engines whose templates are code (Jinja2 outside its sandbox, Mako, Django). */
export function templateSink(ref: Ref): string | undefined {
  const q = ref.instance ? `${ref.pkg}#${ref.cls ?? ''}.${ref.path.join('.')}` : qualName(ref);
  if (/^jinja2(\.environment)?\.Template$/.test(q) || /^jinja2#Environment\.from_string$/.test(q)) return '`jinja2` template';
  if (/^mako\.template\.Template$/.test(q)) return '`mako` template';
  if (/^django\.template\.(Template|engines)$/.test(q) || /^django\.template#Engine\.from_string$/.test(q)) return '`django` template';
  return undefined;
}

/** Calls that load Python from a module name or a file. */
export function importSink(ref: Ref): { label: string; by: 'name' | 'path' } | undefined {
  const q = qualName(ref);
  if (q === 'builtins.__import__' || q === 'importlib.import_module' || q === 'importlib.__import__') return { label: `\`${ref.path[ref.path.length - 1]}\``, by: 'name' };
  if (q === 'runpy.run_module') return { label: '`runpy.run_module`', by: 'name' };
  if (q === 'runpy.run_path') return { label: '`runpy.run_path`', by: 'path' };
  if (q === 'importlib.util.spec_from_file_location' || q === 'importlib.machinery.SourceFileLoader') return { label: `\`${ref.path[ref.path.length - 1]}\``, by: 'path' };
  return undefined;
}

/** Paths a program writes to run again later: shell start-up files, systemd units, cron, autostart. */
export const PERSIST_PATH = /(^|\/)(\.bashrc|\.bash_profile|\.bash_login|\.profile|\.zshrc|\.zprofile|\.zshenv|\.kshrc|\.config\/fish\/config\.fish)$|^\/etc\/(profile|bash\.bashrc|profile\.d\/|rc\.local|init\.d\/|cron)|(^|\/)(etc\/systemd\/system|\.config\/systemd\/user|lib\/systemd\/system)\/|\/var\/spool\/cron|(^|\/)\.config\/autostart\/|Library\/LaunchAgents\/|Library\/LaunchDaemons\//;
/** Files that list other hosts: SSH's, shell histories, /etc/hosts. */
export const HOST_FILES = /known_hosts|\.bash_history|\.zsh_history|\.ssh\/config|\/etc\/hosts\b|\.ssh\/authorized_keys/;
/** Commands that reach other hosts. */
export const REMOTE_COMMANDS = /^(ssh|scp|rsync|sftp|pssh|parallel-ssh|mosh)$/;

/** Results that never carry the text through: booleans, numbers, lengths. */
export const CLEAN_METHODS = /^(startswith|endswith|isdigit|isalpha|isalnum|isspace|isupper|islower|isidentifier|isnumeric|isdecimal|count|find|rfind|index|rindex|exists|is_file|is_dir|isfile|isdir|__len__|__contains__|keys|wait|poll|kill|terminate|close|returncode|getsize|stat)$/;
export const CLEAN_BUILTINS = /^(len|bool|int|float|isinstance|issubclass|hasattr|callable|id|hash|type|abs|round|ord|chr|hex|oct|bin|range|enumerate|print|input|open)$/;

/** Fields of an answer that are bookkeeping, not text the model wrote. */
export const CLEAN_FIELDS = new Set(['usage', 'id', 'created', 'created_at', 'object', 'system_fingerprint', 'finish_reason', 'stop_reason', 'role', 'index', 'status', 'status_code', 'ok', 'headers', 'reason', 'returncode', 'pid', 'elapsed', 'encoding', 'cookies', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'input_tokens', 'output_tokens', 'model', 'done']);

/** Builtins the analysis recognises by name (when not shadowed). */
export const BUILTINS = new Set(['exec', 'eval', 'compile', 'execfile', '__import__', 'open', 'getattr', 'setattr', 'globals', 'locals', 'vars', 'print', 'input', 'map', 'filter', 'sorted', 'reversed', 'list', 'tuple', 'set', 'dict', 'str', 'repr', 'bytes', 'format', 'zip', 'next', 'iter', 'super', 'len', 'bool', 'int', 'float', 'isinstance', 'hasattr', 'callable', 'type', 'range', 'enumerate', 'min', 'max', 'sum', 'any', 'all', 'breakpoint']);

/** Known modules whose names a star import brings in. */
export const STAR_MODULES = /^(os|subprocess|pty|pickle|marshal|runpy|importlib|openai|anthropic|ollama|litellm|requests|httpx|multiprocessing|concurrent\.futures|asyncio|shutil|pathlib|langchain\S*)$/;
