import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { describeOrigin, effectFindings, lineRef } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-model-output-file-exec',
    language: 'python',
    category: 'model-output-execution',
    severity: 'error',
    title: 'A file written with model output is run',
    explanation:
      'Model output is written to a file that the program then imports or runs (`import generated`, `importlib`, `runpy.run_path`, `python FILE`, ' +
      '`bash FILE` through subprocess). Writing the answer first does not make it safer: it runs with your permissions. Review the file before running it, or dry-run it in the sandbox.',
    example: {
      bad: 'import subprocess, ollama\nr = ollama.generate(model="codellama", prompt="a bash script that cleans /tmp")\nwith open("fix.sh", "w") as f:\n    f.write(r["response"])\nsubprocess.run(["bash", "fix.sh"])\n',
      good: 'import ollama\nr = ollama.generate(model="codellama", prompt="a bash script that cleans /tmp")\nwith open("fix.sh", "w") as f:\n    f.write(r["response"])\nprint("review fix.sh before running it")\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['file-exec'],
      (e, t) => `${describeOrigin(t, e.range)} is written to a file that ${e.label} (${lineRef(e.range)}) then runs`,
      (e) => `the file is run here by ${e.label}`,
      { confirmations: true },
    );
  },
};
