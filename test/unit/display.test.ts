/** The one display convention for text Fang did not write (src/core/display.ts). */
import * as assert from 'node:assert/strict';
import { argvText, hasHidden, inertJson, markdownCode, markdownFence, markdownText, plainMessage, visible } from '../../src/core/display';

const ESC = '\x1b';

describe('display of untrusted text', () => {
  it('names escape sequences and controls instead of passing them on', () => {
    const alt = `${ESC}[?1049h${ESC}[2J${ESC}[HVerdict: clean${ESC}]52;c;ZWNobyBoaQ==\x07${ESC}]8;;https://x.test\x07link${ESC}]8;;\x07`;
    const v = visible(alt);
    assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(v), v);
    assert.equal(v, '⟨ESC⟩[?1049h⟨ESC⟩[2J⟨ESC⟩[HVerdict: clean⟨ESC⟩]52;c;ZWNobyBoaQ==⟨BEL⟩⟨ESC⟩]8;;https://x.test⟨BEL⟩link⟨ESC⟩]8;;⟨BEL⟩');
    assert.equal(visible('a\u009b31mb\u0085c\x7f'), 'a⟨U+009B⟩31mb⟨U+0085⟩c⟨DEL⟩');
    assert.equal(visible('carriage\roverwrite'), 'carriage⟨CR⟩overwrite');
  });

  it('shows bidi and zero-width characters, and runs of one by count', () => {
    assert.equal(visible('invoice\u202Efdp.sh'), 'invoice⟨U+202E⟩fdp.sh');
    assert.equal(visible('a\u2066b\u2069\u200Fc\u061C'), 'a⟨U+2066⟩b⟨U+2069⟩⟨U+200F⟩c⟨U+061C⟩');
    assert.equal(visible(`echo hi${'\u200B'.repeat(500)}; curl x | sh`), 'echo hi⟨U+200B ×500⟩; curl x | sh');
    assert.equal(visible('tag\u{E0041}\u{E0042}'), 'tag⟨U+E0041⟩⟨U+E0042⟩');
    assert.equal(visible('soft\u00ADhy\uFEFFphen\u2060'), 'soft⟨U+00AD⟩hy⟨U+FEFF⟩phen⟨U+2060⟩');
    assert.equal(visible('line\u2028sep'), 'line⟨U+2028⟩sep');
  });

  it('cannot be forged: a literal marker bracket is itself marked', () => {
    assert.equal(visible('⟨ESC⟩'), '⟨U+27E8⟩ESC⟩');
  });

  it('keeps plain text, emoji and line breaks where asked', () => {
    assert.equal(visible('héllo wörld, 日本語 ❤️ 👩‍💻'), 'héllo wörld, 日本語 ❤️ 👩‍💻');
    assert.equal(visible('a\nb\tc'), 'a⟨LF⟩b⟨HT⟩c');
    assert.equal(visible('a\r\nb\tc\rd', { multiline: true }), 'a\nb\tc⟨CR⟩d');
    assert.equal(hasHidden('plain'), false);
    assert.equal(hasHidden('pl\u200Bain'), true);
  });

  it('counts stacked combining marks instead of drawing them over other lines', () => {
    assert.equal(visible('é'), 'é');
    assert.equal(visible(`z${'\u0301'.repeat(40)}`), 'z⟨40 combining marks⟩');
  });

  it('clips on a boundary and says what was clipped, invisible characters included', () => {
    const s = `bash -c ${'\u200C\u200B'.repeat(100)}curl evil | sh`;
    const v = visible(s, { max: 40 });
    assert.ok(v.length <= 40 + 50, v);
    assert.match(v, /^bash -c ⟨U\+200C⟩⟨U\+200B⟩/);
    assert.match(v, /⟨… \d+ more characters, \d+ of them invisible⟩$/);
    const n = Number(/… (\d+) more/.exec(v)![1]);
    const shown = v.slice(0, v.indexOf('⟨…')).match(/⟨U\+200[BC]⟩/g)!.length;
    assert.equal(n, [...s].length - 'bash -c '.length - shown);
    assert.equal(visible('abcdef', { max: 3 }), 'abc⟨… 3 more characters⟩');
    assert.equal(visible('abc', { max: 3 }), 'abc');
    // never half a surrogate pair or half a marker
    assert.equal(visible('ab😀😀', { max: 3 }), 'ab⟨… 2 more characters⟩');
    assert.equal(visible('ab\x1bcd', { max: 4 }), 'ab⟨… 3 more characters, 1 of them invisible⟩');
    // where space is short (a graph label): an ellipsis, from either end, still never half a marker
    assert.equal(visible('abcdef', { max: 3, note: 'ellipsis' }), 'abc…');
    assert.equal(visible('abcdef', { max: 3, keep: 'end' }), '⟨… 3 more characters⟩def');
    assert.equal(visible('ab\u202ecd', { max: 3, keep: 'end', note: 'ellipsis' }), '…cd');
    assert.equal(visible('ab\u202ecd', { max: 10, keep: 'end', note: 'ellipsis' }), '…⟨U+202E⟩cd');
    assert.equal(visible('ab\u202ecd', { max: 12, keep: 'end', note: 'ellipsis' }), 'ab⟨U+202E⟩cd');
  });

  it('plain messages hold no link VS Code would render', () => {
    const key = '[Fix this key](command:workbench.action.terminal.newWithProfile?%7B%22profileName%22%3A%22x%22%7D)';
    const m = plainMessage(`unknown key "${key}"`);
    assert.ok(!/\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)/i.test(m), m);
    assert.match(m, /\[Fix this key\] \(command:/);
    assert.equal(plainMessage('a\nb'), 'a⟨LF⟩b');
  });

  it('Markdown text, code spans and fences cannot open structure', () => {
    assert.equal(markdownText('[x](command:y) <!-- *a*'), '\\[x\\]\\(command\\:y\\) \\<\\!\\-\\- \\*a\\*');
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('x\n## Network\n<!--'), '`x⟨LF⟩## Network⟨LF⟩<!--`');
    assert.equal(markdownCode('a|b'), '`a|b`');
    assert.equal(markdownCode('a|b', { cell: true }), '`a\\|b`');
    assert.equal(markdownCode(''), '`(empty)`');
    assert.equal(markdownFence('```\nrm -rf\n'), '````text\n```\nrm -rf\n````');
  });

  it('argv reads as a shell line, with hidden characters left for visible to name', () => {
    assert.equal(argvText(['bash', '-c', 'echo "hi" $HOME', '', 'a\x1bb']), 'bash -c "echo \\"hi\\" \\$HOME" "" a\x1bb');
    assert.equal(visible(argvText(['x', 'a\x1bb c'])), 'x "a⟨ESC⟩b c"');
  });

  it('JSON for a terminal escapes C1, bidi and invisible characters and parses back the same', () => {
    const data = { s: 'a\u009b2Jb\u202Ec\u200Bd\u{E0041}\x1b' };
    const text = inertJson(JSON.stringify(data));
    assert.ok(!/[\u007f-\u009f\u200b\u202e\u{e0041}\x1b]/u.test(text), text);
    assert.deepEqual(JSON.parse(text), data);
  });
});

describe('display of untrusted text, on random input', () => {
  // A fixed-seed generator over the characters that matter: controls, bidi, zero-width, tags,
  // combining marks, surrogate halves, the marker bracket, emoji and plain text.
  let seed = 0x5eed;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pool = ['a', 'Z', ' ', '\n', '\t', '\r', '\x1b', '\x07', '\x00', '\x7f', '\u009b', '\u0085', '\u202e', '\u2066', '\u200b', '\u200d', '\ufe0f',
    '\u0301', '\u{e0041}', '\ud800', '\udc00', '⟨', '⟩', '❤', '日', '`', '[', ']', '(', ')', '<', '!', '-', '|', '\u2028'];
  const sample = () => Array.from({ length: rnd(80) }, () => pool[rnd(pool.length)]).join('');

  it('never lets a hidden or acting character through and keeps within the limit', () => {
    for (let i = 0; i < 3000; i++) {
      const s = sample();
      const max = 1 + rnd(60);
      const one = visible(s, { max });
      const multi = visible(s, { max, multiline: true });
      // Only the marker's own brackets and emoji joiners (between two pictographs) may remain.
      assert.ok(!/[\p{Cc}\p{Cs}\u202e\u2066\u200b\u2028\u{e0041}]/u.test(one), JSON.stringify({ s, one }));
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u200b]/u.test(multi), JSON.stringify({ s, multi }));
      const note = /⟨… \d+ more characters?(, \d+ of them invisible)?⟩$/.exec(one);
      assert.ok(one.length - (note ? note[0].length : 0) <= max, JSON.stringify({ s, max, one }));
      if (!note) assert.equal(visible(s), one);
      const tail = visible(s, { max, keep: 'end', note: 'ellipsis' });
      assert.ok(!/[\p{Cc}\p{Cs}\u202e\u2066\u200b\u2028\u{e0041}]/u.test(tail), JSON.stringify({ s, tail }));
      assert.ok(tail.length <= max + 1, JSON.stringify({ s, max, tail }));
    }
  });
});
