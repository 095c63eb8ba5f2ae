/** `fang scan PATH...`: analyse files and folders, print text, JSON or SARIF, exit by --fail-on. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Analyzer, DEFAULT_MAX_FILE_BYTES, detectLanguage, extractFences, SEVERITIES, type FileResult, type RuleLanguage, type Severity } from '../core/index';
import { inertJson, visible } from '../core/display';
import { toSarif } from '../core/sarif';
import { Project } from '../core/project';
import { didYouMean } from '../core/config';
import { withFingerprints } from '../core/fingerprint';
import { loadBaseline, withoutBaseline } from './baseline';
import { LANGUAGES, MARKDOWN } from '../core/languages';
import { walk } from './walk';
import { readText } from './read-file';
import { loadProjectConfig, withRuleIds } from './config-file';
import { formatBytes } from '../core/detect';
import { formatText } from './format-text';
import { toJson } from './format-json';
import { UsageError, type Io } from './io';

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'note', 'none'] as const;

export const SCAN_HELP = `usage: fang scan PATH... [options]

Finds code that calls language models, runs their output, or spawns itself without a bound, in
${LANGUAGES.map((l) => `  ${l.name.padEnd(11)} ${l.extensions.map((e) => `.${e}`).join(' ')}${l.interpreters.length ? `, or a #! line running ${l.interpreters.join(' ')}` : ''}`).join('\n')}
  and the code fences of Markdown files (${MARKDOWN.extensions.map((e) => `.${e}`).join(' ')}) in those languages.

options:
  --format text|json|sarif   output format (default: text)
  --fail-on error|warning|note|none
                             exit 1 when a finding at or above this level exists (default: warning)
  --config FILE              a .fang.json file (default: the nearest .fang.json from here up to
                             the repository root); a mistake in it is named on stderr and only
                             the wrong entry is left out
  --rule ID                  run only this rule (repeatable)
  --exclude-rule ID          do not run this rule (repeatable)
  --baseline FILE.sarif      report only findings not in this earlier SARIF report (matched by
                             rule, file and a fingerprint that survives unrelated edits)
  --show-suppressed          also list the findings that fang-ignore comments in the code
                             suppress (text and JSON; SARIF always carries them as suppressed)
  --no-color                 no colours even on a terminal
exit status: 0 nothing at or above --fail-on, 1 findings, 2 bad usage, unreadable input or internal error
`;

export async function scanCommand(argv: string[], io: Io, version: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      'fail-on': { type: 'string', default: 'warning' },
      config: { type: 'string' },
      rule: { type: 'string', multiple: true },
      'exclude-rule': { type: 'string', multiple: true },
      baseline: { type: 'string' },
      'no-color': { type: 'boolean', default: false },
      'show-suppressed': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(SCAN_HELP);
    return 0;
  }
  const format = oneOf('--format', values.format!, FORMATS);
  const failOn = oneOf('--fail-on', values['fail-on']!, FAIL_ON);
  if (positionals.length === 0) throw new UsageError('fang scan needs at least one file or folder');
  const projectConfig = loadProjectConfig(io.cwd, values.config);
  let config = projectConfig.config;
  const baseline = values.baseline === undefined ? undefined : loadBaseline(path.resolve(io.cwd, values.baseline));

  const { files, errors } = walk(positionals, config.ignore ?? [], io.cwd);
  const cap = config.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const inputs = files.map((f) => readInput(f, cap));
  const analyzer = await Analyzer.create({ languages: languagesNeeded(inputs) });
  try {
    const known = new Set(analyzer.rules().map((r) => r.id));
    const checked = withRuleIds(projectConfig, [...known]);
    config = checked.config;
    for (const p of checked.problems) io.stderr.write(`fang: ${visible(p)}\n`);
    for (const id of [...(values.rule ?? []), ...(values['exclude-rule'] ?? [])]) {
      if (!known.has(id)) throw new UsageError(`unknown rule "${id}"${didYouMean(id, [...known])} (\`fang rules\` lists them)`);
    }
    // The files named and found form one project: imports, sourced files and scripts run by path
    // are followed between them, and a finding lands in the file where it is.
    const project = new Project(analyzer, { config, onlyRules: values.rule, excludeRules: values['exclude-rule'] });
    let results: FileResult[];
    try {
      const texts = inputs.filter((i): i is Input & { text: string } => typeof i.text === 'string');
      for (const i of texts) project.update(i.file, i.text);
      const byPath = new Map(project.resultsFor(texts.map((i) => i.file)).map((r, k) => [texts[k]!.file, r]));
      results = inputs.map((input) => (typeof input.text === 'string' ? withFingerprints({ ...byPath.get(input.file)!, path: input.file }, input.text) : input.text));
    } finally {
      project.dispose();
    }
    const rel = (p: string) => path.relative(io.cwd, p).split(path.sep).join('/') || '.';
    let inBaseline = 0;
    if (baseline) ({ results, known: inBaseline } = withoutBaseline(results, baseline, rel));
    if (format === 'sarif') {
      io.stdout.write(inertJson(JSON.stringify(toSarif(results, analyzer.rules(), { toolVersion: version, baseDir: io.cwd, relativize: rel }), null, 2)) + '\n');
    } else if (format === 'json') {
      io.stdout.write(inertJson(JSON.stringify(toJson(results, rel, version, values['show-suppressed']!), null, 2)) + '\n');
    } else {
      io.stdout.write(formatText(results, rel, { color: io.isTTY && !values['no-color'] && !process.env.NO_COLOR, showSuppressed: values['show-suppressed']! }));
    }
    if (baseline) io.stderr.write(`fang: ${inBaseline} finding${inBaseline === 1 ? '' : 's'} already in the baseline not reported\n`);
    for (const e of errors) io.stderr.write(`fang: ${visible(e)}\n`);
    if (errors.length) return 2;
    return failOn !== 'none' && results.some((r) => r.findings.some((f) => atLeast(f.severity, failOn))) ? 1 : 0;
  } finally {
    analyzer.dispose();
  }
}

interface Input {
  file: string;
  /** The text, or the result that says why the file was skipped. */
  text: string | FileResult;
}

/** The text of a file, or why it is skipped: a pipe or device, over the size cap (checked before reading), unreadable. */
function readInput(file: string, cap: number): Input {
  const r = readText(file, cap);
  if (r.ok) return { file, text: r.text };
  const reason = r.why === 'too-large' ? 'too-large' : r.why === 'not-a-file' ? 'not-a-file' : 'unreadable';
  // The same words as the analyzer's own size check (the editor's).
  const message = r.size !== undefined ? `${formatBytes(r.size)} is over the ${formatBytes(cap)} size cap (maxFileBytes)` : `this file ${r.message}`;
  return { file, text: { path: file, language: detectLanguage(file, ''), findings: [], skipped: { reason, message: `skipped: ${message}` } } };
}

/** Only the grammars these files need: Markdown fences say which. */
function languagesNeeded(inputs: Input[]): RuleLanguage[] {
  const out = new Set<RuleLanguage>();
  for (const { file, text } of inputs) {
    if (typeof text !== 'string') continue;
    const lang = detectLanguage(file, text);
    if (lang === 'markdown') for (const f of extractFences(text)) out.add(f.language);
    else if (lang) out.add(lang);
  }
  if (out.size === 0) out.add('bash');
  return [...out];
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function atLeast(s: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(min);
}
