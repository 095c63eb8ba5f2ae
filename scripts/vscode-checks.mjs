// The named checks of the browser end-to-end scripts: each records its time and its error; the
// closing lines give mocha-style counts for people, and the result file (test-result.cjs) the
// counts scripts/test-all.mjs adds up.
import { createRequire } from 'node:module';

export function createChecks() {
  const checks = [];
  /** Runs one named check; a failure is recorded and thrown on. */
  async function check(name, fn) {
    const started = Date.now();
    try {
      await fn();
      checks.push({ name, ok: true, ms: Date.now() - started });
    } catch (e) {
      checks.push({ name, ok: false, ms: Date.now() - started, error: e.message.split('\n').slice(0, 8).join('\n      ') });
      throw e;
    }
  }
  /** Prints every check and the counts; returns the number failed (`failed`: something broke outside a check). */
  function summary(title, failed, lines = []) {
    process.stdout.write(`\n${title}:\n`);
    for (const c of checks) {
      process.stdout.write(`  ${c.ok ? '✓' : '✗'} ${c.name} (${c.ms} ms)\n`);
      if (c.error) process.stdout.write(`      ${c.error}\n`);
    }
    const nFailed = checks.filter((c) => !c.ok).length + (failed && checks.every((c) => c.ok) ? 1 : 0);
    for (const l of lines) process.stdout.write(`  ${l}\n`);
    process.stdout.write(`\n  ${checks.filter((c) => c.ok).length} passing\n  ${nFailed} failing\n`);
    // The counts as data for scripts/test-all.mjs (it never reads them from this text).
    createRequire(import.meta.url)('./test-result.cjs').addResult({ passed: checks.filter((c) => c.ok).length, failed: nFailed, pending: 0 });
    return nFailed;
  }
  return { checks, check, summary };
}
