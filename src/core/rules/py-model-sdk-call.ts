import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { callFindings } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-model-sdk-call',
    language: 'python',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code calls a language model through an SDK',
    explanation:
      'This Python code calls a language model itself through its SDK (openai, anthropic, google-genai, ollama, litellm, Mistral, Cohere, Groq, ' +
      'LangChain, LlamaIndex, pydantic-ai, ...). Code that asks a model what to do next is an agent: check what happens with the answer, and whether you meant to run one.',
    example: {
      bad: 'from openai import OpenAI\nclient = OpenAI()\nr = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n',
      good: 'from openai import OpenAI\nclient = OpenAI()\nmodels = client.models.list()\n',
    },
  },
  check({ facts }) {
    return [
      ...callFindings(facts, 'sdk', (c) => `${c.label} calls a language model through ${c.reason}`),
      ...callFindings(facts, 'wrapper', (c) => `${c.label} probably calls a language model: ${c.reason} (lower confidence)`),
    ].sort((a, b) => a.range.start.line - b.range.start.line);
  },
};
