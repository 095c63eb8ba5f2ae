/**
 * `fang scan --baseline FILE.sarif`: report only what is not in an earlier SARIF report, so a
 * team can adopt Fang on a repository with findings it has accepted. A finding matches a
 * baseline result with the same rule, file and fingerprint (`partialFingerprints["fang/v1"]`).
 */
import * as fs from 'node:fs';
import * as z from 'zod';
import { FINGERPRINT_KEY } from '../core/fingerprint';
import type { FileResult } from '../core/index';
import { UsageError } from './io';

const baselineSchema = z.object({
  version: z.literal('2.1.0'),
  runs: z.array(
    z.object({
      results: z.array(
        z.object({
          ruleId: z.string(),
          locations: z.array(z.object({ physicalLocation: z.object({ artifactLocation: z.object({ uri: z.string() }) }) })).min(1),
          partialFingerprints: z.record(z.string(), z.string()).optional(),
        }),
      ),
    }),
  ),
});

const key = (ruleId: string, uri: string, print: string) => `${ruleId}\0${uri}\0${print}`;

export function loadBaseline(file: string): Set<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read baseline ${file}: ${(e as Error).message}`);
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`baseline ${file} is not a SARIF 2.1.0 report: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  const out = new Set<string>();
  let missing = 0;
  for (const run of parsed.data.runs) {
    for (const r of run.results) {
      const print = r.partialFingerprints?.[FINGERPRINT_KEY];
      if (print === undefined) {
        missing++;
        continue;
      }
      out.add(key(r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, print));
    }
  }
  if (missing && out.size === 0) {
    throw new UsageError(`baseline ${file} has no "${FINGERPRINT_KEY}" fingerprints; write it with \`fang scan --format sarif\``);
  }
  return out;
}

/** The results without the findings the baseline holds (fingerprints set), and how many were left out. */
export function withoutBaseline(results: FileResult[], baseline: Set<string>, rel: (p: string) => string): { results: FileResult[]; known: number } {
  let known = 0;
  const out = results.map((r) => {
    const uri = rel(r.path);
    const findings = r.findings.filter((f) => {
      if (f.fingerprint === undefined) throw new Error(`finding of ${f.ruleId} in ${uri} has no fingerprint`);
      const inBaseline = baseline.has(key(f.ruleId, uri, f.fingerprint));
      if (inBaseline) known++;
      return !inBaseline;
    });
    return { ...r, findings };
  });
  return { results: out, known };
}
