import type { Rule } from '../rule';
import type { JsFacts } from '../js/facts';
import { callFindings } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-model-sdk-call',
    language: 'typescript',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code calls a language model through an SDK',
    explanation:
      'This code calls a language model itself through its SDK (OpenAI, Anthropic, the AI SDK, Gemini, Ollama, Cohere, Mistral, Groq, LangChain). ' +
      'Code that asks a model what to do next is an agent: check what happens with the answer, and whether you meant to run one.',
    example: {
      bad: "import OpenAI from 'openai';\nconst client = new OpenAI();\nconst r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });\n",
      good: "import OpenAI from 'openai';\nconst client = new OpenAI();\nconst models = await client.models.list();\n",
    },
  },
  check({ facts }) {
    return [
      ...callFindings(facts, 'sdk', (c) => `${c.label} calls a language model through ${c.reason}`),
      ...callFindings(facts, 'wrapper', (c) => `${c.label} probably calls a language model: ${c.reason} (lower confidence)`),
    ].sort((a, b) => a.range.start.line - b.range.start.line);
  },
};
