/**
 * An untrusted folder whose .fang.json and workspace settings (test/vscode/untrusted-overlay)
 * try to silence Fang and carry link-shaped keys: the settings are ignored (restricted), the
 * file may only raise severities, every dropped entry is named, and no message Fang shows holds
 * link syntax VS Code would render. (The rendered notifications themselves are checked in the
 * workbench's DOM by scripts/vscode-e2e-inert.mjs.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { inert } from '../../../src/extension/notify';
import { enableSettings } from '../../../src/core/languages';
import { codeOf, EXTENSION_ID, fang, fangDiagnostics, openFile } from './helpers';

const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)/i;

describe('untrusted workspace: configuration from the workspace', () => {
  it('declares every setting that changes what is reported or run as restricted', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    const restricted = new Set(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations);
    const free = Object.keys(pkg.contributes.configuration.properties).filter((k) => !restricted.has(k));
    // only the editor's own timing is left to the workspace
    assert.deepEqual(free, ['fang.debounceMs']);
  });

  it('ignores the workspace settings that would silence Fang', async () => {
    const api = await fang();
    await api.configs.whenReady();
    const cfg = vscode.workspace.getConfiguration('fang');
    assert.equal(cfg.inspect('rules')?.workspaceValue, undefined, 'VS Code hands a restricted workspace value to the extension');
    assert.deepEqual(cfg.get('rules'), {});
    assert.equal(cfg.get('pasteGuard.enabled'), true);
    // every language of the registry stays on, whatever the workspace settings say
    assert.deepEqual(cfg.get('enable'), Object.fromEntries(enableSettings().map((k) => [k, true])));
  });

  it('lets .fang.json raise a severity but not lower one, turn a rule off or ignore files', async () => {
    const api = await fang();
    await api.configs.whenReady();
    const { doc } = await openFile(api, 'eval-once.sh');
    const byRule = new Map(fangDiagnostics(doc.uri).map((d) => [codeOf(d), d.severity]));
    assert.equal(byRule.get('bash-model-output-exec'), vscode.DiagnosticSeverity.Error, 'turned off or lowered by the workspace');
    assert.equal(byRule.get('bash-model-cli-call'), vscode.DiagnosticSeverity.Error, 'not raised from warning to error');
  });

  it('names every dropped entry, and every message is shown without a link', async () => {
    const api = await fang();
    await api.configs.whenReady();
    const problems = api.configs.problems();
    const keys = problems.map((p) => p.key);
    for (const k of ['.fang.json: rules.bash-model-output-exec', '.fang.json: categories.recursive-spawning', '.fang.json: ignore']) {
      assert.ok(keys.includes(k), `no problem for ${k}: ${JSON.stringify(keys)}`);
    }
    const linky = problems.filter((p) => LINK.test(p.message));
    assert.ok(linky.length >= 2, 'the link-shaped keys are named in the problems');
    for (const p of problems) assert.doesNotMatch(inert(`Fang: ${p.message}`), LINK);
    assert.ok(linky.every((p) => inert(p.message).includes('] (command:')), 'the key is still shown, as text');
  });
});
