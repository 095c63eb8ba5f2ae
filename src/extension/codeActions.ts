/**
 * The server's quick fixes for one document range, asked directly (for the integration tests:
 * in this VS Code server the built-in Markdown provider can fail the whole
 * `vscode.executeCodeActionProvider` request). VS Code itself gets them through the client.
 */
import * as vscode from 'vscode';
import { CodeActionRequest } from 'vscode-languageclient/node';
import type { FangLanguageClient } from './languageClient';

export class FangCodeActions {
  constructor(private readonly fang: FangLanguageClient) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext, token?: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    await this.fang.whenStarted();
    const c = this.fang.client;
    const params = {
      textDocument: c.code2ProtocolConverter.asTextDocumentIdentifier(doc),
      range: c.code2ProtocolConverter.asRange(range),
      context: c.code2ProtocolConverter.asCodeActionContextSync(context),
    };
    const result = await c.sendRequest(CodeActionRequest.type, params, token);
    const converted = (await c.protocol2CodeConverter.asCodeActionResult(result ?? [], token)) ?? [];
    return converted.filter((a): a is vscode.CodeAction => a instanceof vscode.CodeAction);
  }
}
