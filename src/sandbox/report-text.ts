/** The human-readable report of `fang dry-run` (the default `--format text`). */
import type { DryRunReport, ReportProcess } from './report-schema';

export interface TextOptions {
  color?: boolean;
  /** Characters of stdout/stderr shown. */
  outputChars?: number;
}

export function formatReportText(r: DryRunReport, o: TextOptions = {}): string {
  const c = (code: string, s: string): string => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = (s: string): string => c('1', s);
  const at = (line: number | null): string => (line ? `line ${line}: ` : '');
  const out: string[] = [];
  out.push(`${bold('Verdict:')} ${r.verdict}`);
  out.push(`Sandbox: ${r.backend.name} ${r.backend.version}; exit status ${r.exitCode ?? 'none (stopped)'}; ${r.durationMs} ms`);

  out.push('', bold(`Processes (${r.processes.length})`));
  const children = new Map<number | null, ReportProcess[]>();
  for (const p of r.processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const walk = (parent: number | null, depth: number): void => {
    for (const p of children.get(parent) ?? []) {
      const status = p.signal ? `killed by ${p.signal}` : p.exitCode === null ? 'still running, stopped' : `exit ${p.exitCode}`;
      const argv = p.argv.map((a) => (/[\s'"]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ');
      out.push(`${'  '.repeat(depth + 1)}${at(p.line)}${p.model ? c('35', '[model] ') : ''}${clip(argv, 160)}  (pid ${p.pid}, ${status})`);
      if (depth < 20) walk(p.pid, depth + 1);
    }
  };
  walk(null, 0);

  out.push('', bold(`Model calls (${r.modelCalls.length})`));
  for (const m of r.modelCalls) {
    out.push(`  #${m.id} ${at(m.line)}${m.kind === 'command' ? m.command ?? '' : m.url ?? ''}`);
    out.push(`     prompt: ${clip(oneLine(m.prompt), 200)}`);
    out.push(`     answer: ${clip(oneLine(m.answer), 200)}  [${m.answerSource}]`);
  }
  if (r.executedModelOutput.length) {
    out.push('', bold(c('31', `Model output executed (${r.executedModelOutput.length})`)));
    for (const e of r.executedModelOutput) out.push(`  ${at(e.line)}answer of #${e.callId} ran through ${e.sink}: ${e.evidence}`);
  }
  if (r.recursion.length) {
    out.push('', bold(c('31', 'Recursion')));
    for (const x of r.recursion) out.push(`  ${at(x.line)}${x.kind}: ${x.detail}`);
  }
  if (r.secretsLeftOut?.length) out.push('', `Left out of the workspace copy as credentials (--include-secret PATH copies one): ${r.secretsLeftOut.join(', ')}`);
  if (r.memoryBound) out.push(`Memory bound: ${r.memoryBound.kind === 'none' ? `none (${r.memoryBound.detail})` : `${r.memoryBound.limitBytes} bytes for the whole sandbox (${r.memoryBound.kind})`}`);
  out.push('', bold(`File changes (${r.fileChanges.length})`));
  for (const f of r.fileChanges) out.push(`  ${f.kind.padEnd(8)} ${f.path}${f.area === 'workspace' ? '' : `  (sandbox ${f.area})`}`);
  out.push('', bold(`Network (${r.network.length})`));
  for (const n of r.network) out.push(`  ${n.blocked ? c('32', 'blocked') : c('31', 'allowed')} ${n.protocol} ${n.host}${n.port === null ? '' : `:${n.port}`}: ${n.detail}`);
  const refused = r.blocked.filter((b) => b.kind !== 'network');
  if (refused.length) {
    out.push('', bold(`Refused by the sandbox (${refused.length})`));
    for (const b of refused) out.push(`  ${at(b.line)}${b.what}: ${b.detail}`);
  }
  out.push('', `Limits hit: ${r.limitsHit.length ? r.limitsHit.join(', ') : 'none'}`);
  const n = o.outputChars ?? 2000;
  out.push('', bold('stdout') + (r.stdoutTruncated ? ' (cut at the output limit)' : ''), indent(clip(r.stdout, n)));
  out.push(bold('stderr') + (r.stderrTruncated ? ' (cut at the output limit)' : ''), indent(clip(r.stderr, n)));
  if (r.adversarial?.length) {
    out.push('', bold('Adversarial answers (blast radius)'));
    for (const a of r.adversarial) {
      out.push(`  ${a.contained ? c('32', 'contained') : c('31', 'NOT CONTAINED')} ${a.name}: ${a.executed ? 'the snippet executed it' : 'the snippet did not execute it'}`);
      for (const e of a.evidence) out.push(`      ${e}`);
    }
  }
  if (r.notes.length) out.push('', bold('Notes'), ...r.notes.map((x) => `  ${x}`));
  return out.join('\n') + '\n';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ⏎ ').trim();
}
function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
function indent(s: string): string {
  return s ? s.replace(/\n$/, '').split('\n').map((l) => `  ${l}`).join('\n') : '  (empty)';
}
