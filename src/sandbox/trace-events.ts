/**
 * Events that enter the host from inside the sandbox (the stub server's and the init
 * script's JSON lines). The sandbox runs untrusted code, so every line is validated with zod
 * and a line that does not fit is counted and dropped, never trusted.
 */
import { z } from 'zod';

const str = z.string().max(1_000_000);
const num = z.number().int().min(0).max(2 ** 31);

export const stubEventSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('model-command'),
    id: num,
    command: str,
    argv: z.array(str).max(10_000),
    stdin: str.nullable(),
    prompt: str,
    answer: str,
    source: str,
    pid: num,
    ppid: num,
    at: z.number(),
  }),
  z.object({ t: z.literal('model-http'), id: num, method: str, host: str, port: num, path: str, prompt: str, answer: str, source: str, at: z.number() }),
  z.object({ t: z.literal('http'), method: str, host: str, port: num, path: str, body: str, at: z.number() }),
  z.object({ t: z.literal('tls'), host: str, port: num, at: z.number() }),
  z.object({ t: z.literal('dns'), host: str, qtype: num, at: z.number() }),
  z.object({ t: z.literal('note'), message: str, at: z.number() }),
]);
export type StubEvent = z.infer<typeof stubEventSchema>;

export const initEventSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('started'), snippetPid: num.optional() }),
  z.object({ t: z.literal('exit'), code: z.number().int() }),
  z.object({ t: z.literal('note'), message: str }),
  z.object({ t: z.literal('error'), message: str }),
  z.object({ t: z.literal('disk'), mount: str, blocks: num, free: num, blockSize: num, files: num.optional(), filesFree: num.optional() }),
  /** The listing of the writable areas is complete. */
  z.object({ t: z.literal('listed') }),
]);
export type InitEvent = z.infer<typeof initEventSchema>;

/** Splits a byte stream into lines and validates each; bad lines are counted. */
export class JsonLineReader<T> {
  private rest = '';
  rejected = 0;
  constructor(
    private readonly schema: z.ZodType<T>,
    private readonly onItem: (item: T) => void,
    /** Lines that are not JSON at all (e.g. a program's error message); counted otherwise. */
    private readonly onText?: (line: string) => void,
  ) {}
  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    if (this.rest.length > 4 * 1024 * 1024) this.rest = '';
    for (const line of lines) this.line(line);
  }
  end(): void {
    if (this.rest) this.line(this.rest);
    this.rest = '';
  }
  private line(line: string): void {
    if (!line.trim()) return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      if (this.onText) this.onText(line);
      else this.rejected++;
      return;
    }
    const r = this.schema.safeParse(data);
    if (r.success) this.onItem(r.data);
    else this.rejected++;
  }
}
