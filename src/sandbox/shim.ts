/**
 * The command shim that stands in for each model command inside the sandbox (`llm`,
 * `./query-model`, the value of `$RUN_AI`, ...). It sends its argv and, when no prompt is
 * given as an argument, its stdin to the stub server, and prints the answer.
 *
 * Like the stub server it is serialised with toString and must be self-contained.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
export function shimProgram(): void {
  const http = require('node:http') as typeof import('node:http');
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');

  const invoked = process.argv[1] ?? 'model';
  const args = process.argv.slice(2);
  const name = path.basename(invoked);
  const specs = JSON.parse(fs.readFileSync('/run/fang/shims.json', 'utf8')) as Record<string, { sub?: string[]; flags?: string[] }>;
  const spec = specs[name] ?? specs[invoked] ?? {};
  if (spec.sub && spec.sub.length && !spec.sub.includes(args[0] ?? '')) {
    process.stderr.write(`${name} ${args[0] ?? ''}: not available inside the Fang sandbox (no network, no real ${name})\n`);
    process.exit(127);
  }
  // The prompt: positional words, without the subcommand (`ollama run`), the model name that
  // follows it, and the values of the usual option flags (`-m gpt-4o`, `--system "..."`).
  const VALUE_FLAGS = new Set(['-m', '--model', '-s', '--system', '-t', '--template', '-o', '--option', '-p', '--provider', '--role', '--temperature', '--max-tokens', '-c', '--cid', '--conversation', '--format']);
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) words.push(a);
  }
  if (spec.sub && spec.sub.length) {
    words.shift();
    if (name === 'ollama' || name === 'lms') words.shift();
  }
  const hasPrompt = words.length > 0;

  function send(stdin: string | null): void {
    const argv0 = process.env.FANG_SHIM_ARGV0 || invoked;
    const body = JSON.stringify({ command: argv0, argv: [argv0, ...args], prompt: words.join(' '), stdin, pid: process.pid, ppid: process.ppid });
    const req = http.request(
      { host: '127.0.0.1', port: 80, path: '/__fang__/shim', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const answer = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { answer: unknown }).answer);
            process.stdout.write(answer.endsWith('\n') ? answer : answer + '\n');
          } catch {
            process.stderr.write('fang shim: unreadable answer from the stub server\n');
            process.exitCode = 1;
          }
        });
      },
    );
    req.on('error', (e) => {
      process.stderr.write(`fang shim: the stub server is unreachable (${e.message}); the snippet may have stopped it\n`);
      process.exitCode = 1;
    });
    req.end(body);
  }

  // A prompt given as an argument means the shim does not read stdin: inside
  // `producer | while read x; do model "..."; done` stdin belongs to the loop.
  if (hasPrompt || process.stdin.isTTY) {
    send(null);
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 256 * 1024) chunks.push(c);
    });
    process.stdin.on('end', () => send(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', () => send(null));
  }
}
