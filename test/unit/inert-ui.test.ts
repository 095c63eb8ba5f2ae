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
    // MarkdownString.appendMarkdown is used only by hover.ts, which escapes with markdownText.
    const users = sources().filter((s) => /appendMarkdown\(/.test(s.text)).map((s) => s.file);
    assert.deepEqual(users, ['hover.ts']);
    const hover = sources().find((s) => s.file === 'hover.ts')!.text;
    assert.match(hover, /markdownText/);
  });
});
