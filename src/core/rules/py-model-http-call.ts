import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { callFindings } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-model-http-call',
    language: 'python',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Code calls a language model API over HTTP',
    explanation:
      'This Python code sends a request to a language model API (api.openai.com, api.anthropic.com, a local Ollama, any `/v1/chat/completions`) ' +
      'with requests, httpx, aiohttp, urllib or http.client. Code that asks a model what to do next is an agent: check what happens with the answer.',
    example: {
      bad: 'import requests\nr = requests.post("https://api.openai.com/v1/chat/completions", json={"model": "gpt-4o", "messages": []})\n',
      good: 'import requests\nr = requests.get("https://api.github.com/repos/python/cpython")\n',
    },
  },
  check({ facts }) {
    return callFindings(facts, 'http', (c) => `${c.label} calls a language model API: ${c.reason}`);
  },
};
