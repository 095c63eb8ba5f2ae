/**
 * The dry-run report as Markdown, for "Copy report as Markdown". Every string the snippet or the
 * workspace controls (file names, argv, prompts, answers, hosts, and the texts that quote them)
 * is a code span, a fenced block or escaped text (src/core/display.ts): a backtick, a newline,
 * `<!--` or a `#` in a name cannot open a block, a comment or a heading that hides what follows.
 */
import { markdownCode, markdownFence, markdownText } from '../core/display';
import type { DryRunReport } from '../sandbox';
import type { FindingNote } from './dryRunProtocol';

const code = (s: string, max = 300): string => markdownCode(s, { max });
const text = (s: string, max = 2000): string => markdownText(s, { max });
const block = (s: string): string => markdownFence(s, { max: 20_000 });

export function reportMarkdown(title: string, r: DryRunReport, findings: readonly FindingNote[], lineOffset = 0): string {
  const at = (line: number | null) => (line === null ? '' : ` (line ${line + lineOffset})`);
  const out = [`# Fang dry-run: ${text(title, 300)}`, '', `**Verdict:** ${text(r.verdict)}`, ''];
  out.push(`Sandbox: ${text(r.backend.name)} ${text(r.backend.version)}; exit status ${String(r.exitCode)}; ${Math.round(r.durationMs)} ms.`, '');
  if (r.modelCalls.length) {
    out.push('## Model calls', '');
    for (const c of r.modelCalls) {
      out.push(`### #${c.id} ${code(c.command ?? c.url ?? c.kind)}${at(c.line)}`, '', 'Prompt:', '', block(c.prompt), '', `Stub answer (${text(c.answerSource)}):`, '', block(c.answer), '');
    }
  }
  if (r.executedModelOutput.length) {
    out.push('## Model output that became code', '');
    for (const x of r.executedModelOutput) out.push(`- answer of #${x.callId} run by ${code(x.sink)}${at(x.line)}: ${text(x.evidence)}`, '', block(x.answer), '');
  }
  if (r.recursion.length) {
    out.push('## Recursion', '');
    for (const x of r.recursion) out.push(`- **${x.kind}**${at(x.line)}: ${text(x.detail)}`);
    out.push('');
  }
  out.push('## Processes', '', '| pid | parent | command | exit | line |', '|---|---|---|---|---|');
  for (const p of r.processes) {
    out.push(`| ${p.pid} | ${p.ppid ?? ''} | ${markdownCode(p.argv.join(' '), { max: 200, cell: true })}${p.model ? ' (model stub)' : ''} | ${p.signal ? text(p.signal) : String(p.exitCode)} | ${p.line === null ? '' : p.line + lineOffset} |`);
  }
  out.push('');
  out.push('## File changes', '', ...(r.fileChanges.length ? r.fileChanges.map((f) => `- ${f.kind} ${f.area}: ${code(f.path)}`) : ['none']), '');
  out.push('## Network', '', ...(r.network.length ? r.network.map((n) => `- ${n.blocked ? 'blocked' : 'allowed'} ${n.protocol} ${code(`${n.host}${n.port !== null ? `:${n.port}` : ''}`)}`) : ['none']), '');
  out.push('## Limits hit', '', r.limitsHit.length ? r.limitsHit.join(', ') : 'none', '');
  if (findings.length) {
    out.push('## Static findings', '');
    for (const f of findings) out.push(`- line ${f.line + lineOffset}: \`${f.ruleId}\` (${f.category}, ${f.severity}): ${text(f.message)}`);
    out.push('');
  }
  if (r.adversarial?.length) {
    out.push('## Adversarial answers', '');
    for (const a of r.adversarial) out.push(`- **${text(a.name)}**: ${text(a.verdict)}`);
    out.push('');
  }
  return out.join('\n');
}
