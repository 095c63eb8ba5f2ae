/**
 * One pass over a script's text with one regular expression, collecting everything the Bash
 * rules decide from text before they touch the tree: which hints are present, where the script
 * names itself, where functions and background jobs may start. Several separate scans of the
 * same text cost more than the parse they are meant to spare.
 */

/** Names and endpoints of model clients: a file with one of these gets the full dataflow check. */
const STRONG =
  String.raw`\b(?:llm|sgpt|ollama|aichat|mods|openai|claude|gemini|copilot|aider|fabric|tgpt|chatgpt|shell-gpt|llamafile|llama-cli|lms|codex|opencode|cursor-agent)\b|generateContent|completions|v1/messages|v1/responses|11434|api\.(?:anthropic|mistral|groq|cohere|together|deepseek|fireworks|perplexity|x)\.|openrouter`;
/** Words that only look like a model wrapper's name (`ai`, `gpt`, `query-model`, `RUN_AI`). */
const WEAK = String.raw`\b(?:gpt|ai)\b|[_-]ai\b|\bai[_-]|[_-]llm|llm[_-]|gpt|GPT|LLM|_AI\b|\bAI_|[-_]model\b|\bmodel[-_]|\bq\s+chat`;
const HOST = String.raw`known_hosts|bash_history|zsh_history|\.ssh/config`;
// `.profile` is a common word in scripts that never write it: only a write to it counts.
const PERSIST = String.raw`\b(?:crontab|nohup|setsid|disown)\b|/systemd/(?:system|user)/|\.bashrc|\.bash_profile|(?:>>?|\btee\b[^\n|;]*)\s*["']?[^\s;|&]*\.profile\b|\.zshrc|\.zprofile|\bat\s+(?:now|midnight|noon|\d)`;
const SELF = String.raw`\$\{?0\b|\$\{?BASH_SOURCE\b`;
/** `name()` or `function name`: where a function definition may be. */
const FUNC = String.raw`\(\s*\)|\bfunction\s+`;
/** A lone `&` (not `&&`, `>&`, `&>`, `|&`). */
const AMP = String.raw`(?<![&>|<])&(?![&>])`;

export interface TextScan {
  strong: boolean;
  weak: boolean;
  host: boolean;
  persist: boolean;
  /** Offsets of `$0`, `${BASH_SOURCE}` and the file's own name. */
  selfMentions: number[];
  /** Offsets where `()` or the word after `function ` stands. */
  functionHeads: number[];
  /** Offsets of lone `&`. */
  amps: number[];
  /** Offsets of model client names and endpoints (the strong hints). */
  strongAt: number[];
}

const SCANNER = new RegExp(`(${SELF})|(${FUNC})|(${AMP})|(${STRONG})|(${HOST})|(${PERSIST})|(${WEAK})`, 'g');

export function scanText(text: string, ownName: string | undefined): TextScan {
  const out: TextScan = { strong: false, weak: false, host: false, persist: false, selfMentions: [], functionHeads: [], amps: [], strongAt: [] };
  const re = SCANNER;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) out.selfMentions.push(m.index);
    else if (m[2] !== undefined) out.functionHeads.push(m[2].startsWith('(') ? m.index : m.index + m[2].length);
    else if (m[3] !== undefined) out.amps.push(m.index);
    else if (m[4] !== undefined) {
      out.strong = true;
      out.strongAt.push(m.index);
    }
    else if (m[5] !== undefined) out.host = true;
    else if (m[6] !== undefined) out.persist = true;
    else if (m[7] !== undefined) out.weak = true;
    if (m[0].length === 0) re.lastIndex++;
  }
  // The file's own name: a plain substring search (a regular expression per name costs more).
  if (ownName) {
    for (let i = text.indexOf(ownName); i >= 0; i = text.indexOf(ownName, i + ownName.length)) out.selfMentions.push(i);
    if (out.selfMentions.length > 1) out.selfMentions.sort((a, b) => a - b);
  }
  return out;
}
