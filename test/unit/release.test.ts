/**
 * What ships and how: the release workflow, the GitHub Action and the pre-commit hook are valid
 * YAML of the shape their runners read, their shell steps pass bash -n and ShellCheck, they use
 * the scoped npm package at this version and tokens only from secrets; the README never sends
 * anyone to the unscoped `fang`; the Marketplace fields and files are there.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import * as z from 'zod';
import { ROOT } from './helpers';
import { LANGUAGES } from '../../src/core/languages';

const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM_NAME = '@fang-dev/fang';

function yamlFile(rel: string): unknown {
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, rel), 'utf8'), { prettyErrors: true, uniqueKeys: true });
  assert.deepEqual(doc.errors.map((e) => e.message), [], `${rel} is not valid YAML`);
  assert.deepEqual(doc.warnings.map((e) => e.message), [], `${rel} has YAML warnings`);
  return doc.toJS();
}

/** `${{ ... }}` expressions replaced by a plain word, so the shell tools read the script itself. */
function shellOf(script: string): string {
  return script.replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
}

function checkShell(where: string, script: string): void {
  const text = `#!/usr/bin/env bash\n${shellOf(script)}\n`;
  const syntax = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
  assert.equal(syntax.status, 0, `${where}: bash -n: ${syntax.stderr}`);
  const sc = spawnSync('shellcheck', ['--shell=bash', '--severity=warning', '-'], { input: text, encoding: 'utf8' });
  if (sc.error) throw new Error(`shellcheck is not installed (apt-get install shellcheck): ${sc.error.message}`);
  assert.equal(sc.status, 0, `${where}: shellcheck:\n${sc.stdout}`);
}

const step = z.union([
  z.object({ name: z.string().optional(), id: z.string().optional(), if: z.string().optional(), uses: z.string().regex(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/), with: z.record(z.string(), z.unknown()).optional(), env: z.record(z.string(), z.string()).optional() }).strict(),
  z.object({ name: z.string().optional(), id: z.string().optional(), if: z.string().optional(), run: z.string().min(1), shell: z.string().optional(), env: z.record(z.string(), z.string()).optional(), 'working-directory': z.string().optional() }).strict(),
]);
type Step = z.infer<typeof step>;

const workflowSchema = z
  .object({
    name: z.string(),
    on: z.object({ push: z.object({ tags: z.array(z.string()).min(1) }).strict() }).strict(),
    permissions: z.record(z.string(), z.enum(['read', 'write', 'none'])),
    concurrency: z.object({ group: z.string(), 'cancel-in-progress': z.boolean() }).optional(),
    jobs: z.record(
      z.string(),
      z
        .object({
          'runs-on': z.string(),
          needs: z.union([z.string(), z.array(z.string())]).optional(),
          environment: z.string().optional(),
          permissions: z.record(z.string(), z.enum(['read', 'write', 'none'])).optional(),
          steps: z.array(step).min(1),
        })
        .strict(),
    ),
  })
  .strict();

const actionSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    author: z.string(),
    branding: z.object({ icon: z.string(), color: z.string() }),
    inputs: z.record(z.string(), z.object({ description: z.string().min(1), required: z.boolean(), default: z.string() }).strict()),
    outputs: z.record(z.string(), z.object({ description: z.string(), value: z.string() }).strict()),
    runs: z.object({ using: z.literal('composite'), steps: z.array(step).min(1) }).strict(),
  })
  .strict();

const preCommitSchema = z
  .array(
    z
      .object({
        id: z.string(),
        name: z.string(),
        description: z.string(),
        entry: z.string(),
        language: z.literal('node'),
        additional_dependencies: z.array(z.string()),
        types_or: z.array(z.enum(['shell', 'bash', 'ts', 'tsx', 'javascript', 'jsx', 'python', 'markdown'])),
        minimum_pre_commit_version: z.string(),
        // one process sees every staged file: the analysis follows flows across files
        require_serial: z.literal(true),
      })
      .strict(),
  )
  .length(1);

describe('release, action and pre-commit', () => {
  it('the release workflow packages on a version tag and publishes to both registries and npm with tokens from secrets', () => {
    const wf = workflowSchema.parse(yamlFile('.github/workflows/release.yml'));
    assert.deepEqual(wf.on.push.tags, ['v*.*.*']);
    assert.deepEqual(wf.permissions, { contents: 'read' });
    const jobs = wf.jobs;
    assert.deepEqual(Object.keys(jobs).sort(), ['npm', 'open-vsx', 'package', 'vscode-marketplace']);
    for (const [name, job] of Object.entries(jobs)) {
      if (name !== 'package') assert.equal(job.needs, 'package', `${name} publishes what the package job built`);
      for (const s of job.steps) if ('run' in s) checkShell(`release.yml ${name}: ${s.name ?? s.run}`, s.run);
    }
    const runs = (job: string) => jobs[job]!.steps.filter((s): s is Extract<Step, { run: string }> => 'run' in s);
    const pkg = runs('package').map((s) => s.run).join('\n');
    assert.match(pkg, /npm ci/);
    assert.match(pkg, /npm run package\b/);
    assert.match(pkg, /node scripts\/npm-package\.mjs/);
    assert.match(pkg, /require\("\.\/package\.json"\)\.version/, 'the tag must name the version');
    const secretOf = (job: string, cmd: RegExp, variable: string, secret: string) => {
      const st = runs(job).find((s) => cmd.test(s.run));
      assert.ok(st, `${job}: a step running ${cmd}`);
      assert.deepEqual(st.env, { [variable]: `\${{ secrets.${secret} }}` }, `${job}: the token comes from secrets.${secret}`);
    };
    secretOf('vscode-marketplace', /vsce@[\d.]+ publish --packagePath fang\.vsix/, 'VSCE_PAT', 'VSCE_PAT');
    secretOf('open-vsx', /ovsx@[\d.]+ publish fang\.vsix/, 'OVSX_PAT', 'OVSX_PAT');
    secretOf('npm', /npm publish fang-dev-fang-\*\.tgz --access public/, 'NODE_AUTH_TOKEN', 'NPM_TOKEN');
    assert.equal(jobs.npm!.permissions?.['id-token'], 'write', 'npm provenance needs an OIDC token');
    // No token is ever written into the file itself.
    const text = fs.readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8');
    for (const m of text.matchAll(/(PAT|TOKEN)\s*[:=]\s*(.+)$/gm)) assert.match(m[2]!, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, m[0]);
    for (const artifact of ['scripts/vscode-package.mjs', 'scripts/npm-package.mjs']) assert.ok(fs.existsSync(path.join(ROOT, artifact)), artifact);
  });

  it('packages the VSIX with its licence and repository, never skipping either', () => {
    const script = fs.readFileSync(path.join(ROOT, 'scripts', 'vscode-package.mjs'), 'utf8');
    assert.doesNotMatch(script, /--skip-license|--allow-missing-repository/);
    assert.equal(PKG.license, 'MIT');
    assert.match(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/);
    assert.match(fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${PKG.version.replace(/\./g, '\\.')}\\b`, 'm'));
    assert.match(PKG.repository.url, /^https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    assert.match(PKG.bugs.url, /^https:\/\//);
    assert.match(PKG.homepage, /^https:\/\//);
    assert.ok(PKG.keywords.length >= 5 && PKG.keywords.length <= 30);
    assert.match(PKG.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(PKG.galleryBanner.theme));
  });

  it('the README shows the real product, at a sensible size', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[([^\]]+)\]\(([^)]+)\)/g)];
    assert.ok(images.length >= 3, 'pictures of the editor, the dry-run report and the paste guard');
    for (const [, alt, src] of images) {
      assert.match(src!, /^media\/readme\/[\w-]+\.png$/, src);
      assert.ok(alt!.length > 20, `describe ${src}`);
      const png = fs.readFileSync(path.join(ROOT, src!));
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      const width = png.readUInt32BE(16);
      assert.ok(width >= 800 && width <= 1280, `${src} is ${width} px wide`);
      assert.ok(png.length < 400 * 1024, `${src} is ${png.length} bytes`);
    }
  });

  it('the GitHub Action scans with SARIF, uploads it to code scanning, runs the scoped package at this version', () => {
    const action = actionSchema.parse(yamlFile('action.yml'));
    assert.equal(action.inputs.version!.default, PKG.version, 'action.yml runs the version it is released with');
    const steps = action.runs.steps;
    const upload = steps.find((s) => 'uses' in s && s.uses.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload && 'uses' in upload);
    assert.equal(upload.with?.sarif_file, '${{ steps.scan.outputs.sarif-file }}');
    for (const s of steps) {
      if (!('run' in s)) continue;
      assert.equal(s.shell, 'bash');
      // inputs reach scripts through the environment, never pasted into the script
      assert.doesNotMatch(s.run, /\$\{\{/, 'no expression inside a script');
      checkShell(`action.yml ${s.id ?? s.if}`, s.run);
      if (/npm exec/.test(s.run)) {
        assert.match(s.run, /npm exec --yes --package="\$FANG_PACKAGE" -- fang /);
        assert.equal(s.env?.FANG_PACKAGE, `${NPM_NAME}@\${{ inputs.version }}`);
      }
    }
    const declared = new Set(Object.keys(action.inputs));
    const text = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    for (const m of text.matchAll(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}|inputs\.([\w-]+) [!=]=/g)) assert.ok(declared.has(m[1] ?? m[2]!), `input ${m[1] ?? m[2]} is declared`);
  });

  it('the pre-commit hook runs the scoped package at this version on the files Fang reads', () => {
    const [hook] = preCommitSchema.parse(yamlFile('.pre-commit-hooks.yaml'));
    assert.equal(hook!.id, 'fang');
    assert.match(hook!.entry, /^fang scan\b/);
    assert.deepEqual(hook!.additional_dependencies, [`${NPM_NAME}@${PKG.version}`]);
    // pre-commit's file types (identify tags) for every language of the registry, and Markdown
    const tags: Record<string, string[]> = { bash: ['shell'], typescript: ['ts'], tsx: ['tsx'], javascript: ['javascript', 'jsx'], python: ['python'] };
    for (const l of LANGUAGES) for (const t of tags[l.id] ?? [`(no identify tag known for ${l.id})`]) assert.ok(hook!.types_or.includes(t as never), `types_or lacks ${t} (${l.id})`);
    assert.ok(hook!.types_or.includes('markdown'));
    assert.equal(PKG.bin, undefined, 'pre-commit also installs this repository: it must not bring a second `fang`');
  });

  it('no command anywhere sends a user to the unscoped `fang` on npm', () => {
    const files = ['README.md', 'action.yml', '.pre-commit-hooks.yaml', 'CHANGELOG.md', '.github/workflows/release.yml', ...fs.readdirSync(path.join(ROOT, 'docs', 'rules')).map((f) => `docs/rules/${f}`)];
    // `npx fang`, `npx -y fang@1`, `npm exec fang`, `npm i -g fang`, `--package=fang`, `bunx fang`...
    const unscoped = /(?:\bnpx|\bbunx|\bpnpm dlx|\byarn dlx|\bnpm (?:exec|install|i|add))(?:\s+--?[\w-]+(?:=\S+)?)*\s+fang(?![\w./-])|--package[= ]fang(?![\w./-])/g;
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of text.matchAll(unscoped)) {
        if (/never `$/.test(text.slice(Math.max(0, m.index! - 7), m.index))) continue; // the README's own warning
        // the command `fang` of the scoped package (action.yml: $FANG_PACKAGE, checked above to be it)
        if (/--package[= ](@fang-dev\/fang\b|"\$FANG_PACKAGE")/.test(m[0])) continue;
        assert.fail(`${f}: "${m[0]}" would run the unrelated npm package \`fang\`; use ${NPM_NAME}`);
      }
    }
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /npm install -g @fang-dev\/fang/);
    assert.match(readme, /never `npx fang`/);
    // and the check itself catches what it must
    for (const bad of ['npx fang scan .', 'npx -y fang@0.1.0 scan', 'npm i -g fang', 'npm exec --package=fang -- fang']) assert.match(bad, new RegExp(unscoped.source), bad);
    for (const good of ['npx --yes @vscode/vsce@3.9.2 publish --packagePath fang.vsix', 'npm install -g @fang-dev/fang']) assert.doesNotMatch(good, new RegExp(unscoped.source), good);
  });
});
