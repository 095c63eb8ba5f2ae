/** SARIF 2.1.0 output: the subset code-scanning services read. */
import { renderMessage } from './refs';
import type { FileResult, Finding, Range, RuleMeta, Severity } from './types';
import { FINGERPRINT_KEY, fingerprints } from './fingerprint';

export interface SarifOptions {
  toolVersion: string;
  /** Absolute path that result URIs are relative to. */
  baseDir: string;
  /** Turns an absolute file path into a URI relative to baseDir (forward slashes). */
  relativize(path: string): string;
  /** The text of an analysed file, for findings without a fingerprint yet. */
  source?(path: string): string | undefined;
}

const level = (s: Severity) => s;

function region(r: Range) {
  return { startLine: r.start.line + 1, startColumn: r.start.column + 1, endLine: r.end.line + 1, endColumn: r.end.column + 1 };
}

function location(uri: string, r: Range) {
  return { physicalLocation: { artifactLocation: { uri, uriBaseId: 'SRCROOT' }, region: region(r) } };
}

export function toSarif(results: FileResult[], rules: RuleMeta[], opts: SarifOptions): object {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const result = (uri: string, f: Finding, print: string | undefined) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
    level: level(f.severity),
    message: { text: renderMessage(f) },
    locations: [location(uri, f.range)],
    // a step in another file of the project points there
    relatedLocations: f.path.map((s, i) => ({ id: i + 1, ...location(s.range.file ? opts.relativize(s.range.file) : uri, s.range), message: { text: s.message } })),
    ...(f.path.length
      ? {
          codeFlows: [
            { threadFlows: [{ locations: f.path.map((s) => ({ location: { ...location(s.range.file ? opts.relativize(s.range.file) : uri, s.range), message: { text: s.message } } })) }] },
          ],
        }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint ?? print! },
    properties: {
      category: f.category,
      confidence: f.confidence,
      ...(f.budget ? { budget: f.budget } : {}),
      // The positions the message names, as data.
      ...(f.refs?.length ? { refs: f.refs.map((p) => ({ ...(p.file !== undefined ? { uri: opts.relativize(p.file) } : {}), line: p.line + 1, column: p.column + 1 })) } : {}),
    },
  });
  const sarifResults = results.flatMap((file) => {
    const uri = opts.relativize(file.path);
    const text = opts.source?.(file.path);
    const prints = file.findings.every((f) => f.fingerprint) ? [] : fingerprints(file.findings, text);
    const suppressed = file.suppressed ?? [];
    const suppressedPrints = suppressed.every((f) => f.fingerprint) ? [] : fingerprints(suppressed, text);
    return [
      ...file.findings.map((f, i) => result(uri, f, prints[i])),
      // Suppressed in the code: still results, marked so (code scanning shows them as suppressed).
      ...suppressed.map((f, i) => ({
        ...result(uri, f, suppressedPrints[i]),
        suppressions: [{ kind: 'inSource', status: 'accepted', justification: f.suppression.reason ?? '', location: location(uri, f.suppression.range) }],
      })),
    ];
  });
  const notes = results
    .filter((r) => r.skipped)
    .map((r) => ({
      level: 'note',
      message: { text: `${opts.relativize(r.path)}: ${r.skipped!.message}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: opts.relativize(r.path), uriBaseId: 'SRCROOT' } } }],
      properties: { reason: r.skipped!.reason },
    }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'fang',
            version: opts.toolVersion,
            informationUri: 'https://marketplace.visualstudio.com/items?itemName=fang-dev.fang',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: {
                text: `${r.explanation}\n\nBad:\n${r.example.bad}\nGood:\n${r.example.good}`,
                markdown: `${r.explanation}\n\n**Bad**\n\n\`\`\`\n${r.example.bad}\`\`\`\n\n**Good**\n\n\`\`\`\n${r.example.good}\`\`\`\n\nSuppress with \`fang-ignore-next-line ${r.id} -- reason\`.`,
              },
              defaultConfiguration: { level: level(r.severity) },
              properties: { category: r.category, tags: ['security', r.category] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${opts.baseDir.replace(/\/?$/, '/')}` } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notes }],
        results: sarifResults,
      },
    ],
  };
}
