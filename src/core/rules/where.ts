/**
 * How findings' messages name a place: as data (core/refs.ts), rendered by each output as
 * `line 4`, or `lib.sh line 4` in another file of the project.
 */
import { numberRef, placeRef } from '../refs';
import type { Range } from '../types';

/** A line number in a message (`(line ${line(r)})`), kept as a position. */
export const line = (r: Range) => numberRef(r);

/** `line 4`, or `llm.js line 4` when the place is in another file than `at` (project analysis). */
export function lineRef(r: Range, at?: Range): string {
  return placeRef(r.file !== undefined && r.file === at?.file ? { ...r, file: undefined } : r);
}
