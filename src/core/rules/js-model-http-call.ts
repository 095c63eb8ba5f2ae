import type { Rule } from '../rule';
import type { JsFacts } from '../js/facts';
import { callFindings } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-model-http-call',
    language: 'typescript',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code calls a language model API over HTTP',
    explanation:
      'This request goes to a language model API (OpenAI, Anthropic, Gemini, Mistral, Groq, OpenRouter, a local Ollama, or any `/v1/chat/completions` endpoint) ' +
      'through fetch, axios, got or undici. Code that asks a model what to do next is an agent: check what happens with the answer.',
    example: {
      bad: "const res = await fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: JSON.stringify(req) });\n",
      good: "const res = await fetch('https://api.github.com/repos/nodejs/node');\n",
    },
  },
  check({ facts }) {
    return callFindings(facts, 'http', (c) => `${c.label} calls a language model API: ${c.reason}`);
  },
};
