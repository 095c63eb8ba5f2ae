// The start-up side of `npm run bench`: a whole `fang` process on a small input, as a hook or a
// pre-commit run starts it, against `node -e 0` measured in the same run (interleaved, wall
// time, median). Target: every case within 3x of `node -e 0`.
//
//   node scripts/bench-cli.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const bin = join(root, 'bin', 'fang.js');
const ri = process.argv.indexOf('--runs');
const RUNS = Number(ri > 0 ? process.argv[ri + 1] : process.env.FANG_BENCH_CLI_RUNS ?? 15);
const TARGET = 3;

const dir = mkdtempSync(join(tmpdir(), 'fang-bench-cli-'));
writeFileSync(join(dir, 'one.sh'), 'echo "hello"\n');
writeFileSync(join(dir, 'one.ts'), 'const greeting: string = "hello";\nconsole.log(greeting);\n');
writeFileSync(join(dir, 'one.py'), 'greeting = "hello"\nprint(greeting)\n');
const hookBash = JSON.stringify({
  session_id: 'bench',
  transcript_path: join(dir, 't.jsonl'),
  cwd: dir,
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_use_id: 'toolu_bench',
  tool_input: { command: 'ls -la && git status', description: 'list files' },
});
const hookWrite = JSON.stringify({
  session_id: 'bench',
  transcript_path: join(dir, 't.jsonl'),
  cwd: dir,
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: 'Write',
  tool_use_id: 'toolu_bench2',
  tool_input: { file_path: join(dir, 'src', 'greet.ts'), content: 'export const greet = (n: string) => `hi ${n}`;\n' },
});

const reference = { name: 'node -e 0', args: ['-e', '0'] };
const cases = [
  { name: 'fang scan one.sh', args: [bin, 'scan', join(dir, 'one.sh')], status: 0 },
  { name: 'fang scan one.ts', args: [bin, 'scan', join(dir, 'one.ts')], status: 0 },
  { name: 'fang scan one.py', args: [bin, 'scan', join(dir, 'one.py')], status: 0 },
];
// `fang hook` exists from the version that has agent hooks on.
if (spawnSync(process.execPath, [bin, 'hook', '--help']).status === 0) {
  cases.push(
    { name: 'fang hook claude-code (Bash)', args: [bin, 'hook', 'claude-code'], input: hookBash, status: 0 },
    { name: 'fang hook claude-code (Write .ts)', args: [bin, 'hook', 'claude-code'], input: hookWrite, status: 0 },
  );
}

function once(c) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { input: c.input ?? '', encoding: 'utf8', cwd: dir });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (c.status !== undefined && r.status !== c.status) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = new Map([reference, ...cases].map((c) => [c, []]));
for (const c of times.keys()) once(c); // warm the file cache
for (let i = 0; i < RUNS; i++) for (const [c, xs] of times) xs.push(once(c));
rmSync(dir, { recursive: true, force: true });

const ref = median(times.get(reference));
console.log('CLI start-up benchmark (whole process, small input)');
console.log(`  ${reference.name.padEnd(34)} ${ref.toFixed(0).padStart(5)} ms (median of ${RUNS})`);
let over = 0;
for (const c of cases) {
  const m = median(times.get(c));
  const ratio = m / ref;
  if (ratio > TARGET) over++;
  console.log(`  ${c.name.padEnd(34)} ${m.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}x node -e 0   (target <= ${TARGET}x)${ratio > TARGET ? '  OVER TARGET' : ''}`);
}
if (over) process.exitCode = 1;
