/**
 * A second, real editor: Debian's Neovim (0.7, its built-in LSP client) runs headless against
 * `fang lsp --stdio` on the seed's agent loop and a TypeScript agent, and what it received is
 * checked: diagnostics (in vim.diagnostic too), a hover, the code actions, and a quick fix
 * applied by Neovim's own workspace-edit code. No Neovim is a failure, never a skip.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface Diag {
  range: { start: { line: number; character: number } };
  severity: number;
  source: string;
  code: string;
  message: string;
  codeDescription?: { href: string };
  relatedInformation?: unknown[];
}
interface FileSeen {
  file: string;
  filetype: string;
  published: Diag[];
  nvim: Array<{ lnum: number; severity: number; source: string; code: string }>;
  target: Diag;
  hover?: { contents: { kind: string; value: string } };
  actions: string[];
  applied?: string;
  line_after?: string;
  after?: Diag[];
}
interface Seen {
  files: FileSeen[];
  errors: string[];
  exit_code?: number;
}

/**
 * `nvim --version`, installing Debian's neovim first when it is missing and this is root on a
 * Debian-like machine (as `.ci/run` does), so `npm test` sets up what it needs. Fails loudly otherwise.
 */
function ensureNeovim(): { stdout: string } {
  const probe = () => spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  let v = probe();
  if (!v.error && v.status === 0) return v;
  const log: string[] = [];
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-q'], ['install', '-y', '-q', '--no-install-recommends', 'neovim']]) {
      const r = spawnSync('apt-get', args, { encoding: 'utf8', env, timeout: 600000 });
      log.push(`apt-get ${args.join(' ')}: exit ${r.status}${r.status ? `\n${r.stderr}` : ''}`);
      if (r.status !== 0) break;
    }
    v = probe();
    if (!v.error && v.status === 0) return v;
  }
  return assert.fail(`Neovim is needed for this suite and could not be found or installed (${v.error?.message ?? v.stderr}); Debian: apt-get install -y neovim\n${log.join('\n')}`);
}

describe('Neovim (headless, built-in LSP client) against fang lsp --stdio', function () {
  this.timeout(120000);

  it('receives diagnostics, a hover and code actions for a Bash agent loop and a TypeScript agent, and applies a quick fix', () => {
    const version = ensureNeovim();
    const m = /NVIM v(\d+)\.(\d+)/.exec(version.stdout);
    assert.ok(m && (Number(m[1]) > 0 || Number(m[2]) >= 7), `Neovim 0.7 or later is needed (vim.lsp.start_client); found ${version.stdout.split('\n')[0]}`);
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'lsp.js')), 'dist/lsp.js is missing: run `npm run build` first');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fang-nvim-'));
    try {
      fs.mkdirSync(path.join(dir, '.git'));
      const files = ['agent-loop.sh', 'agent.ts'].map((f) => {
        fs.copyFileSync(path.join(ROOT, 'test/vscode/workspace', f), path.join(dir, f));
        return path.join(dir, f);
      });
      const out = path.join(dir, 'seen.json');
      const r = spawnSync('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${path.join(ROOT, 'test/editors/neovim-client.lua')}`], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 100000,
        env: { ...process.env, FANG_NVIM_OUT: out, FANG_NVIM_FILES: files.join(':'), FANG_NODE: process.execPath, FANG_BIN: path.join(ROOT, 'bin', 'fang.js'), FANG_ROOT: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
      });
      assert.ok(fs.existsSync(out), `Neovim wrote no result (exit ${r.status}, signal ${r.signal}): ${r.stderr}${r.stdout}`);
      const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as Seen;
      assert.deepEqual(seen.errors, [], `the Neovim script failed (exit ${r.status})`);
      assert.equal(r.status, 0);
      assert.equal(seen.exit_code, 0, 'the server exits cleanly when Neovim stops it');

      const [sh, ts] = seen.files;
      assert.equal(sh!.filetype, 'sh');
      assert.deepEqual(sh!.published.map((d) => d.code).sort(), ['bash-agent-loop', 'bash-model-cli-call', 'bash-model-cli-call', 'bash-model-output-exec']);
      assert.deepEqual(sh!.nvim.map((d) => `${d.lnum}:${d.code}:${d.source}`).sort(), sh!.published.map((d) => `${d.range.start.line}:${d.code}:fang`).sort(), 'vim.diagnostic holds what was published');
      for (const d of sh!.published) assert.match(d.codeDescription?.href ?? '', new RegExp(`^file://.*/docs/rules/${d.code}\\.md$`));
      assert.equal(sh!.target.code, 'bash-model-output-exec');
      assert.ok((sh!.target.relatedInformation ?? []).length >= 2, 'the dataflow path arrives as related information');
      assert.equal(sh!.hover?.contents.kind, 'markdown');
      assert.match(sh!.hover!.contents.value, /`bash-model-output-exec`, model-output-execution, error/);
      assert.match(sh!.hover!.contents.value, /Path: line 8: /);
      assert.ok(sh!.actions.includes('Suppress bash-model-output-exec on this line'), sh!.actions.join(' | '));
      assert.ok(sh!.actions.length >= 3, `a proven rewrite besides the suppressions: ${sh!.actions.join(' | ')}`);
      assert.match(sh!.line_after ?? '', /^ {4}# fang-ignore-next-line bash-model-output-exec -- $/);
      const hint = sh!.after!.find((d) => d.code === 'bash-model-output-exec');
      assert.equal(hint?.severity, 4, 'after the quick fix the finding is a suppressed hint');
      assert.ok(sh!.after!.some((d) => d.code === 'suppression-without-reason'), 'and the missing reason is asked for');

      assert.equal(ts!.filetype, 'typescript');
      const tsCodes = ts!.published.map((d) => d.code);
      assert.ok(tsCodes.includes('js-model-sdk-call') && tsCodes.includes('js-model-output-exec'), tsCodes.join(', '));
      assert.match(ts!.hover!.contents.value, /\*\*Fang: /);
      assert.ok(ts!.actions.some((a) => /^Suppress js-.* on this line$/.test(a)), ts!.actions.join(' | '));
      assert.match(ts!.line_after ?? '', /\/\/ fang-ignore-next-line js-/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
