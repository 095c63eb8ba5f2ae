/** How findings' messages name a place: `line 4`, or `lib.sh line 4` in another file of the project. */
import type { Range } from '../types';

export const line = (r: Range) => r.start.line + 1;

/** `line 4`, or `llm.js line 4` when the place is in another file than `at` (project analysis). */
export function lineRef(r: Range, at?: Range): string {
  return r.file !== undefined && r.file !== at?.file ? `${r.file.replace(/^.*\//, '')} line ${line(r)}` : `line ${line(r)}`;
}
