/** The dry-run report as Markdown, for "Copy report as Markdown". */
import type { DryRunReport } from '../sandbox';
import type { FindingNote } from './dryRunProtocol';

function fence(s: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}\n${s.replace(/\n$/, '')}\n${ticks}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ⏎ ');
}

export function reportMarkdown(title: string, r: DryRunReport, findings: readonly FindingNote[], lineOffset = 0): string {
  const at = (line: number | null) => (line === null ? '' : ` (line ${line + lineOffset})`);
  const out = [`# Fang dry-run: ${title}`, '', `**Verdict:** ${r.verdict}`, ''];
  out.push(`Sandbox: ${r.backend.name} ${r.backend.version}; exit status ${String(r.exitCode)}; ${Math.round(r.durationMs)} ms.`, '');
  if (r.modelCalls.length) {
    out.push('## Model calls', '');
    for (const c of r.modelCalls) {
      out.push(`### #${c.id} ${c.command ?? c.url ?? c.kind}${at(c.line)}`, '', 'Prompt:', '', fence(c.prompt), '', `Stub answer (${c.answerSource}):`, '', fence(c.answer), '');
    }
  }
  if (r.executedModelOutput.length) {
    out.push('## Model output that became code', '');
    for (const x of r.executedModelOutput) out.push(`- answer of #${x.callId} run by \`${x.sink}\`${at(x.line)}: ${x.evidence}`, '', fence(x.answer), '');
  }
  if (r.recursion.length) {
    out.push('## Recursion', '');
    for (const x of r.recursion) out.push(`- **${x.kind}**${at(x.line)}: ${x.detail}`);
    out.push('');
  }
  out.push('## Processes', '', '| pid | parent | command | exit | line |', '|---|---|---|---|---|');
  for (const p of r.processes) out.push(`| ${p.pid} | ${p.ppid ?? ''} | ${cell(p.argv.join(' ').slice(0, 200))}${p.model ? ' (model stub)' : ''} | ${p.signal ?? String(p.exitCode)} | ${p.line === null ? '' : p.line + lineOffset} |`);
  out.push('');
  out.push('## File changes', '', ...(r.fileChanges.length ? r.fileChanges.map((f) => `- ${f.kind} ${f.area}: \`${f.path}\``) : ['none']), '');
  out.push('## Network', '', ...(r.network.length ? r.network.map((n) => `- ${n.blocked ? 'blocked' : 'allowed'} ${n.protocol} ${n.host}${n.port !== null ? `:${n.port}` : ''}`) : ['none']), '');
  out.push('## Limits hit', '', r.limitsHit.length ? r.limitsHit.join(', ') : 'none', '');
  if (findings.length) {
    out.push('## Static findings', '');
    for (const f of findings) out.push(`- line ${f.line + lineOffset}: \`${f.ruleId}\` (${f.category}, ${f.severity}): ${f.message}`);
    out.push('');
  }
  if (r.adversarial?.length) {
    out.push('## Adversarial answers', '');
    for (const a of r.adversarial) out.push(`- **${a.name}**: ${a.verdict}`);
    out.push('');
  }
  return out.join('\n');
}
