import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, EXTENSION_ID, fang } from './helpers';

describe('rule documentation', () => {
  afterEach(closeAll);

  it('ships a page for every rule inside the extension', async () => {
    const api = await fang();
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
    const missing: string[] = [];
    for (const r of await api.rules()) {
      const page = vscode.Uri.joinPath(root, 'docs', 'rules', `${r.id}.md`);
      const text = await vscode.workspace.fs.readFile(page).then((b) => new TextDecoder().decode(b), () => undefined);
      if (!text || !text.includes(r.id)) missing.push(r.id);
    }
    assert.deepEqual(missing, [], `rules without a page in docs/rules (or whose page does not name its id)`);
  });

  it('opens a rule page offline from the command, and refuses unknown ids', async () => {
    const api = await fang();
    const id = (await api.rules())[0]!.id;
    assert.equal(await vscode.commands.executeCommand('fang.showRuleDocumentation', id), true);
    assert.equal(await vscode.commands.executeCommand('fang.showRuleDocumentation', 'no-such-rule'), false);
    assert.equal(await vscode.commands.executeCommand('fang.showRuleDocumentation', '../../package'), false);
  });
});
