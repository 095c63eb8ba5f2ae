// Overhead of a bubblewrap dry-run of `echo hi` over plain `bash -c 'echo hi'`, measured in the
// same run, alternating, median of several repetitions. Imports the tsc output (out/), so run
// `npx tsc -p .` first (`npm run bench` does the build).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out', 'src', 'sandbox', 'index.js');
if (!existsSync(entry)) {
  console.error(`bench-sandbox: ${entry} is missing; build with \`npx tsc -p .\` first`);
  process.exit(2);
}
const { runDryRun, detectBackend } = createRequire(import.meta.url)(entry);

const REPS = Number(process.env.BENCH_REPS ?? 15);
const backend = await detectBackend();
if (!backend.available) {
  console.error(`bench-sandbox: no sandbox: ${backend.message}`);
  process.exit(2);
}

function plain() {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const c = spawn('bash', ['-c', 'echo hi'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.resume();
    c.on('error', reject);
    c.on('close', () => resolve(Number(process.hrtime.bigint() - t) / 1e6));
  });
}

async function sandboxed(code) {
  const t = process.hrtime.bigint();
  const r = await runDryRun({ code, language: 'bash' });
  if (r.stdout !== 'hi\n') throw new Error(`unexpected output from the sandbox: ${JSON.stringify(r.stdout)}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => x.toFixed(1);

// `echo hi` alone needs no stub server; the second variant names curl, which starts it.
const variants = [
  ['bubblewrap + strace trace', 'echo hi\n'],
  ['bubblewrap + strace + stub server', 'echo hi\n: curl\n'],
];
const times = { plain: [], ...Object.fromEntries(variants.map(([n]) => [n, []])) };
await plain();
for (const [, code] of variants) await sandboxed(code); // warm-up: backend probe, module load
for (let i = 0; i < REPS; i++) {
  times.plain.push(await plain());
  for (const [name, code] of variants) times[name].push(await sandboxed(code));
}
const base = median(times.plain);
console.log(`sandbox dry-run of \`echo hi\` (${backend.name} ${backend.version}, strace ${backend.strace ? 'on' : 'off'}), ${REPS} repetitions, medians:`);
console.log(`  plain bash -c 'echo hi'            ${fmt(base)} ms`);
for (const [name] of variants) {
  const m = median(times[name]);
  console.log(`  ${name.padEnd(34)} ${fmt(m)} ms   overhead ${fmt(m - base)} ms   ratio ${fmt(m / base)}x   (min ${fmt(Math.min(...times[name]))} ms)`);
}
console.log('target: under 100 ms of overhead for a trivial snippet including stubs and trace');
