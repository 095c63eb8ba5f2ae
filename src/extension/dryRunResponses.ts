/**
 * The stub answers of a folder: `.fang-responses.yaml` in the workspace folder (next to the
 * file when there is no folder), read for every dry-run there and created from a template by
 * "Edit stub answers".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadResponsesFile, type DryRunReport, type ResponseScript } from '../sandbox';

export const RESPONSES_FILE = '.fang-responses.yaml';

export function responsesPath(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder?.uri.scheme === 'file') return path.join(folder.uri.fsPath, RESPONSES_FILE);
  return uri.scheme === 'file' ? path.join(path.dirname(uri.fsPath), RESPONSES_FILE) : undefined;
}

/** The folder's stub answers, or undefined when it has none; throws a readable error for a bad file. */
export function loadResponses(uri: vscode.Uri): ResponseScript | undefined {
  const file = responsesPath(uri);
  return file && fs.existsSync(file) ? loadResponsesFile(file) : undefined;
}

/** The responses file of the document's folder, created from the template when missing. */
export async function ensureResponsesFile(uri: vscode.Uri, last: DryRunReport | undefined): Promise<vscode.Uri | undefined> {
  const file = responsesPath(uri);
  if (!file) return undefined;
  const target = vscode.Uri.file(file);
  if (!fs.existsSync(file)) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(responsesTemplate(last)));
  return target;
}

function responsesTemplate(report: DryRunReport | undefined): string {
  const prompts = (report?.modelCalls ?? []).slice(0, 5).map((c) => `#   #${c.id} ${JSON.stringify(c.prompt.split('\n').pop()?.slice(0, 100) ?? '')}`);
  return [
    '# Stub answers for Fang dry-runs in this folder (first match wins).',
    '# `when` is a case-insensitive regular expression tested against the prompt;',
    '# `answers` are given in turn and the last one repeats.',
    ...(prompts.length ? ['# Prompts of the last run:', ...prompts] : []),
    'responses:',
    '  - when: "list .*ideas"',
    '    answer: "check disk usage"',
    '  - when: "code"',
    '    answers: ["echo hello from the stub", "df -h ."]',
    '# default: "an answer for every other prompt"',
    '',
  ].join('\n');
}
