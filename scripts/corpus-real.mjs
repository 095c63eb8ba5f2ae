// `npm run corpus:real`: Fang on real code it was not written against, scored against labels.
//
// The corpus is test/corpus/real/*.yaml: one entry per npm package (pinned version, fetched with
// `npm pack` into a cache outside the checkout) or per public source file (repository, commit and
// path: provenance only, the file itself is never committed). Each entry lists, by reading the
// code, where a finding of each category belongs. The package (or file) is scanned as `fang scan`
// does, and the findings in code files are compared with the labels: recall and precision per
// category and overall. Markdown in packages is left out (the corpus measures code).
//
//   node scripts/corpus-real.mjs [--verbose] [--only ID,...] [--cache DIR]
//
// Cache: $FANG_CORPUS_CACHE or ~/.cache/fang-corpus. A source that cannot be fetched (no network,
// a host that is not reachable) is skipped with a loud note and listed at the end; the scores say
// how many entries they cover. Where a local git mirror of a repository exists
// ($FANG_CORPUS_MIRRORS/<owner>+<name>/ as a bare repository), public files are read from it.
// Exit status: 0 targets met, 1 targets missed, 2 the corpus could not be read.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CATEGORIES, fmt, rates, score } from './corpus-score.mjs';

const root = dirname(dirname(new URL(import.meta.url).pathname));
const TARGET = { recall: 0.9, precision: 0.95 };
const CODE_FILE = /\.(sh|bash|zsh|ksh|bats|js|mjs|cjs|jsx|ts|mts|cts|tsx|py|pyw)$|(^|\/)[^./]+$/;

function parseArgs(argv) {
  const opts = { verbose: false, only: undefined, cache: process.env.FANG_CORPUS_CACHE || join(homedir(), '.cache', 'fang-corpus') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--only') opts.only = argv[++i]?.split(',');
    else if (a === '--cache') opts.cache = argv[++i];
    else throw new Error(`unknown argument ${a}; expected --verbose, --only ID,..., --cache DIR`);
  }
  return opts;
}

export function loadCorpus(dir = join(root, 'test', 'corpus', 'real')) {
  const out = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const e = parseYaml(readFileSync(join(dir, f), 'utf8'));
    const id = f.replace(/\.yaml$/, '');
    const problems = [];
    if (e.source !== 'npm' && e.source !== 'github') problems.push('source must be npm or github');
    if (e.source === 'npm' && (!e.package || !/^\d+\.\d+\.\d+/.test(String(e.version ?? '')))) problems.push('npm entries need package and a pinned version');
    if (e.source === 'github' && (!e.repo || !/^[0-9a-f]{40}$/.test(String(e.commit ?? '')) || !(e.path || e.paths?.length))) problems.push('github entries need repo, a 40-hex commit and path (or paths)');
    if (!['positive', 'look-alike'].includes(e.kind)) problems.push('kind must be positive or look-alike');
    for (const l of [...(e.labels ?? []), ...(e.accept ?? [])]) {
      if (!l.file || !Number.isInteger(l.line) || !CATEGORIES.includes(l.category)) problems.push(`bad label ${JSON.stringify(l)}`);
    }
    if (problems.length) throw new Error(`${f}: ${problems.join('; ')}`);
    out.push({ ...e, id, labels: e.labels ?? [], accept: e.accept ?? [] });
  }
  return out;
}

/** The package's folder in the cache, fetched with `npm pack` when missing. */
function fetchNpm(e, cache) {
  const dest = join(cache, 'npm', `${e.package.replace('/', '+')}@${e.version}`);
  if (existsSync(join(dest, 'package'))) return join(dest, 'package');
  const tmp = mkdtempSync(join(tmpdir(), 'fang-corpus-'));
  try {
    const out = execFileSync('npm', ['pack', `${e.package}@${e.version}`, '--silent', '--pack-destination', tmp], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const tgz = join(tmp, out.trim().split('\n').pop());
    mkdirSync(join(tmp, 'x'));
    execFileSync('tar', ['-xzf', tgz, '-C', join(tmp, 'x')], { timeout: 120_000 });
    // most tarballs hold package/, a few another single folder (ejs: ejs-v3.1.10/)
    const top = readdirSync(join(tmp, 'x'));
    if (!top.includes('package') && top.length === 1) renameSync(join(tmp, 'x', top[0]), join(tmp, 'x', 'package'));
    mkdirSync(dirname(dest), { recursive: true });
    rmSync(dest, { recursive: true, force: true });
    renameSync(join(tmp, 'x'), dest);
    return join(dest, 'package');
  } catch (err) {
    throw new Error(`npm pack ${e.package}@${e.version} failed: ${String(err.stderr || err.message).trim().split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The public files of an entry at their commit, in one folder per commit; returns that folder. */
async function fetchGithub(e, cache) {
  for (const path of e.paths ?? [e.path]) await fetchGithubFile(e, path, cache);
  return join(cache, 'github', e.repo.replace('/', '+'), e.commit);
}

/** A public file at its commit: from the cache, a local mirror, or the network (raw file host). */
async function fetchGithubFile(e, path, cache) {
  const dest = join(cache, 'github', e.repo.replace('/', '+'), e.commit, path);
  if (existsSync(dest)) return dest;
  const mirrors = process.env.FANG_CORPUS_MIRRORS;
  let text;
  if (mirrors) {
    const git = join(mirrors, e.repo.replace('/', '+'));
    const gitDir = existsSync(join(git, 'HEAD')) ? git : readdirSync(git, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(git, d.name)).find((d) => existsSync(join(d, 'HEAD')));
    if (gitDir) {
      const r = spawnSync('git', ['--git-dir', gitDir, 'show', `${e.commit}:${path}`], { encoding: 'utf8' });
      if (r.status === 0) text = r.stdout;
    }
  }
  if (text === undefined) {
    const url = `https://raw.githubusercontent.com/${e.repo}/${e.commit}/${path}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (err) {
      throw new Error(`${e.repo}@${e.commit.slice(0, 10)}:${path} is not reachable (${err.cause?.code ?? err.message})`);
    }
  }
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, text);
  return dest;
}

/** `fang scan` as users run it, JSON out; findings as {file, line, category, ruleId, message}. */
function scan(target, cwd, config) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'fang.js'), 'scan', target, '--format', 'json', '--fail-on', 'none', '--config', config], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`fang scan exited ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' / ')}`);
  const json = JSON.parse(r.stdout);
  const findings = [];
  const skipped = [];
  for (const f of json.files) {
    if (f.skipped) skipped.push(`${f.path}: ${f.skipped.message}`);
    for (const x of f.findings) findings.push({ file: f.path, line: x.line, category: x.category, ruleId: x.ruleId, message: x.message, severity: x.severity });
  }
  return { findings, skipped };
}

function globToRe(g) {
  return new RegExp(`^${g.split('**').map((p) => p.split('*').map((q) => q.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')}$`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const corpus = loadCorpus().filter((e) => !opts.only || opts.only.includes(e.id));
  const config = join(mkdtempSync(join(tmpdir(), 'fang-corpus-cfg-')), 'fang.json');
  writeFileSync(config, '{}\n');
  const unreachable = [];
  const entries = [];
  const t0 = performance.now();
  for (const e of corpus) {
    let findings;
    let skipped;
    try {
      if (e.source === 'npm') {
        const dir = fetchNpm(e, opts.cache);
        ({ findings, skipped } = scan('.', dir, config));
      } else {
        // the entry's files, scanned together as a project, in their own folder
        const dir = await fetchGithub(e, opts.cache);
        ({ findings, skipped } = scan('.', dir, config));
      }
    } catch (err) {
      unreachable.push(`${e.id}: ${err.message}`);
      console.log(`!!! SKIPPED ${e.id}: ${err.message}`);
      continue;
    }
    // a public entry is scored on its own files (another entry may share the commit's folder)
    const include = (e.include ?? (e.source === 'github' ? (e.paths ?? [e.path]) : [])).map(globToRe);
    const exclude = (e.exclude ?? []).map(globToRe);
    findings = findings.filter((f) => CODE_FILE.test(f.file) && (!include.length || include.some((r) => r.test(f.file))) && !exclude.some((r) => r.test(f.file)));
    entries.push({ id: e.id, kind: e.kind, labels: e.labels, accept: e.accept, findings, skipped });
  }
  const { per, overall, details } = score(entries);

  console.log(`Real-world corpus: ${entries.length} of ${corpus.length} entries scanned in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(${entries.filter((e) => e.kind === 'positive').length} positives, ${entries.filter((e) => e.kind === 'look-alike').length} look-alikes)`);
  console.log('');
  console.log(`  ${'category'.padEnd(24)} labels  found  missed  false+  recall  precision`);
  const row = (name, c) => {
    const r = rates(c);
    console.log(`  ${name.padEnd(24)} ${String(c.labels).padStart(6)} ${String(c.tp).padStart(6)} ${String(c.fn).padStart(7)} ${String(c.fp).padStart(7)}   ${fmt(r.recall)}   ${fmt(r.precision)}`);
  };
  for (const c of CATEGORIES) row(c, per[c]);
  row('overall', overall);
  console.log('');
  for (const d of details) {
    const e = entries.find((x) => x.id === d.id);
    const flag = d.missed.length || d.falsePositives.length ? '' : '  ok';
    console.log(`  ${d.id.padEnd(44)} ${e.kind.padEnd(10)} labels ${String(d.labels).padStart(3)}  missed ${String(d.missed.length).padStart(3)}  false+ ${String(d.falsePositives.length).padStart(3)}${flag}`);
    if (opts.verbose || d.missed.length + d.falsePositives.length <= 6) {
      for (const m of d.missed) console.log(`      missed  ${m.file}:${m.line} ${m.category}${m.why ? `  (${m.why})` : ''}`);
      for (const f of d.falsePositives) console.log(`      false+  ${f.file}:${f.line} ${f.category} ${f.ruleId}: ${f.message.slice(0, 160)}`);
    }
    if (opts.verbose) for (const s of e.skipped) console.log(`      skipped ${s}`);
  }
  if (unreachable.length) {
    console.log('');
    console.log(`!!! ${unreachable.length} entr${unreachable.length === 1 ? 'y' : 'ies'} NOT SCANNED (the scores above do not include them):`);
    for (const u of unreachable) console.log(`!!!   ${u}`);
  }
  const o = rates(overall);
  const met = (o.recall ?? 0) >= TARGET.recall && (o.precision ?? 0) >= TARGET.precision;
  console.log('');
  console.log(met ? `target met: recall ${fmt(o.recall)} >= ${TARGET.recall}, precision ${fmt(o.precision)} >= ${TARGET.precision}` : `TARGET MISSED: recall ${fmt(o.recall)} (target ${TARGET.recall}), precision ${fmt(o.precision)} (target ${TARGET.precision})`);
  process.exitCode = met ? 0 : 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main().catch((e) => {
    console.error(`corpus-real: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  });
}
