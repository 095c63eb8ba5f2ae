/**
 * What counts as a language model, in every language Fang reads and in the sandbox's stubs.
 * One list, so the analysis and the dry-run agree on what a model call is.
 */

/** Command-line clients of language models. `sub` lists subcommands that make it a model call
 *  (empty: any invocation is one). */
export interface ModelCli {
  name: string;
  sub?: string[];
  /** Flags that make it a model call when no subcommand is given (e.g. `claude -p`). */
  flags?: string[];
  /** A coding agent that runs commands and edits files itself: what turns its approvals off. */
  agent?: AgentApprovals;
}

export interface AgentApprovals {
  /** The agent's name in messages: "Claude Code". */
  display: string;
  /** Flags that let the agent act without asking: `--flag`, `--flag=value`, or `--flag value`. */
  approvalsOff: string[];
  /** Subcommands that act without asking by design (`opencode run`, `goose run`). */
  autoSubs?: string[];
}

export const MODEL_CLIS: readonly ModelCli[] = [
  { name: 'llm' },
  { name: 'sgpt' },
  { name: 'ollama', sub: ['run', 'generate', 'chat'] },
  { name: 'aichat' },
  { name: 'mods' },
  { name: 'openai', sub: ['api', 'chat', 'completions', 'responses'] },
  { name: 'claude', agent: { display: 'Claude Code', approvalsOff: ['--dangerously-skip-permissions', '--permission-mode bypassPermissions'] } },
  { name: 'gemini', agent: { display: 'Gemini CLI', approvalsOff: ['--yolo', '-y', '--approval-mode yolo'] } },
  { name: 'gh', sub: ['copilot', 'models'] },
  { name: 'aider', agent: { display: 'Aider', approvalsOff: ['--yes-always', '--yes'] } },
  { name: 'fabric' },
  { name: 'tgpt' },
  { name: 'chatgpt' },
  { name: 'ghcs' },
  { name: 'ghce' },
  { name: 'shell-gpt' },
  { name: 'llamafile' },
  { name: 'llama-cli' },
  { name: 'lms', sub: ['chat'] },
  { name: 'q', sub: ['chat'] },
  {
    name: 'codex',
    sub: ['exec', 'e', 'review'],
    agent: { display: 'Codex CLI', approvalsOff: ['--full-auto', '--dangerously-bypass-approvals-and-sandbox', '--yolo', '--ask-for-approval never', '-a never', '--sandbox danger-full-access', '-s danger-full-access'] },
  },
  { name: 'cursor-agent', agent: { display: 'Cursor Agent', approvalsOff: ['--force', '-f'] } },
  { name: 'opencode', sub: ['run'], agent: { display: 'OpenCode', approvalsOff: [], autoSubs: ['run'] } },
  { name: 'goose', sub: ['run'], agent: { display: 'Goose', approvalsOff: [], autoSubs: ['run'] } },
  { name: 'qwen', agent: { display: 'Qwen Code', approvalsOff: ['--yolo', '-y', '--approval-mode yolo'] } },
  { name: 'kimi', agent: { display: 'Kimi Code', approvalsOff: ['--yolo', '--yes', '-y'] } },
  { name: 'amp', agent: { display: 'Amp', approvalsOff: ['--dangerously-allow-all'] } },
  { name: 'copilot', agent: { display: 'GitHub Copilot CLI', approvalsOff: ['--allow-all-tools', '--yolo', '--allow-all'] } },
  { name: 'crush', sub: ['run'], agent: { display: 'Crush', approvalsOff: ['--yolo', '-y'] } },
];

/**
 * The approval flag (or auto subcommand) of an agent CLI in `words` (the words after the
 * program name, literal where known), or undefined when approvals stay on.
 */
export function agentApprovalsOff(cli: ModelCli, words: readonly (string | undefined)[]): string | undefined {
  const a = cli.agent;
  if (!a) return undefined;
  const firstPositional = words.find((w) => w !== undefined && !w.startsWith('-'));
  if (firstPositional !== undefined && a.autoSubs?.includes(firstPositional)) return `${cli.name} ${firstPositional}`;
  for (const flag of a.approvalsOff) {
    const [f, v] = flag.split(' ');
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (w === undefined) continue;
      if (v === undefined ? w === f || (f!.startsWith('--') && w.startsWith(`${f}=`)) : (w === f && words[i + 1] === v) || w === `${f}=${v}`) return flag;
    }
  }
  return undefined;
}

/** Arguments that make an LLM CLI do housekeeping rather than ask a model. */
export const HOUSEKEEPING = new Set([
  '--version', '-v', '-V', 'version', '--help', '-h', 'help', 'install', 'uninstall', 'keys', 'models', 'plugins',
  'update', 'upgrade', 'config', 'mcp', 'login', 'logout', 'auth', 'pull', 'push', 'list', 'ls', 'serve', 'ps', 'rm',
  'show', 'doctor', 'setup', 'init', 'logs', 'templates', 'aliases', 'embed-models', 'cp', 'create', 'stop',
  'alias', 'completion', 'completions', '--install-completion', '--show-completion', 'install-completion', 'shell-init',
  'config-path', '--completion', 'plugin',
]);

/** Hosts of hosted model APIs. */
export const MODEL_API_HOSTS: readonly string[] = [
  'api.openai.com',
  'api.anthropic.com',
  'generativelanguage.googleapis.com',
  'api.mistral.ai',
  'api.groq.com',
  'api.cohere.ai',
  'api.cohere.com',
  'api.together.xyz',
  'api.together.ai',
  'openrouter.ai',
  'api.deepseek.com',
  'api.fireworks.ai',
  'api.perplexity.ai',
  'api.x.ai',
  'openai.azure.com',
  'models.inference.ai.azure.com',
  'models.github.ai',
  'api-inference.huggingface.co',
  'router.huggingface.co',
  'bedrock-runtime',
  'aiplatform.googleapis.com',
];

/** URL paths that identify a model API whatever the host (local servers, proxies). */
export const MODEL_API_PATHS: readonly RegExp[] = [
  /\/v1\/chat\/completions\b/,
  /\/v1\/completions\b/,
  /\/v1\/messages\b/,
  /\/v1\/responses\b/,
  /\/chat\/completions\b/,
  /:11434\/api\/(generate|chat)\b/,
  /\bgenerateContent\b/,
  /:streamGenerateContent\b/,
];

/** Environment variables that hold a model endpoint; SDKs and scripts read them. */
export const MODEL_BASE_URL_VARS: readonly string[] = [
  'OPENAI_BASE_URL',
  'OPENAI_API_BASE',
  'ANTHROPIC_BASE_URL',
  'OLLAMA_HOST',
  'GOOGLE_GEMINI_BASE_URL',
];

/** Paths under a model server's base address that generate nothing: model lists, pulls, versions, stored chats. */
export const NON_GENERATING_PATH = /\/(api\/(tags|ps|version|pull|push|show|delete|copy|create|blobs|embed|embeddings)\b|api\/chat\/|v1\/models\b)/;

const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One pass over the text: a known host, or a model path (sources of both lists above). */
let modelApiRe: RegExp | undefined;
function modelApiRegex(): RegExp {
  modelApiRe ??= new RegExp([...MODEL_API_HOSTS.map(escapeRe), ...MODEL_API_PATHS.map((r) => r.source)].join('|'), 'i');
  return modelApiRe;
}

export function urlLooksLikeModelApi(text: string): boolean {
  return modelApiRegex().test(text);
}

/**
 * Names that plainly stand for a model wrapper (`query-model`, `ask_gpt`, `RUN_AI`, `ai`):
 * lower confidence, said in the message. Matches on the basename, case-insensitive.
 */
const WRAPPER_WORD = /(^|[-_.])(llm|gpt|ai|model|chatgpt|claude|gemini|copilot|ollama|openai|anthropic)([-_.]|$)/i;
const WRAPPER_VERB = /(^|[-_.])(ask|query|prompt|run|call|complete|completion|chat|invoke|generate|talk|suggest|suggestions?)([-_.]|$)/i;

export function nameLooksLikeModelWrapper(name: string): boolean {
  const base = name.replace(/^.*\//, '').replace(/\.(sh|py|js|ts|bash)$/i, '');
  if (!base) return false;
  const lower = base.toLowerCase();
  if (lower === 'ai' || lower === 'gpt' || lower === 'llm') return true;
  if (!WRAPPER_WORD.test(base)) return false;
  // `query-model`, `ask_gpt`, `RUN_AI`, `gpt_query`: a model word with a verb, or a model word
  // that is the whole name apart from a prefix like `my-`.
  return WRAPPER_VERB.test(base) || /^(my|the|local)[-_.]?/i.test(base);
}

export function findModelCli(name: string, extra: readonly string[] = []): ModelCli | undefined {
  const base = name.replace(/^.*\//, '');
  const hit = MODEL_CLIS.find((c) => c.name === base);
  if (hit) return hit;
  for (const e of extra) {
    const [n, ...sub] = e.trim().split(/\s+/);
    if (n === base || n === name) return { name: n!, sub: sub.length ? sub : undefined };
  }
  return undefined;
}

/** JavaScript/TypeScript SDK packages whose calls reach a model. */
export const MODEL_SDK_PACKAGES: readonly string[] = [
  'openai',
  '@anthropic-ai/sdk',
  'ai',
  '@ai-sdk/openai',
  '@ai-sdk/anthropic',
  '@ai-sdk/google',
  '@google/genai',
  '@google/generative-ai',
  'ollama',
  'ollama/browser',
  'cohere-ai',
  '@mistralai/mistralai',
  'groq-sdk',
  '@langchain/openai',
  '@langchain/anthropic',
  '@langchain/google-genai',
  '@langchain/ollama',
  '@langchain/core',
  'langchain',
  '@anthropic-ai/bedrock-sdk',
  '@anthropic-ai/vertex-sdk',
  '@aws-sdk/client-bedrock-runtime',
];

/** Python modules whose calls reach a model (LangChain's `langchain_*`, `langgraph` and LlamaIndex are matched by prefix). */
export const PYTHON_SDK_MODULES: readonly string[] = [
  'openai',
  'anthropic',
  'google.genai',
  'google.generativeai',
  'vertexai',
  'ollama',
  'litellm',
  'groq',
  'together',
  'cerebras.cloud.sdk',
  'mistralai',
  'cohere',
  'replicate',
  'huggingface_hub',
  'llm',
  'pydantic_ai',
  'agents',
  'smolagents',
  'crewai',
  'instructor',
  'boto3',
  'lmtk',
];
