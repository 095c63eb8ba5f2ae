import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';

export const rule: Rule<BashFacts> = {
  meta: {
    id: 'bash-model-http-call',
    language: 'bash',
    category: 'self-invocation',
    severity: 'warning',
    title: 'Script sends a request to a language-model API',
    explanation:
      'This request goes to a language-model API, so the script acts on an answer generated at run time and spends your API key doing it. ' +
      'Check what happens to the response: if it is ever run as code, the script is an agent.',
    example: {
      bad: 'curl -s https://api.openai.com/v1/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" -d @req.json\n',
      good: 'curl -s https://api.github.com/repos/org/repo/releases/latest\n',
    },
  },
  check({ facts }) {
    return facts.flow.modelCalls
      .filter((c) => c.kind === 'http')
      .map((c) => ({ range: c.range, message: `sends a request with ${c.label}, ${c.reason}`, path: [], confidence: c.confidence }));
  },
};
