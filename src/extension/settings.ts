/** Reads the `fang.*` settings from VS Code's configuration; src/lsp/settings.ts judges them. */
import * as vscode from 'vscode';
import { parseSettings, SECTION, type Settings } from '../lsp/settings';

export { CONFIG_KEYS, EDITOR_DEFAULTS, EDITOR_KEYS, SECTION, type EditorSettings, type Settings } from '../lsp/settings';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  return parseSettings((key) => cfg.get<unknown>(key));
}
