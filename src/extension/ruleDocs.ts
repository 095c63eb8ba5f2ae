/** Rule pages shipped inside the extension (`docs/rules/<id>.md`), opened offline. */
import * as vscode from 'vscode';
import { showWarning } from './notify';

export class RuleDocs {
  constructor(private readonly extensionUri: vscode.Uri) {}

  uri(ruleId: string): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules', `${ruleId}.md`);
  }

  async exists(ruleId: string): Promise<boolean> {
    try {
      await vscode.workspace.fs.stat(this.uri(ruleId));
      return true;
    } catch {
      return false;
    }
  }

  /** Opens the page in the Markdown preview; an unknown rule gets a message, not an exception. */
  async open(ruleId: string): Promise<boolean> {
    if (!/^[a-z0-9-]+$/.test(ruleId) || !(await this.exists(ruleId))) {
      void showWarning(`Fang: there is no documentation page for rule "${ruleId}".`);
      return false;
    }
    await vscode.commands.executeCommand('markdown.showPreview', this.uri(ruleId));
    return true;
  }

  /** Whether a URI is one of the shipped rule pages. */
  isRulePage(uri: vscode.Uri): boolean {
    const dir = vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules').toString();
    return uri.toString().startsWith(`${dir}/`) && uri.path.endsWith('.md');
  }

  /**
   * The Problems panel opens a diagnostic's code link as a text editor; for a rule page, show
   * the rendered preview in its place.
   */
  previewWhenOpened(): vscode.Disposable {
    return vscode.window.onDidChangeActiveTextEditor(async (editor) => {
      const uri = editor?.document.uri;
      if (!uri || !this.isRulePage(uri)) return;
      await vscode.commands.executeCommand('markdown.showPreview', uri);
      for (const group of vscode.window.tabGroups.all) {
        for (const tab of group.tabs) {
          if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()) await vscode.window.tabGroups.close(tab);
        }
      }
    });
  }

  /** A `command:` link for Markdown hovers. */
  commandLink(ruleId: string): string {
    return `command:fang.showRuleDocumentation?${encodeURIComponent(JSON.stringify([ruleId]))}`;
  }
}
