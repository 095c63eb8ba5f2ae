/**
 * Issue 15 item 6 in the editor: a model command named by the workspace's settings that is a
 * program on this system is stubbed only after the user said so (once per workspace); until then
 * it runs in the sandbox and the report shows what it did. The user's own setting needs no question.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DryRunOutcome } from '../../../src/extension/dryRunController';
import type { FangApi } from '../../../src/extension/extension';
import { closeAll, fang, nextEvent, openScratch } from './helpers';

async function setModelCommands(value: string[] | undefined, target: vscode.ConfigurationTarget): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('fang');
  const changed = nextEvent(vscode.workspace.onDidChangeConfiguration, (e) => e.affectsConfiguration('fang.modelCommands'), 'fang.modelCommands to change');
  await cfg.update('modelCommands', value, target);
  await changed;
}

describe('model commands named by the workspace that are programs here', function () {
  this.timeout(60_000);
  let api: FangApi;

  before(async () => {
    api = await fang();
    assert.equal((await api.dryRun.availability.settled()).kind, 'ready', 'no sandbox backend on this machine; install bubblewrap and strace');
    await api.dryRun.dismissExplanation();
  });
  afterEach(async () => {
    await api.dryRun.setShadowDecision(['touch'], undefined);
    for (const t of [vscode.ConfigurationTarget.Workspace, vscode.ConfigurationTarget.Global]) {
      if (vscode.workspace.getConfiguration('fang').inspect('modelCommands')?.[t === vscode.ConfigurationTarget.Global ? 'globalValue' : 'workspaceValue'] !== undefined) await setModelCommands(undefined, t);
    }
    await closeAll();
  });

  async function dryRun(): Promise<NonNullable<DryRunOutcome['report']>> {
    const { doc } = await openScratch(api, '#!/bin/bash\ntouch made-by-touch.txt\n', 'shellscript');
    const outcome = await vscode.commands.executeCommand<DryRunOutcome>('fang.dryRun', doc.uri);
    assert.ok(outcome?.report, JSON.stringify(outcome));
    return outcome.report;
  }
  const touch = (r: NonNullable<DryRunOutcome['report']>) => r.processes.find((p) => p.argv[0]?.endsWith('touch'));

  it('runs it as the program until the user agrees, and the report shows its file', async () => {
    await setModelCommands(['touch'], vscode.ConfigurationTarget.Workspace);
    assert.deepEqual(api.configs.modelCommandSources(vscode.workspace.workspaceFolders![0]!.uri).workspace, ['touch']);
    // The question is a modal dialog, which this test workbench refuses: no answer, so no stub.
    const r = await dryRun();
    assert.equal(touch(r)?.model, false, JSON.stringify(r.processes));
    assert.ok(r.fileChanges.some((f) => f.path.endsWith('made-by-touch.txt')), JSON.stringify(r.fileChanges));
    assert.ok(r.notes.some((n) => /^touch: named as a model command by the workspace configuration, but it is a program on this system/.test(n)), r.notes.join('\n'));
  });

  it('stubs it once the user agreed for this workspace; it still shows in the process tree', async () => {
    await setModelCommands(['touch'], vscode.ConfigurationTarget.Workspace);
    await api.dryRun.setShadowDecision(['touch'], 'stub');
    const r = await dryRun();
    assert.equal(touch(r)?.model, true, JSON.stringify(r.processes));
    assert.ok(!r.fileChanges.some((f) => f.path.endsWith('made-by-touch.txt')));
    assert.ok(r.notes.some((n) => /^touch: stubbed as a model command at your request/.test(n)), r.notes.join('\n'));
  });

  it("stubs the user's own setting without asking", async () => {
    await setModelCommands(['touch'], vscode.ConfigurationTarget.Global);
    const r = await dryRun();
    assert.equal(touch(r)?.model, true, JSON.stringify(r.processes));
  });
});
