/** The dry-run in an untrusted workspace: the lens explains, nothing runs, nothing offers it. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DryRunOutcome } from '../../../src/extension/dryRunController';
import { UNTRUSTED_TITLE } from '../../../src/extension/dryRunLens';
import { fang, openFile } from './helpers';

describe('dry-run in an untrusted workspace', () => {
  it('the lens says dry-runs need trust and leads to the trust editor', async () => {
    const api = await fang();
    assert.equal(vscode.workspace.isTrusted, false);
    const { doc } = await openFile(api, 'agent-loop.sh');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
    const ours = lenses.filter((l) => l.command?.title.startsWith('Dry-run'));
    assert.equal(ours.length, 1, JSON.stringify(lenses.map((l) => l.command?.title)));
    assert.equal(ours[0]!.command!.title, UNTRUSTED_TITLE);
    assert.equal(ours[0]!.command!.command, 'workbench.trust.manage');
    assert.ok(!lenses.some((l) => l.command?.command === 'fang.dryRun'), 'no lens runs anything');
  });

  it('the commands refuse with the reason and start no sandbox', async () => {
    const api = await fang();
    let started = false;
    const sub = api.dryRun.onDidStart(() => (started = true));
    try {
      const { doc } = await openFile(api, 'agent-loop.sh');
      for (const [cmd, args] of [['fang.dryRun', [doc.uri]], ['fang.dryRunSelection', []]] as const) {
        const r = await vscode.commands.executeCommand<DryRunOutcome>(cmd, ...args);
        assert.match(r?.unavailable ?? '', /untrusted/, `${cmd}: ${JSON.stringify(r)}`);
      }
      // Even a direct call past the command gate refuses.
      const direct = await api.dryRun.runCommand(doc.uri);
      assert.match(direct.unavailable ?? '', /untrusted|trust/);
      assert.equal(started, false);
    } finally {
      sub.dispose();
    }
  });

  it('the hover on a finding does not offer the dry-run', async () => {
    const api = await fang();
    const { doc, analysis } = await openFile(api, 'eval-once.sh');
    const f = analysis.findings[0]!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(f.range.start.line, f.range.start.column + 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Fang:/);
    assert.doesNotMatch(text, /fang\.dryRun/);
  });
});
