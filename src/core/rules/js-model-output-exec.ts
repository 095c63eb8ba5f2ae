import type { Rule } from '../rule';
import type { JsFacts } from '../js/facts';
import { describeOrigin, effectFindings, line } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-model-output-exec',
    language: 'typescript',
    category: 'model-output-execution',
    severity: 'error',
    title: 'Model output is executed as code',
    explanation:
      'Text produced by a language model reaches code execution: `eval`, `new Function`, `vm`, a shell through child_process, execa or zx, ' +
      'a Worker with `eval: true`, `setTimeout` with a string or `import()` of a data: URL. Whatever the model answers, including a prompt-injected ' +
      'answer, runs with your permissions. Show the code and ask before running it, or run it in a sandbox.',
    example: {
      bad: "import OpenAI from 'openai';\nconst openai = new OpenAI();\nconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'write JS' }] });\neval(r.choices[0].message.content ?? '');\n",
      good: "import OpenAI from 'openai';\nconst openai = new OpenAI();\nconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'write JS' }] });\nconsole.log(r.choices[0].message.content);\n",
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      'exec',
      (e, t) => `${describeOrigin(t, e.range)} reaches ${e.label} (line ${line(e.range)}) and runs as code`,
      (e) => `executed here by ${e.label}`,
      undefined,
      { confirmations: true },
    );
  },
};
