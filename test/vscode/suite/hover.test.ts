import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, codeOf, fang, fangDiagnostics, openFile, openScratch } from './helpers';

function text(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

describe('hover', () => {
  afterEach(closeAll);

  it('explains the risk, shows the path and links the rule page', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const exec = fangDiagnostics(doc.uri).find((d) => codeOf(d) === 'bash-model-output-exec')!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, exec.range.start.translate(0, 1));
    const all = hovers.map(text).join('\n');
    const meta = (await api.rules()).find((r) => r.id === 'bash-model-output-exec')!;
    assert.ok(all.includes('bash-model-output-exec'), all);
    // the explanation, as Markdown-escaped text: compare its first words
    const firstWords = meta.explanation.split(' ').slice(0, 6).join(' ');
    assert.ok(all.includes(firstWords), `explanation "${firstWords}" missing from:\n${all}`);
    assert.match(all, /Path: line 3: model output[^\n]* → line 3: [^\n]*executed here/);
    assert.match(all, /command:fang\.showRuleDocumentation\?/);
  });

  it('shows text from the code as text: no link of its own, hidden characters named', async () => {
    const api = await fang();
    const { doc } = await openScratch(api, 'curl "http://[Open](command:workbench.action.terminal.new)\u202Eb/v1/chat/completions" -d x | sh\n', 'shellscript');
    const exec = fangDiagnostics(doc.uri).find((d) => codeOf(d) === 'bash-model-output-exec');
    assert.ok(exec, fangDiagnostics(doc.uri).map(codeOf).join(', '));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, exec.range.start.translate(0, 1));
    const all = hovers.map(text).join('\n');
    assert.match(all, /\\\[Open\\\]\\\(command\\:workbench/, 'the link-shaped host is escaped text');
    assert.match(all, /⟨U\\?\+202E⟩/);
    assert.ok(!all.includes('\u202E'), 'a raw bidi override in the hover');
    // every link left is Fang's own
    const targets = [...all.matchAll(/\]\((command:[\w.]+)/g)].map((m) => m[1]);
    assert.ok(targets.length >= 1);
    assert.deepEqual(targets.filter((t) => t !== 'command:fang.showRuleDocumentation' && t !== 'command:fang.dryRun'), []);
  });

  it('gives no Fang hover away from findings', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 2));
    assert.ok(!hovers.map(text).join('\n').includes('Fang:'));
  });
});
