/**
 * Generators of Bash and TypeScript/JavaScript for the property tests and the benchmark:
 * grammar-shaped programs (nesting, pipelines, functions, loops, substitutions, model calls and
 * sinks), the shapes an adversary uses against an analysis (deep nesting, long pipelines, many
 * functions, huge lines), and mutations of the rule fixtures. fast-check shrinks a failure to
 * a small program.
 */
import fc from 'fast-check';

// ---- Bash ------------------------------------------------------------------------------------

const bashName = fc.constantFrom('x', 'y', 'out', 'reply', 'cmd', 'REPLY', 'f0', 'f1', 'i');
const bashWord = fc.oneof(
  fc.constantFrom('hello', '"a b"', "'q'", '-n', '/tmp/x.sh', 'fix.sh', '*.log', '$HOME'),
  bashName.map((n) => `"$${n}"`),
  bashName.map((n) => `\${${n}:-llm}`),
);
const bashLeaf = fc.oneof(
  fc.tuple(fc.constantFrom('echo', 'printf', 'cat', 'grep', 'tee', 'curl', 'mkdir', 'rm', 'f0', 'f1', 'sleep'), fc.array(bashWord, { maxLength: 3 })).map(([c, a]) => [c, ...a].join(' ')),
  fc.constantFrom('llm "write a fix"', 'sgpt --shell "next"', 'ollama run llama3 "go"', 'curl -s https://api.openai.com/v1/chat/completions -d @q.json', 'claude -p "plan"'),
  fc.constantFrom('eval "$x"', 'bash -c "$cmd"', 'source fix.sh', 'sh fix.sh', '"$0" &', 'ssh "$h" "$cmd"', 'crontab x', 'xargs -P 0 sh -c "$y"'),
  fc.tuple(bashName, fc.constantFrom('$(llm "q")', '"$x"', 'ok', '$(cat fix.sh)', '`date`', '$((i+1))')).map(([n, v]) => `${n}=${v}`),
  fc.constantFrom('read -r reply', 'mapfile -t lines', 'wait', 'break', 'continue', 'return 0', ':'),
);

export const bashProgram: fc.Arbitrary<string> = fc
  .letrec<{ stmt: string; block: string }>((tie) => ({
    stmt: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      bashLeaf,
      fc.array(bashLeaf, { minLength: 2, maxLength: 6 }).map((cs) => cs.join(' | ')),
      fc.tuple(tie('block'), fc.constantFrom('if true; then', 'if [ -n "$x" ]; then')).map(([b, h]) => `${h}\n${b}\nfi`),
      tie('block').map((b) => `while true; do\n${b}\ndone`),
      fc.tuple(bashName, tie('block')).map(([n, b]) => `for ${n} in $(llm "list") a b; do\n${b}\ndone`),
      tie('block').map((b) => `until false; do\n${b}\ndone`),
      fc.tuple(fc.constantFrom('f0', 'f1', 'run', 'ask_llm'), tie('block')).map(([n, b]) => `${n}() {\n${b}\n}`),
      tie('block').map((b) => `( ${b.replace(/\n/g, '; ')} )`),
      tie('stmt').map((s) => `x=$(${s.split('\n')[0]})`),
      tie('stmt').map((s) => `${s.split('\n')[0]} &`),
      fc.tuple(tie('block'), bashName).map(([b, n]) => `case "$${n}" in\n  a) ${b.replace(/\n/g, '; ')} ;;\n  *) : ;;\nesac`),
      fc.constant('cat <<EOF | bash\n$(llm "script")\nEOF'),
    ),
    block: fc.array(tie('stmt'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('\n')),
  }))
  .block;

/** Shapes that stress an analysis: depth, length, count, width. */
export const bashStress: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 50, max: 400 }).map((n) => `x=$(llm "a")\n${'while true; do\n'.repeat(n)}eval "$x"; x=$(llm "b")\n${'done\n'.repeat(n)}`),
  fc.integer({ min: 50, max: 400 }).map((n) => `${'if true; then '.repeat(n)}eval "$(llm x)"${'; fi'.repeat(n)}\n`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `x=$(llm "a")\necho "$x"${' | cat'.repeat(n)} | bash\n`),
  fc.integer({ min: 100, max: 2000 }).map((n) => `${Array.from({ length: n }, (_, i) => `f${i}() { f${i + 1} "$1"; echo ${i}; }`).join('\n')}\nf${n}() { eval "$1"; }\nf0 "$(llm "go")"\n`),
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => `echo ${'a'.repeat(n)}\neval "$(llm x)"\n`),
  fc.integer({ min: 50, max: 300 }).map((n) => `x=${'$(echo '.repeat(n)}$(llm "a")${')'.repeat(n)}\neval "$x"\n`),
);

// ---- TypeScript / JavaScript -------------------------------------------------------------------

const jsName = fc.constantFrom('x', 'y', 'answer', 'cmd', 'out', 'item');
const jsExpr = fc.oneof(
  fc.constantFrom('"ls"', '42', 'process.argv[1]', '__filename', '[1, 2]', '{ a: 1 }', '`echo ${x}`'),
  jsName,
  fc.constant('await client.chat.completions.create({ model: "m", messages: [] })'),
  fc.constant('(await client.responses.create({ input: "q" })).output_text'),
  fc.tuple(jsName, jsName).map(([a, b]) => `${a} + ${b}`),
  fc.tuple(jsName, fc.constantFrom('trim()', 'split(",")', 'map((v) => v + 1)', 'slice(0, 3)')).map(([a, m]) => `${a}.${m}`),
);
const jsLeaf = fc.oneof(
  fc.tuple(jsName, jsExpr).map(([n, e]) => `${n} = ${e};`),
  fc.tuple(jsName, jsExpr).map(([n, e]) => `let ${n}_${Math.abs(e.length)} = ${e};`),
  fc.tuple(fc.constantFrom('eval', 'exec', 'execSync', 'spawn', 'new Function', 'console.log', 'fs.writeFileSync("f.js", ', 'helper', 'run'), jsName).map(([f, a]) =>
    f.endsWith(', ') ? `${f}${a});` : `${f}(${a});`,
  ),
  fc.constantFrom('break;', 'continue;', 'return x;', 'require("./f.js");', 'spawn(process.argv[0], [__filename]);', 'await Promise.all(items.map((i) => exec(i)));'),
);

export const jsProgram: fc.Arbitrary<string> = fc
  .letrec<{ stmt: string; block: string }>((tie) => ({
    stmt: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      jsLeaf,
      fc.tuple(jsExpr, tie('block')).map(([c, b]) => `if (${c}) {\n${b}\n} else {\n${b}\n}`),
      tie('block').map((b) => `while (true) {\n${b}\n}`),
      fc.tuple(jsName, tie('block')).map(([n, b]) => `for (const ${n} of items) {\n${b}\n}`),
      tie('block').map((b) => `for (let i = 0; i < answer.length; i++) {\n${b}\n}`),
      tie('block').map((b) => `do {\n${b}\n} while (x);`),
      fc.tuple(fc.constantFrom('helper', 'run', 'askLLM', 'step'), tie('block')).map(([n, b]) => `async function ${n}(x) {\n${b}\n}`),
      tie('block').map((b) => `const cb = async (x) => {\n${b}\n};\ncb(answer);`),
      tie('block').map((b) => `try {\n${b}\n} catch (e) {\n${b}\n}`),
      tie('block').map((b) => `class A {\n  async go(x) {\n${b}\n  }\n}\nnew A().go(answer);`),
      tie('block').map((b) => `switch (x) {\n  case 1:\n${b}\n  default:\n    break;\n}`),
    ),
    block: fc.array(tie('stmt'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('\n')),
  }))
  .block.map((body) => `${JS_PRELUDE}${body}\n`);

const JS_PRELUDE = 'import OpenAI from "openai";\nimport { exec, execSync, spawn } from "node:child_process";\nimport fs from "node:fs";\nconst client = new OpenAI();\nlet x = "", y = "", answer = "", cmd = "", out = "", item = "", items = [];\n';

export const jsStress: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 30, max: 200 }).map((n) => `${JS_PRELUDE}${'while (true) {\n'.repeat(n)}eval(x);\nx = await client.responses.create({ input: "q" });\n${'}\n'.repeat(n)}`),
  fc.integer({ min: 20, max: 120 }).map((n) => `${JS_PRELUDE}${'for (const item of items) {\nlet y = item;\n'.repeat(n)}exec(answer);\nanswer = (await client.responses.create({ input: y })).output_text;\n${'}\n'.repeat(n)}`),
  fc.integer({ min: 200, max: 3000 }).map((n) => `${JS_PRELUDE}${Array.from({ length: n }, (_, i) => `function f${i}(a) { return f${i + 1}(a) + ${i}; }`).join('\n')}\nfunction f${n}(a) { return a; }\nexec(f0(await client.responses.create({ input: "q" })));\n`),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => `${JS_PRELUDE}const v = ${Array.from({ length: n }, (_, i) => `a${i}`).join(' + ')};\nanswer = await client.responses.create({ input: v });\neval(answer);\n`),
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => `${JS_PRELUDE}const s = "${'a'.repeat(n)}";\nanswer = await client.responses.create({ input: s });\neval(answer);\n`),
  fc.integer({ min: 50, max: 400 }).map((n) => `${JS_PRELUDE}answer = await client.responses.create({ input: "q" });\nconst f = ${'(() => '.repeat(n)}answer${')()'.repeat(n)};\neval(f);\n`),
);

// ---- Mutations -----------------------------------------------------------------------------------

/** Edits that may break the code anywhere: the analysis must neither throw nor hang on the result. */
export function mutate(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  const at = fc.nat({ max: Math.max(0, lines.length - 1) });
  return fc.oneof(
    at.map((i) => lines.filter((_, j) => j !== i).join('\n')),
    at.map((i) => [...lines.slice(0, i), lines[i]!, ...lines.slice(i)].join('\n')),
    fc.tuple(at, at).map(([i, j]) => {
      const c = [...lines];
      [c[i], c[j]] = [c[j]!, c[i]!];
      return c.join('\n');
    }),
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom('(', ')', '{', '}', '"', "'", '`', '$(', ';;', '\\', '<<EOF\n', '\u0000', '\u202e', 'fi', 'done', '*/')).map(([n, s]) => text.slice(0, n) + s + text.slice(n)),
    fc.tuple(at, fc.integer({ min: 2, max: 200 })).map(([i, k]) => [...lines.slice(0, i), ...Array<string>(k).fill(lines[i]!), ...lines.slice(i + 1)].join('\n')),
  );
}

/**
 * Padding that keeps the meaning (the known findings must stay, or a budget note must say they
 * may be missing): trivial functions or lines before the code, very long comment lines.
 */
export function pad(text: string, lang: 'bash' | 'js'): fc.Arbitrary<string> {
  const fn = (i: number) => (lang === 'bash' ? `pad${i}() { echo ${i}; }` : `function pad${i}() { return ${i}; }`);
  const comment = lang === 'bash' ? '#' : '//';
  // JS imports stay first: padding goes after the last import line.
  const lines = text.split('\n');
  const split = lang === 'js' ? lines.reduce((n, l, i) => (/^\s*import\b/.test(l) ? i + 1 : n), 0) : lines[0]?.startsWith('#!') ? 1 : 0;
  const put = (block: string) => [...lines.slice(0, split), block, ...lines.slice(split)].join('\n');
  return fc.oneof(
    fc.integer({ min: 1, max: 1200 }).map((n) => put(Array.from({ length: n }, (_, i) => fn(i)).join('\n'))),
    fc.integer({ min: 1, max: 3000 }).map((n) => put(Array.from({ length: n }, (_, i) => (lang === 'bash' ? `echo ${i}` : `console.log(${i});`)).join('\n'))),
    fc.integer({ min: 1000, max: 100_000 }).map((n) => put(`${comment} ${'x'.repeat(n)}`)),
  );
}
