import { numberRef } from '../refs';
import { collectErrors } from '../tree-util';
import type { Node } from 'web-tree-sitter';
import { reportsIncomplete, type Rule, type RawFinding } from '../rule';
import type { Category } from '../types';
import { MODEL_CLIS, urlLooksLikeModelApi } from '../catalog';

const EXEC_WORDS = /\beval\b|\b(ba|z|da|k)?sh\s+-c\b|\bsource\b|(^|\s)\.\s|\|\s*(ba|z|da)?sh\b|\|\s*python3?\b|\bexec\b|\bFunction\s*\(|\bvm\.|child_process|\bexecSync\b|\bspawn\b/;
const MODEL_WORDS = new RegExp(
  `\\b(${MODEL_CLIS.filter((c) => c.name.length > 2).map((c) => c.name.replace(/[-.]/g, '\\$&')).join('|')}|RUN_AI|query-model|openai|anthropic|ollama|OpenAI|Anthropic|GoogleGenAI)\\b`,
);

/** Classifies a region the parser could not read: could it hide a finding? Only where a model is named. */
export function wouldBeCategory(text: string): Category | undefined {
  if (!(MODEL_WORDS.test(text) || urlLooksLikeModelApi(text))) return undefined;
  return EXEC_WORDS.test(text) ? 'model-output-execution' : 'self-invocation';
}

export const rule: Rule = {
  meta: {
    id: 'analysis-incomplete',
    language: 'any',
    category: 'model-output-execution',
    severity: 'note',
    title: 'Analysis incomplete',
    explanation:
      'Fang could not follow this part of the code, usually because of a syntax error next to a model call or a place that runs code. ' +
      'The absence of other findings here is not a clean result: fix the syntax or review this part by hand.',
    example: {
      bad: 'eval "$(llm "write the fix)"\n',
      good: 'echo "done"\nfi\n',
    },
  },
  check({ tree, text, facts }) {
    const out: RawFinding[] = reportsIncomplete(facts) ? facts.incompleteFindings() : [];
    // A syntax error only hides a finding where a model is named somewhere in the text.
    if (!tree.rootNode.hasError || !(MODEL_WORDS.test(text) || urlLooksLikeModelApi(text))) return out;
    const lines = text.split('\n');
    const seen = new Set<number>();
    const errors: Node[] = [];
    collectErrors(tree.rootNode, errors);
    for (const err of errors) {
      const row = err.startPosition.row;
      if (seen.has(row)) continue;
      // "Touching" the error: its own line and, when it is short, the lines it spans.
      const span = err.endPosition.row - row <= 3 ? lines.slice(row, err.endPosition.row + 1).join('\n') : (lines[row] ?? '');
      let category = wouldBeCategory(span);
      let at = row;
      let message = '';
      if (category) {
        message = `analysis incomplete: a syntax error on line ${numberRef({ line: row, column: err.startPosition.column })} is next to ${category === 'self-invocation' ? 'a model call' : 'code execution'}, so Fang cannot tell whether model output runs here`;
      } else if (err.endPosition.row - row > 3) {
        // A long unreadable region (an unclosed quote, a stray keyword): name the first model call in it.
        for (let r = row + 1; r <= err.endPosition.row && r < lines.length; r++) {
          category = wouldBeCategory(lines[r] ?? '');
          if (!category) continue;
          at = r;
          message = `analysis incomplete: a syntax error from line ${numberRef({ line: row, column: err.startPosition.column })} to line ${numberRef({ line: err.endPosition.row, column: 0 })} covers ${category === 'self-invocation' ? 'a model call' : 'code that runs model output'} on line ${numberRef({ line: r, column: 0 })}; Fang cannot follow it`;
          break;
        }
      }
      if (!category) continue;
      seen.add(row);
      out.push({
        category,
        range: { start: { line: at, column: at === row ? err.startPosition.column : 0 }, end: { line: at, column: (lines[at] ?? '').length } },
        message,
        path: at === row ? [] : [{ range: { start: { line: row, column: err.startPosition.column }, end: { line: row, column: (lines[row] ?? '').length } }, message: 'the unreadable region starts here' }],
        confidence: 'low',
      });
    }
    return out;
  },
};
