/** The contract every rule file fulfils. */
import type { Node, Tree } from 'web-tree-sitter';
import type { FangConfig } from './config';
import type { Finding, RuleMeta, RuleLanguage } from './types';

/** A finding as a rule reports it; severity and category come from the rule's metadata. */
export type RawFinding = Omit<Finding, 'ruleId' | 'category' | 'severity'> & {
  /** Only the meta rules (analysis-incomplete) set their category per finding. */
  category?: Finding['category'];
  /** A lower severity than the rule's for this finding (execution behind a confirmation); settings still win. */
  severity?: Finding['severity'];
};

export interface RuleContext<Facts = unknown> {
  language: RuleLanguage;
  text: string;
  tree: Tree;
  config: FangConfig;
  /** Facts computed once per file by the language's analysis and shared by its rules. */
  facts: Facts;
}

export interface Rule<Facts = unknown> {
  meta: RuleMeta;
  check(ctx: RuleContext<Facts>): RawFinding[];
}

export type { Node };

/** Facts that know places the analysis could not follow (reported by analysis-incomplete). */
export interface ReportsIncomplete {
  incompleteFindings(): RawFinding[];
}

export function reportsIncomplete(facts: unknown): facts is ReportsIncomplete {
  return typeof (facts as ReportsIncomplete | undefined)?.incompleteFindings === 'function';
}
