/** Shared vocabulary of the analysis. Nothing here knows about editors or processes. */
import type { BudgetKind } from './budget';
import type { LanguageId } from './languages';

export const CATEGORIES = ['self-invocation', 'model-output-execution', 'recursive-spawning'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['error', 'warning', 'note'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Languages a rule can be written for: the registry's (languages.ts). Markdown is a container, not a rule language. */
export type RuleLanguage = LanguageId;
export type DocumentLanguage = RuleLanguage | 'markdown';

/** 0-based line and column (UTF-16 code units, as editors count). */
export interface Position {
  line: number;
  column: number;
}

/** A position a message refers to (core/refs.ts): in another file of the project when `file` is set. */
export interface MessageRef extends Position {
  file?: string;
  /** Rendered as `line N` (else the bare number: the message says "line" itself). */
  place?: true;
}
export interface Range {
  start: Position;
  end: Position;
  /**
   * The file, in a project analysis, when it is not the finding's own: a dataflow path crosses
   * files (model call in `lib/llm.js`, execution in `cli.js`). Absent means the finding's file.
   */
  file?: string;
}

/** One step of a dataflow path, in source order: "model output produced here", ... */
export interface PathStep {
  range: Range;
  message: string;
  /** The path was cut here (path length budget): later steps are not shown. */
  truncated?: true;
}

export interface Finding {
  ruleId: string;
  category: Category;
  severity: Severity;
  /**
   * One line that names both ends where there are two: a template whose `{n}` placeholders
   * stand for `refs[n]` (braces doubled); outputs show it with `renderMessage` (core/refs.ts).
   */
  message: string;
  /** Positions the message refers to (0-based, in the document, like `range`). */
  refs?: MessageRef[];
  range: Range;
  /** From the model call to the sink; empty when the finding is a single place. */
  path: PathStep[];
  /** Lower when the source is only a name that looks like a model wrapper. */
  confidence: 'high' | 'low';
  /** For `analysis-incomplete` notes about an exhausted budget: which one. */
  budget?: BudgetKind;
  /** Set by `withFingerprints` (core/fingerprint.ts): stable across unrelated edits. */
  fingerprint?: string;
}

/** A finding a `fang-ignore-...` comment in the code covers, with that comment. */
export interface SuppressedFinding extends Finding {
  suppression: {
    scope: 'next-line' | 'file';
    reason: string | undefined;
    /** Where the comment is. */
    range: Range;
  };
}

export interface SkipNote {
  reason: 'binary' | 'too-large' | 'time-budget' | 'unreadable' | 'not-a-file' | 'unsupported';
  message: string;
}

export interface FileResult {
  path: string;
  language: DocumentLanguage | undefined;
  findings: Finding[];
  /** Findings that suppression comments in the code cover (not counted, shown on request). */
  suppressed?: SuppressedFinding[];
  /** Set when the file was not analysed at all. */
  skipped?: SkipNote;
}

export interface RuleExample {
  bad: string;
  good: string;
}

export interface RuleMeta {
  id: string;
  language: RuleLanguage | 'any';
  category: Category;
  severity: Severity;
  title: string;
  /** Two or three sentences on the risk, shown in hovers and docs. */
  explanation: string;
  example: RuleExample;
}
