/**
 * Rule-specific rewrites, chosen by the shape of the reported line. Each one keeps the code's
 * purpose and adds a human or a bound in front of the risk; none is applied without the user
 * picking it, and each title says what it inserts.
 */
import * as vscode from 'vscode';
import type { Finding } from '../core/types';
import { lineContext, type SnippetFamily } from './snippetLanguage';

export interface Fix {
  title: string;
  edit: vscode.WorkspaceEdit;
}

export const ITERATION_CAP = 10;

function confirmBlock(indent: string, producer: string, run: string): string {
  return [
    `${indent}fang_generated="$(${producer})"`,
    `${indent}printf '%s\\n' "$fang_generated"`,
    `${indent}read -r -p 'Run the generated code above? [y/N] ' fang_answer`,
    `${indent}if [ "$fang_answer" = y ]; then ${run}; fi`,
  ].join('\n');
}

/** `eval "$(model ...)"` and `model ... | bash` become: print, ask, then run. */
function confirmBeforeRunning(doc: vscode.TextDocument, line: number): Fix | undefined {
  const text = doc.lineAt(line).text;
  let block: string | undefined;
  const evalForm = /^(\s*)eval\s+"?\$\((.+)\)"?\s*$/.exec(text);
  const pipeForm = /^(\s*)(.+?)\s*\|\s*((?:ba|z|da)?sh)\s*$/.exec(text);
  if (evalForm) block = confirmBlock(evalForm[1]!, evalForm[2]!, 'eval "$fang_generated"');
  else if (pipeForm) block = confirmBlock(pipeForm[1]!, pipeForm[2]!, `printf '%s\\n' "$fang_generated" | ${pipeForm[3]}`);
  if (!block) return undefined;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, doc.lineAt(line).range, block);
  return { title: 'Insert confirmation: print the generated code and ask before running it', edit };
}

/** A loop whose head is on `line` gets a counter and a `break` after ITERATION_CAP rounds. */
function iterationCap(doc: vscode.TextDocument, line: number, family: SnippetFamily): Fix | undefined {
  const head = doc.lineAt(line).text;
  const indent = /^\s*/.exec(head)![0];
  const edit = new vscode.WorkspaceEdit();
  if (family === 'bash') {
    if (!/^\s*(while|until|for)\b/.test(head)) return undefined;
    // the body starts after the first `do` on the head line or the lines just below it
    for (let i = line; i < Math.min(doc.lineCount, line + 3); i++) {
      const m = /(^|[;\s])do(\s|$)/.exec(doc.lineAt(i).text);
      if (!m) continue;
      const doEnd = new vscode.Position(i, m.index + m[0].trimEnd().length);
      edit.insert(doc.uri, new vscode.Position(line, 0), `${indent}fang_iterations=0\n`);
      edit.insert(
        doc.uri,
        doEnd,
        `\n${indent}  fang_iterations=$((fang_iterations + 1))\n${indent}  if [ "$fang_iterations" -gt ${ITERATION_CAP} ]; then echo "stopping after ${ITERATION_CAP} iterations" >&2; break; fi`,
      );
      return { title: `Add an iteration cap (${ITERATION_CAP}) to this loop`, edit };
    }
    return undefined;
  }
  if (!/^\s*(while|for|do)\b/.test(head)) return undefined;
  const brace = head.indexOf('{');
  if (brace < 0) return undefined;
  edit.insert(doc.uri, new vscode.Position(line, 0), `${indent}let fangIterations = 0;\n`);
  edit.insert(
    doc.uri,
    new vscode.Position(line, brace + 1),
    `\n${indent}  if (++fangIterations > ${ITERATION_CAP}) { console.error('stopping after ${ITERATION_CAP} iterations'); break; }`,
  );
  return { title: `Add an iteration cap (${ITERATION_CAP}) to this loop`, edit };
}

export function ruleFixes(doc: vscode.TextDocument, f: Finding): Fix[] {
  const line = f.range.start.line;
  const ctx = lineContext(doc, line);
  if (!ctx) return [];
  const fixes: Fix[] = [];
  if (f.category === 'model-output-execution' && ctx.family === 'bash') {
    const fix = confirmBeforeRunning(doc, line);
    if (fix) fixes.push(fix);
  }
  if (f.category === 'recursive-spawning') {
    const fix = iterationCap(doc, line, ctx.family);
    if (fix) fixes.push(fix);
  }
  return fixes;
}
