// Prints a suite result written by test/vscode/suite/index.ts, spec-reporter style.
export function report(suite, r) {
  process.stdout.write(`\n${suite} suite (VS Code ${r.vscodeVersion ?? '?'}):\n`);
  for (const t of r.tests) {
    const mark = t.state === 'passed' ? '  ✓' : t.state === 'pending' ? '  -' : '  ✗';
    process.stdout.write(`${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}\n`);
    if (t.error) process.stdout.write(`      ${t.error.split('\n').slice(0, 12).join('\n      ')}\n`);
  }
  for (const [k, v] of Object.entries(r.metrics ?? {})) process.stdout.write(`  measured: ${k} = ${v}\n`);
  // mocha's own summary shape, so scripts/test-all.mjs can add the counts up
  const wall = r.wallMs !== undefined ? `, ${(r.wallMs / 1000).toFixed(1)} s with VS Code start` : '';
  process.stdout.write(`\n  ${r.passed} passing (${(r.durationMs / 1000).toFixed(1)} s in mocha${wall})\n`);
  if (r.pending) process.stdout.write(`  ${r.pending} pending\n`);
  process.stdout.write(`  ${r.failed} failing\n`);
}
