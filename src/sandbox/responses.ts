/**
 * The response script of `--responses FILE`: which answer the stubbed model gives to which
 * prompt. JSON or YAML, validated with zod. Two shapes:
 *
 *   responses:                     # in order, first match wins
 *     - when: "list .*ideas"       # regular expression, case-insensitive
 *       answer: "one\ntwo"
 *     - when: "code"
 *       answers: ["echo a", "rm -rf ~"]   # a sequence; the last one repeats
 *   default: "fallback answer"     # optional; without it the built-in defaults answer
 *
 * or the shorthand map { "<pattern>": "<answer>" | ["<answer>", ...] }.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import YAML from 'yaml';

const answer = z.string().max(1024 * 1024);
const rule = z
  .object({ when: z.string().min(1).max(10_000), answer: answer.optional(), answers: z.array(answer).min(1).optional() })
  .strict()
  .refine((r) => (r.answer === undefined) !== (r.answers === undefined), { message: 'give exactly one of "answer" or "answers"' });

const listForm = z.object({ responses: z.array(rule).max(1000), default: answer.optional() }).strict();
const mapForm = z.record(z.string().min(1), z.union([answer, z.array(answer).min(1)]));
export const responsesSchema = z.union([listForm, mapForm]);

export interface ResponseRule {
  pattern: string;
  answers: string[];
}
export interface ResponseScript {
  rules: ResponseRule[];
  defaultAnswer: string | null;
}

export const EMPTY_SCRIPT: ResponseScript = { rules: [], defaultAnswer: null };

export function normalizeResponses(data: unknown, origin = 'responses'): ResponseScript {
  const r = responsesSchema.safeParse(data);
  if (!r.success) {
    const msg = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${origin}: not a valid response script (${msg})`);
  }
  const list = listForm.safeParse(data);
  const rules: ResponseRule[] = list.success
    ? list.data.responses.map((x) => ({ pattern: x.when, answers: x.answers ?? [x.answer ?? ''] }))
    : Object.entries(mapForm.parse(data)).map(([pattern, a]) => ({ pattern, answers: Array.isArray(a) ? a : [a] }));
  for (const x of rules) checkPattern(x.pattern, origin);
  return { rules, defaultAnswer: list.success ? (list.data.default ?? null) : null };
}

function checkPattern(p: string, origin: string): void {
  try {
    new RegExp(p, 'i');
  } catch (e) {
    throw new Error(`${origin}: "${p}" is not a valid regular expression (${(e as Error).message})`);
  }
}

/** Reads a response script from a .json, .yaml or .yml file. */
export function loadResponsesFile(file: string): ResponseScript {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the response script ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new Error(`${file}: cannot parse (${(e as Error).message})`);
  }
  return normalizeResponses(data, file);
}
