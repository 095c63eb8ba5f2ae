/** Rule pages shipped inside the extension (`docs/rules/<id>.md`), opened offline. */
import * as vscode from 'vscode';

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
      void vscode.window.showWarningMessage(`Fang: there is no documentation page for rule "${ruleId}".`);
      return false;
    }
    await vscode.commands.executeCommand('markdown.showPreview', this.uri(ruleId));
    return true;
  }

  /** A `command:` link for Markdown hovers. */
  commandLink(ruleId: string): string {
    return `command:fang.showRuleDocumentation?${encodeURIComponent(JSON.stringify([ruleId]))}`;
  }
}
