/**
 * The human-readable report of `fang dry-run` (the default `--format text`). Every string in
 * the report may come from the snippet (argv, output, file names, prompts, answers, and the
 * verdict and notes that quote them), so each goes through the display convention of
 * src/core/display.ts before it reaches the terminal: escape sequences, controls, bidi and
 * invisible characters are shown by name, never acted on; clipping says what it left out.
 * The only escape sequences in the output are the colours added here (and only with `color`).
 */
import { argvText, visible } from '../core/display';
import type { DryRunReport, ReportProcess } from './report-schema';

export interface TextOptions {
  color?: boolean;
  /** Characters of stdout/stderr shown. */
  outputChars?: number;
}

/** One line of untrusted text, at most `max` characters. */
const one = (s: string, max = 400): string => visible(s, { max });
/** A block of untrusted text over several lines. */
const block = (s: string, max: number): string => visible(s, { max, multiline: true });

export function formatReportText(r: DryRunReport, o: TextOptions = {}): string {
  const c = (code: string, s: string): string => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = (s: string): string => c('1', s);
  const at = (line: number | null): string => (line ? `line ${line}: ` : '');
  const out: string[] = [];
  out.push(`${bold('Verdict:')} ${one(r.verdict, 2000)}`);
  out.push(`Sandbox: ${one(r.backend.name)} ${one(r.backend.version)}; exit status ${r.exitCode ?? 'none (stopped)'}; ${r.durationMs} ms`);

  out.push('', bold(`Processes (${r.processes.length})`));
  const children = new Map<number | null, ReportProcess[]>();
  for (const p of r.processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const walk = (parent: number | null, depth: number): void => {
    for (const p of children.get(parent) ?? []) {
      const status = p.signal ? `killed by ${one(p.signal)}` : p.exitCode === null ? 'still running, stopped' : `exit ${p.exitCode}`;
      out.push(`${'  '.repeat(depth + 1)}${at(p.line)}${p.model ? c('35', '[model] ') : ''}${one(argvText(p.argv), 160)}  (pid ${p.pid}, ${status})`);
      if (depth < 20) walk(p.pid, depth + 1);
    }
  };
  walk(null, 0);

  out.push('', bold(`Model calls (${r.modelCalls.length})`));
  for (const m of r.modelCalls) {
    out.push(`  #${m.id} ${at(m.line)}${one(m.kind === 'command' ? m.command ?? '' : m.url ?? '')}`);
    out.push(`     prompt: ${one(m.prompt, 200)}`);
    out.push(`     answer: ${one(m.answer, 200)}  [${one(m.answerSource)}]`);
  }
  if (r.executedModelOutput.length) {
    out.push('', bold(c('31', `Model output executed (${r.executedModelOutput.length})`)));
    for (const e of r.executedModelOutput) out.push(`  ${at(e.line)}answer of #${e.callId} ran through ${one(e.sink)}: ${one(e.evidence)}`);
  }
  if (r.recursion.length) {
    out.push('', bold(c('31', 'Recursion')));
    for (const x of r.recursion) out.push(`  ${at(x.line)}${x.kind}: ${one(x.detail)}`);
  }
  if (r.secretsLeftOut?.length) out.push('', `Left out of the workspace copy as credentials (--include-secret PATH copies one): ${r.secretsLeftOut.map((x) => one(x, 200)).join(', ')}`);
  if (r.memoryBound) out.push(`Memory bound: ${r.memoryBound.kind === 'none' ? `none (${one(r.memoryBound.detail)})` : `${r.memoryBound.limitBytes} bytes for the whole sandbox (${r.memoryBound.kind})`}`);
  out.push('', bold(`File changes (${r.fileChanges.length})`));
  for (const f of r.fileChanges) out.push(`  ${f.kind.padEnd(8)} ${one(f.path)}${f.area === 'workspace' ? '' : `  (sandbox ${f.area})`}`);
  out.push('', bold(`Network (${r.network.length})`));
  for (const n of r.network) out.push(`  ${n.blocked ? c('32', 'blocked') : c('31', 'allowed')} ${n.protocol} ${one(n.host, 200)}${n.port === null ? '' : `:${n.port}`}: ${one(n.detail)}`);
  const refused = r.blocked.filter((b) => b.kind !== 'network');
  if (refused.length) {
    out.push('', bold(`Refused by the sandbox (${refused.length})`));
    for (const b of refused) out.push(`  ${at(b.line)}${one(b.what, 200)}: ${one(b.detail)}`);
  }
  out.push('', `Limits hit: ${r.limitsHit.length ? r.limitsHit.join(', ') : 'none'}`);
  const n = o.outputChars ?? 2000;
  out.push('', bold('stdout') + (r.stdoutTruncated ? ' (cut at the output limit)' : ''), indent(block(r.stdout, n)));
  out.push(bold('stderr') + (r.stderrTruncated ? ' (cut at the output limit)' : ''), indent(block(r.stderr, n)));
  if (r.adversarial?.length) {
    out.push('', bold('Adversarial answers (blast radius)'));
    for (const a of r.adversarial) {
      out.push(`  ${a.contained ? c('32', 'contained') : c('31', 'NOT CONTAINED')} ${one(a.name)}: ${a.executed ? 'the snippet executed it' : 'the snippet did not execute it'}`);
      for (const e of a.evidence) out.push(`      ${one(e)}`);
    }
  }
  if (r.notes.length) out.push('', bold('Notes'), ...r.notes.map((x) => `  ${one(x)}`));
  return out.join('\n') + '\n';
}

function indent(s: string): string {
  return s ? s.replace(/\n$/, '').split('\n').map((l) => `  ${l}`).join('\n') : '  (empty)';
}
