/**
 * Text a workspace or a snippet controls reaches the editor's UI only through the helpers that
 * make it inert: notifications through src/extension/notify.ts, the output channel through
 * src/extension/log.ts. A direct call elsewhere would bypass them, so this test reads the
 * sources and names any.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', '..', '..', 'src', 'extension');

function sources(): Array<{ file: string; text: string }> {
  return fs.readdirSync(SRC).filter((f) => f.endsWith('.ts')).map((f) => ({ file: f, text: fs.readFileSync(path.join(SRC, f), 'utf8') }));
}

describe('extension UI receives untrusted text only through the inert helpers', () => {
  it('notifications, modal messages and progress go through notify.ts', () => {
    const direct = sources()
      .filter((s) => s.file !== 'notify.ts')
      .flatMap((s) => [...s.text.matchAll(/\b(show(?:Information|Warning|Error)Message|withProgress)\s*\(/g)].map((m) => `${s.file}: ${m[1]}`));
    assert.deepEqual(direct, []);
  });

  it('the "Fang" output channel is created only by log.ts, which makes every line visible', () => {
    const direct = sources()
      .filter((s) => s.file !== 'log.ts')
      .flatMap((s) => [...s.text.matchAll(/createOutputChannel\(\s*'Fang'/g)].map(() => s.file));
    assert.deepEqual(direct, []);
  });

  it('no Markdown string is built from untrusted text without escaping it', () => {
    // The extension builds no Markdown: hovers come from the language server, whose hoverMarkdown
    // (src/lsp/convert.ts) escapes every quoted text with markdownText.
    const users = sources().filter((s) => /appendMarkdown\(|new vscode\.MarkdownString/.test(s.text)).map((s) => s.file);
    assert.deepEqual(users, []);
    const convert = fs.readFileSync(path.join(SRC, '..', 'lsp', 'convert.ts'), 'utf8');
    const hover = convert.slice(convert.indexOf('export function hoverMarkdown'));
    assert.match(convert, /function escape\(s: string\): string \{\n {2}return markdownText\(/);
    for (const quoted of ['meta?.title ?? f.ruleId', 'meta?.explanation ?? renderMessage(f)', 'step.message']) assert.ok(hover.includes(`escape(${quoted})`), `${quoted} is escaped`);
  });

  it('the language server shows messages only through plainMessage', () => {
    const dir = path.join(SRC, '..', 'lsp');
    const direct = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) =>
      [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/show(?:Information|Warning|Error)Message\(([^)]{0,20})/g)].filter((m) => !m[1]!.startsWith('plainMessage(') && !m[1]!.startsWith("'")).map((m) => `${f}: ${m[0]}`),
    );
    assert.deepEqual(direct, []);
  });
});
