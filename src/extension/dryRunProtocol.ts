/**
 * Messages between the report webview and the extension, validated with zod on the side that
 * receives them: the webview is another process, its messages are outside data.
 */
import { z } from 'zod';
import { reportSchema } from '../sandbox';

const line = z.number().int().positive().max(10_000_000);

export const findingNoteSchema = z.object({
  /** 1-based line of the snippet. */
  line,
  ruleId: z.string().max(200),
  category: z.string().max(100),
  severity: z.string().max(20),
  message: z.string().max(2000),
});
export type FindingNote = z.infer<typeof findingNoteSchema>;

/** Extension -> webview. */
export const toWebviewSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('report'),
    title: z.string().max(500),
    /** Document line (1-based) of the snippet's line 1, so links can show document lines. */
    lineOffset: z.number().int().nonnegative(),
    report: reportSchema,
    findings: z.array(findingNoteSchema).max(10_000),
    durationMs: z.number().nonnegative(),
    adversarial: z.boolean(),
  }),
  z.object({ type: z.literal('running'), title: z.string().max(500), adversarial: z.boolean() }),
  z.object({ type: z.literal('failed'), title: z.string().max(500), message: z.string().max(10_000) }),
]);
export type ToWebview = z.infer<typeof toWebviewSchema>;

/** What the webview rendered, reported back so tests and logs see what the user sees. */
export const renderedSchema = z.object({
  type: z.literal('rendered'),
  verdict: z.string().max(100_000),
  nodes: z.array(z.object({ id: z.string().max(100), kind: z.enum(['process', 'model', 'code']), label: z.string().max(2000) })).max(10_000),
  edges: z.array(z.object({ from: z.string().max(100), to: z.string().max(100), kind: z.enum(['spawned', 'called', 'became-code', 'fed', 'loop']) })).max(10_000),
  text: z.string().max(2_000_000),
});
export type Rendered = z.infer<typeof renderedSchema>;

/** Webview -> extension. */
export const fromWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('reveal'), line }),
  z.object({ type: z.literal('rerunAdversarial') }),
  z.object({ type: z.literal('editResponses') }),
  z.object({ type: z.literal('copyMarkdown') }),
  renderedSchema,
]);
export type FromWebview = z.infer<typeof fromWebviewSchema>;

/** Parses a message from the webview; undefined (and the reason) when it does not fit. */
export function parseFromWebview(data: unknown): { ok: true; msg: FromWebview } | { ok: false; error: string } {
  const r = fromWebviewSchema.safeParse(data);
  if (r.success) return { ok: true, msg: r.data };
  return { ok: false, error: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}
