/**
 * The budgets of one analysis: a deadline that covers parsing and every dataflow, and the
 * bounded resources the dataflows count themselves (function evaluations, loop rounds, path
 * steps, files). Whatever runs out is written down with where it ran out, and the analyzer turns
 * each into an `analysis-incomplete` note: a truncated analysis is never reported as clean.
 */
import type { DocumentLanguage, FileResult, Range } from './types';
import { toTemplate } from './refs';

export const BUDGET_KINDS = ['time', 'function-evaluations', 'loop-rounds', 'path-length', 'files', 'nesting'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

export interface Exhaustion {
  budget: BudgetKind;
  /** Where the analysis stopped following the code (0-based, like findings). */
  range: Range;
  /** One sentence, without the position (outputs render positions themselves). */
  message: string;
  /** Further places where the same budget ran out, counted instead of listed. */
  more?: number;
}

/** Notes listed per budget; past these the last one counts the rest (code can exhaust a budget at every line). */
export const MAX_NOTES_PER_BUDGET = 3;

/** Something with a tree-sitter position: a node, or a plain range. */
type Place = Range | { startPosition: { row: number; column: number }; endPosition: { row: number; column: number } };

export function rangeOfPlace(p: Place | undefined): Range {
  if (!p) return { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
  if ('startPosition' in p) return { start: { line: p.startPosition.row, column: p.startPosition.column }, end: { line: p.endPosition.row, column: p.endPosition.column } };
  return p;
}

/** Thrown from inside an analysis once its deadline has passed; the dataflow that catches it keeps what it found. */
export class DeadlineExceeded extends Error {
  constructor(readonly range: Range, limitMs: number) {
    super(`the analysis ran out of its ${limitMs} ms time budget`);
    this.name = 'DeadlineExceeded';
  }
}

export function isStackOverflow(e: unknown): e is RangeError {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** How often `tick` reads the clock: a statement costs far less than a clock read. */
const TICKS_PER_CLOCK_READ = 32;

export class Budget {
  readonly exhausted: Exhaustion[] = [];
  readonly deadline: number;
  private ticks = 0;
  private timeNoted = false;

  private readonly now: () => number;
  private readonly maxTicks: number;

  constructor(
    /** The time budget in ms (`analysisBudgetMs`). */
    readonly limitMs: number,
    opts: {
      now?: () => number;
      /** Reproducible runs (tests): the time is also up after this many ticks. */
      maxTicks?: number;
    } = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.maxTicks = opts.maxTicks ?? Number.POSITIVE_INFINITY;
    this.deadline = this.now() + limitMs;
  }

  /** A budget that never runs out of time (tests and tools that measure without a deadline). */
  static unlimited(): Budget {
    return new Budget(Number.POSITIVE_INFINITY);
  }

  /** Statements, calls and loop rounds walked so far: the work done, whatever the machine's speed. */
  get ticksSpent(): number {
    return this.ticks;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  expired(): boolean {
    return this.ticks > this.maxTicks || this.now() > this.deadline;
  }

  /** The place of the last tick: where a walk was when it stopped. */
  lastPlace: Place | undefined;

  /** Called once per statement, call and loop round: throws DeadlineExceeded after the deadline. */
  tick(at?: Place): void {
    ++this.ticks;
    this.lastPlace = at;
    if (this.ticks % TICKS_PER_CLOCK_READ !== 0 && this.ticks <= this.maxTicks) return;
    if (this.expired()) throw new DeadlineExceeded(rangeOfPlace(at), this.limitMs);
  }

  /** Records an exhausted budget; one note per budget and line, at most MAX_NOTES_PER_BUDGET per budget (the last counts the rest). */
  note(budget: BudgetKind, at: Place | undefined, message: string): void {
    const range = rangeOfPlace(at);
    if (budget === 'time') {
      if (this.timeNoted) return;
      this.timeNoted = true;
    }
    const same = this.exhausted.filter((e) => e.budget === budget);
    if (same.some((e) => e.range.start.line === range.start.line && e.range.file === range.file)) return;
    if (same.length >= MAX_NOTES_PER_BUDGET) {
      const last = same[same.length - 1]!;
      last.more = (last.more ?? 0) + 1;
      return;
    }
    this.exhausted.push({ budget, range, message });
  }

  /**
   * Records why a walk stopped early: the deadline (DeadlineExceeded), or the stack (RangeError:
   * code nested deeper than the walk can recurse). Anything else is not a budget: rethrown.
   */
  noteStop(e: unknown, what: string): void {
    if (e instanceof DeadlineExceeded) {
      this.note('time', e.range, `${what} stopped here: ${e.message} (analysisBudgetMs); findings after this point may be missing`);
    } else if (isStackOverflow(e)) {
      this.note('nesting', this.lastPlace, `${what} stopped here: the code is nested too deeply for it to follow (nesting); findings for this file may be missing`);
    } else {
      throw e;
    }
  }
}

/**
 * The result for a document whose analysis did not answer at all within its budget and a margin
 * (the editor then restarts its worker): one note, never a clean result.
 */
export function overrunResult(path: string, language: DocumentLanguage | undefined, budgetMs: number, waitedMs: number): FileResult {
  return {
    path,
    language,
    findings: [
      {
        ruleId: 'analysis-incomplete',
        category: 'model-output-execution',
        severity: 'note',
        message: toTemplate(`analysis incomplete: the analysis did not finish within its ${budgetMs} ms time budget (analysisBudgetMs) and was stopped after ${Math.round(waitedMs)} ms; this document was not analysed`).message,
        range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
        path: [],
        confidence: 'low',
        budget: 'time',
      },
    ],
  };
}
