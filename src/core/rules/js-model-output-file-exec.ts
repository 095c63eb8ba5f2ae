import type { Rule } from '../rule';
import type { Node } from 'web-tree-sitter';
import type { JsFacts } from '../js/facts';
import { enclosingFunction, rangeOf, within } from '../js/tree';
import type { Range } from '../types';
import { describeOrigin, effectFindings, line } from './js-common';

export const rule: Rule<JsFacts> = {
  meta: {
    id: 'js-model-output-file-exec',
    language: 'typescript',
    category: 'model-output-execution',
    severity: 'error',
    title: 'Model output is written to a file that is then run',
    explanation:
      'Text produced by a language model is written to a file, and the same program then loads or runs that file (`require`, `import()`, ' +
      '`fork`, `node file.js`, `bash file.sh`). That is the same as running the answer directly, only harder to see. Review the file before running it.',
    example: {
      bad: "import fs from 'node:fs';\nimport { generateText } from 'ai';\nconst { text } = await generateText({ model, prompt: 'write a script' });\nfs.writeFileSync('./gen.cjs', text);\nrequire('./gen.cjs');\n",
      good: "import fs from 'node:fs';\nimport { generateText } from 'ai';\nconst { text } = await generateText({ model, prompt: 'write a script' });\nfs.writeFileSync('./gen.cjs', text);\nconsole.log('review ./gen.cjs before running it');\n",
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      'file-exec',
      (e, t) => `${describeOrigin(t, e.range)} is written to a file that ${e.label} (line ${line(e.range)}) then loads or runs`,
      (e) => `run here by ${e.label}`,
      // A tool writes where the model says: only a run of the same file within the same function
      // (write a temp script, then run it) is known to run what was written.
      (e, t) => !t.origin.tool || sameFunction(e.node, t.steps.find((s) => s.message.startsWith('written to a file'))?.range),
      { confirmations: true },
    );
  },
};

function sameFunction(sink: Node, write: Range | undefined): boolean {
  if (!write || (write.file !== undefined && write.file !== rangeOf(sink).file)) return false;
  // any function around the sink (a callback inside the function that wrote it counts)
  for (let fn = enclosingFunction(sink); fn; fn = enclosingFunction(fn)) if (within(write, fn)) return true;
  return false;
}
