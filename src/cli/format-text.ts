/**
 * The human-readable report of `fang scan`. Colour only when asked for (a TTY). File names and
 * messages (which quote the code) are shown by the display convention of src/core/display.ts:
 * no escape sequence, control, bidi or invisible character from a file reaches the terminal.
 */
import { visible } from '../core/display';
import { renderMessage, type FileResult, type Finding, type Severity } from '../core/index';

const COLORS = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, cyan: 36 } as const;

export interface TextOptions {
  color: boolean;
  /** List the findings that suppression comments cover, marked as such. */
  showSuppressed: boolean;
}

export function formatText(results: FileResult[], rel: (p: string) => string, opts: TextOptions): string {
  const c = (k: keyof typeof COLORS, s: string) => (opts.color ? `\x1b[${COLORS[k]}m${s}\x1b[0m` : s);
  const sev = (s: Severity) => (s === 'error' ? c('red', 'error') : s === 'warning' ? c('yellow', 'warning') : c('blue', 'note'));
  const t = (s: string) => visible(s, { max: 1000 });
  const lines: string[] = [];
  for (const r of results) {
    const file = t(rel(r.path));
    const at = (f: Finding) => `${file}:${f.range.start.line + 1}:${f.range.start.column + 1}`;
    if (r.skipped && r.skipped.reason !== 'unsupported') lines.push(`${file}: ${c('dim', t(r.skipped.message))}`);
    for (const f of r.findings) {
      lines.push(`${c('bold', at(f))}: ${sev(f.severity)} ${c('cyan', f.ruleId)} [${f.category}]`);
      lines.push(`  ${t(renderMessage(f))}`);
      for (const s of f.path) lines.push(c('dim', `    -> ${s.range.file ? `${t(rel(s.range.file))}:` : ''}${s.range.start.line + 1}:${s.range.start.column + 1} ${t(s.message)}`));
    }
    const suppressed = r.suppressed ?? [];
    if (!suppressed.length) continue;
    if (!opts.showSuppressed) {
      const files = suppressed.filter((f) => f.suppression.scope === 'file').length;
      lines.push(c('dim', `${file}: ${plural(suppressed.length, 'finding')} suppressed by comments in the code${files ? ` (${files} by fang-ignore-file)` : ''}; --show-suppressed lists them`));
      continue;
    }
    for (const f of suppressed) {
      const s = f.suppression;
      lines.push(c('dim', `${at(f)}: suppressed ${f.severity} ${f.ruleId} [${f.category}] by fang-ignore-${s.scope} on line ${s.range.start.line + 1}${s.reason ? ` -- ${t(s.reason)}` : ' (no reason given)'}`));
      lines.push(c('dim', `  ${t(renderMessage(f))}`));
    }
  }
  lines.push(summary(results));
  return lines.join('\n') + '\n';
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

export function summary(results: FileResult[]): string {
  const all: Finding[] = results.flatMap((r) => r.findings);
  const count = (s: Severity) => all.filter((f) => f.severity === s).length;
  const skipped = results.filter((r) => r.skipped && r.skipped.reason !== 'unsupported').length;
  const scanned = results.length - results.filter((r) => r.skipped).length;
  const suppressed = results.reduce((n, r) => n + (r.suppressed?.length ?? 0), 0);
  return (
    `${plural(scanned, 'file')} scanned${skipped ? `, ${skipped} skipped` : ''}: ` +
    (all.length ? `${plural(all.length, 'finding')} (${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('note'), 'note')})` : 'no findings') +
    (suppressed ? `, ${suppressed} suppressed in the code` : '')
  );
}
