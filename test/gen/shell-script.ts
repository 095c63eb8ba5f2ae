/** The VS Code suite's and the benchmark's test script: the same 1,000 (or 10,000) lines in both. */

/** A realistic shell script of `lines` lines: functions, loops, pipelines, a few model calls. */
export function script(lines: number): string {
  const out = ['#!/usr/bin/env bash', 'set -euo pipefail', ''];
  let i = 0;
  while (out.length < lines - 1) {
    i++;
    out.push(
      `task_${i}() {`,
      `  local dir="/var/tmp/job-${i}"`,
      '  mkdir -p "$dir"',
      '  for f in "$dir"/*.log; do',
      '    [ -e "$f" ] || continue',
      '    gzip -9 "$f" && echo "compressed $f"',
      '  done',
      i % 25 === 0 ? `  summary=$(llm "summarise job ${i}")` : `  find "$dir" -mtime +7 -delete`,
      i % 25 === 0 ? '  printf \'%s\\n\' "$summary"' : '  du -sh "$dir" | tee -a /var/tmp/usage.txt',
      '}',
      '',
    );
  }
  return out.slice(0, lines - 1).join('\n') + '\n';
}

