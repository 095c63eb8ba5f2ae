import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FangApi } from '../../../src/extension/extension';
import { analysisOf, closeAll, codeOf, fang, fangDiagnostics, fangHints, openScratch, workspaceUri } from './helpers';

async function actionsFor(doc: vscode.TextDocument, ruleId: string, api?: FangApi): Promise<vscode.CodeAction[]> {
  const d = fangDiagnostics(doc.uri).find((x) => codeOf(x) === ruleId);
  assert.ok(d, `no ${ruleId} diagnostic; have ${fangDiagnostics(doc.uri).map(codeOf).join(', ')}`);
  if (api) {
    // Asks Fang's provider alone: in this VS Code server the built-in Markdown provider answers
    // `vscode.executeCodeActionProvider` on Markdown files with "Canceled", failing the whole request.
    const context: vscode.CodeActionContext = { diagnostics: [d], triggerKind: vscode.CodeActionTriggerKind.Invoke, only: vscode.CodeActionKind.QuickFix };
    return api.codeActions.provideCodeActions(doc, d.range, context);
  }
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
}

async function apply(api: FangApi, doc: vscode.TextDocument, actions: vscode.CodeAction[], title: RegExp): Promise<void> {
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a?.edit, `no action ${title} among: ${actions.map((x) => x.title).join(' | ')}`);
  assert.ok(await vscode.workspace.applyEdit(a.edit), `applying "${a.title}" failed`);
  await analysisOf(api, doc);
}

const EVAL = '#!/bin/bash\nset -e\neval "$(llm "write a command that frees disk space")"\necho done\n';

describe('quick fixes', () => {
  afterEach(closeAll);

  it('suppresses on this line with a reason placeholder, in the file\'s comment syntax', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, EVAL, 'shellscript');
    await apply(api, doc, await actionsFor(doc, 'bash-model-output-exec'), /^Suppress bash-model-output-exec on this line$/);
    assert.equal(doc.lineAt(2).text, '# fang-ignore-next-line bash-model-output-exec -- reason');
    assert.equal(doc.lineAt(3).text, 'eval "$(llm "write a command that frees disk space")"');
    assert.ok(!fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-output-exec'), 'still reported after suppression');
    assert.ok(fangHints(doc.uri).some((d) => codeOf(d) === 'bash-model-output-exec'), 'the suppressed finding stays visible as a hint');
    assert.ok(fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-cli-call'), 'other rules must stay');
  });

  it('suppresses in the file below the shebang', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, EVAL, 'shellscript');
    await apply(api, doc, await actionsFor(doc, 'bash-model-cli-call'), /^Suppress bash-model-cli-call in this file$/);
    assert.equal(doc.lineAt(0).text, '#!/bin/bash');
    assert.equal(doc.lineAt(1).text, '# fang-ignore-file bash-model-cli-call -- reason');
    assert.ok(!fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-cli-call'));
  });

  it('uses the fence\'s comment syntax inside Markdown', async () => {
    const api = await fang();
    // A copy of guide.md: the workspace's own file is shared with later tests and must stay as it is.
    const guide = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri('guide.md')));
    const { doc } = await openScratch(api, guide, 'markdown');
    await apply(api, doc, await actionsFor(doc, 'bash-model-output-exec', api), /on this line$/);
    assert.equal(doc.lineAt(5).text, '# fang-ignore-next-line bash-model-output-exec -- reason');
    assert.ok(!fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-output-exec'));
  });

  it('uses // inside a TypeScript fence in Markdown', async () => {
    const api = await fang();
    const md = [
      '# Agent',
      '',
      '```ts',
      "import OpenAI from 'openai';",
      "import { execSync } from 'node:child_process';",
      'const client = new OpenAI();',
      "const r = await client.chat.completions.create({ model: 'm', messages: [] });",
      "execSync(r.choices[0]!.message.content ?? '');",
      '```',
      '',
    ].join('\n');
    const { doc, analysis } = await openScratch(api, md, 'markdown');
    const exec = analysis.findings.find((f) => f.category === 'model-output-execution');
    assert.ok(exec, `no finding in the ts fence: ${analysis.findings.map((f) => f.ruleId).join(', ')}`);
    assert.equal(exec.range.start.line, 7);
    await apply(api, doc, await actionsFor(doc, exec.ruleId, api), /on this line$/);
    assert.equal(doc.lineAt(7).text, `// fang-ignore-next-line ${exec.ruleId} -- reason`);
    await apply(api, doc, await actionsFor(doc, 'js-model-sdk-call', api), /in this code block$/);
    assert.equal(doc.lineAt(3).text, '// fang-ignore-file js-model-sdk-call -- reason');
    assert.deepEqual(fangDiagnostics(doc.uri).map(codeOf), []);
  });

  it('offers "insert confirmation" for eval of model output and prints before running', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, EVAL, 'shellscript');
    const actions = await actionsFor(doc, 'bash-model-output-exec');
    const fix = actions.find((a) => /^Insert confirmation/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    assert.equal(fix.isPreferred, true);
    await apply(api, doc, actions, /^Insert confirmation/);
    assert.equal(
      doc.getText(),
      [
        '#!/bin/bash',
        'set -e',
        'fang_generated=$(llm "write a command that frees disk space")',
        "printf '%s\\n' \"$fang_generated\" >&2",
        "read -r -p 'Run the generated code above? [y/N] ' fang_answer",
        'if [ "${fang_answer-}" = y ]; then',
        '  eval "$fang_generated"',
        'fi',
        'echo done',
        '',
      ].join('\n'),
    );
  });

  it('gives an agent loop an iteration cap', async () => {
    const api = await fang();
    const loop = 'goal="tidy the disk"\nwhile true; do\n  action=$(sgpt --shell "$goal")\n  bash -c "$action"\ndone\n';
    const { doc } = await openScratch(api, loop, 'shellscript');
    await apply(api, doc, await actionsFor(doc, 'bash-agent-loop'), /^Add an iteration cap/);
    assert.equal(
      doc.getText(),
      [
        'goal="tidy the disk"',
        'fang_iterations=0',
        'while true; do',
        '  fang_iterations=$((fang_iterations + 1))',
        '  if [ "$fang_iterations" -gt 10 ]; then echo "stopping after 10 iterations" >&2; break; fi',
        '  action=$(sgpt --shell "$goal")',
        '  bash -c "$action"',
        'done',
        '',
      ].join('\n'),
    );
  });

  it('uses // comments and a counter in TypeScript', async () => {
    const api = await fang();
    const src = [
      "import OpenAI from 'openai';",
      "import { execSync } from 'node:child_process';",
      'const client = new OpenAI();',
      'export async function main(): Promise<void> {',
      '  while (true) {',
      "    const r = await client.chat.completions.create({ model: 'm', messages: [] });",
      "    execSync(r.choices[0]!.message.content ?? '');",
      '  }',
      '}',
      '',
    ].join('\n');
    const { doc, analysis } = await openScratch(api, src, 'typescript');
    const loop = analysis.findings.find((f) => f.category === 'recursive-spawning' && f.range.start.line === 4);
    assert.ok(loop, `no loop finding: ${analysis.findings.map((f) => `${f.ruleId}@${f.range.start.line}`).join(', ')}`);
    await apply(api, doc, await actionsFor(doc, loop.ruleId), /^Add an iteration cap/);
    assert.equal(doc.lineAt(4).text, '  let fangIterations = 0;');
    assert.equal(doc.lineAt(5).text, '  while (true) {');
    assert.equal(doc.lineAt(6).text, "    if (++fangIterations > 10) { console.error('stopping after 10 iterations'); break; }");
    const exec = analysis.findings.find((f) => f.category === 'model-output-execution');
    assert.ok(exec);
    const fresh = await analysisOf(api, doc);
    const execNow = fresh.findings.find((f) => f.ruleId === exec.ruleId)!;
    await apply(api, doc, await actionsFor(doc, execNow.ruleId), /on this line$/);
    assert.equal(doc.lineAt(execNow.range.start.line).text, `    // fang-ignore-next-line ${exec.ruleId} -- reason`);
    assert.ok(!fangDiagnostics(doc.uri).some((d) => codeOf(d) === exec.ruleId), 'still reported after suppression');
  });

  it('builds the confirmation from the command node: a quoted comment stays a comment', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, 'eval $(llm hi) # "; touch X; : "$(true)\necho after\n', 'shellscript');
    await apply(api, doc, await actionsFor(doc, 'bash-model-output-exec'), /^Insert confirmation/);
    assert.equal(doc.lineAt(4).text, '  eval $fang_generated');
    assert.equal(doc.lineAt(5).text, 'fi # "; touch X; : "$(true)');
  });

  it('prints a variable that carries the answer before running it', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, 'x=$(llm "cmd")\nsh -c "$x" 2>/dev/null\n', 'shellscript');
    await apply(api, doc, await actionsFor(doc, 'bash-model-output-exec'), /^Insert confirmation/);
    assert.equal(doc.lineAt(1).text, `printf '%s\\n' "$x" >&2`);
    assert.equal(doc.lineAt(4).text, '  sh -c "$x" 2>/dev/null');
  });

  it('offers no rewrite it cannot prove, only suppressions', async () => {
    const api = await fang();
    // Printing `${x//a/b}` would be a second expansion; the fix is not offered.
    const { doc } = await openScratch(api, 'x=$(llm "cmd")\nsh -c "${x//a/b}" 2>/dev/null\n', 'shellscript');
    const titles = (await actionsFor(doc, 'bash-model-output-exec')).map((a) => a.title);
    assert.ok(!titles.some((t) => /^Insert confirmation/.test(t)), titles.join(' | '));
    assert.ok(titles.includes('Suppress bash-model-output-exec on this line'));
  });
});
