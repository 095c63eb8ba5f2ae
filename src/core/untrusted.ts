/**
 * What a configuration from a workspace the user has not trusted may change: it may make Fang
 * stricter (raise a rule's or a category's severity, name more model commands or SDKs) and
 * nothing else. Lowering a severity, turning a rule off, ignoring paths or changing budgets and
 * size caps would let the code under analysis decide what is reported about it; such entries
 * are dropped and each is named.
 */
import type { ConfigProblem, FangConfig } from './config';
import type { Category, Finding, Severity } from './types';

/** The least severity a finding keeps, per rule id and per category (rule entries win). */
export interface SeverityFloor {
  rules: Record<string, Severity>;
  categories: Partial<Record<Category, Severity>>;
}

const RANK: Record<Severity | 'off', number> = { off: 0, note: 1, warning: 2, error: 3 };

export interface UntrustedSplit {
  /** Entries that only add detections: model commands and SDK names. */
  additive: FangConfig;
  floor: SeverityFloor;
  /** One problem per entry that was dropped. */
  ignored: ConfigProblem[];
}

export function splitUntrusted(config: FangConfig, origin: string): UntrustedSplit {
  const floor: SeverityFloor = { rules: {}, categories: {} };
  const additive: FangConfig = {};
  const ignored: ConfigProblem[] = [];
  const drop = (key: string, why: string) =>
    ignored.push({ key: `${origin}: ${key}`, message: `${origin}: ${key} is ignored: ${why}` });
  for (const [key, value] of Object.entries(config) as Array<[keyof FangConfig, unknown]>) {
    if (key === 'modelCommands' || key === 'sdkNames') {
      (additive as Record<string, unknown>)[key] = value;
    } else if (key === 'rules' || key === 'categories') {
      for (const [id, level] of Object.entries(value as Record<string, Severity | 'off'>)) {
        if (RANK[level] >= RANK.warning) {
          if (key === 'rules') floor.rules[id] = level as Severity;
          else floor.categories[id as Category] = level as Severity;
        } else {
          drop(`${key}.${id}`, `in a workspace you have not trusted, ${origin} may only raise severities ("${level}" cannot raise anything)`);
        }
      }
    } else {
      drop(key, `in a workspace you have not trusted, ${origin} may only raise severities and add model names`);
    }
  }
  return { additive, floor, ignored };
}

/** Findings with each severity raised to its floor; a floor below a finding's severity does nothing. */
export function applyFloor(findings: readonly Finding[], floor: SeverityFloor | undefined): Finding[] {
  if (!floor) return [...findings];
  return findings.map((f) => {
    const least = floor.rules[f.ruleId] ?? floor.categories[f.category];
    return least && RANK[least] > RANK[f.severity] ? { ...f, severity: least } : f;
  });
}
