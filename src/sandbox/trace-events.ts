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
  /** The pids of Fang's own processes inside (the stub server, the tracer). */
  z.object({ t: z.literal('helpers'), stub: num.nullable(), tracer: num }),
  /** The stub server was gone or stopped when the snippet ended. */
  z.object({ t: z.literal('stub'), state: z.enum(['gone', 'stopped']) }),
]);
export type InitEvent = z.infer<typeof initEventSchema>;

/** How much of each string of a stub event is kept (a snippet controls prompts and argv). */
export const EVENT_CAPS = { chars: 8192, args: 32, argChars: 1024 };

function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}… [${s.length - n} more characters cut by fang]` : s;
}

/** The event with its snippet-controlled strings clipped. */
export function clipStubEvent(e: StubEvent): StubEvent {
  const c = (s: string): string => clipText(s, EVENT_CAPS.chars);
  switch (e.t) {
    case 'model-command': {
      const argv = e.argv.slice(0, EVENT_CAPS.args).map((a) => clipText(a, EVENT_CAPS.argChars));
      if (e.argv.length > EVENT_CAPS.args) argv.push(`… (${e.argv.length - EVENT_CAPS.args} more arguments)`);
      return { ...e, command: clipText(e.command, EVENT_CAPS.argChars), argv, stdin: e.stdin === null ? null : c(e.stdin), prompt: c(e.prompt), answer: c(e.answer) };
    }
    case 'model-http':
      return { ...e, host: clipText(e.host, 256), path: clipText(e.path, EVENT_CAPS.argChars), prompt: c(e.prompt), answer: c(e.answer) };
    case 'http':
      return { ...e, host: clipText(e.host, 256), path: clipText(e.path, EVENT_CAPS.argChars), body: clipText(e.body, EVENT_CAPS.argChars) };
    case 'tls':
    case 'dns':
      return { ...e, host: clipText(e.host, 256) };
    default:
      return { ...e, message: clipText(e.message, EVENT_CAPS.argChars) };
  }
}

/** Longest line a reader takes; longer ones are dropped and counted. */
const MAX_LINE = 4 * 1024 * 1024;

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
    if (this.rest.length > MAX_LINE) {
      this.rest = '';
      this.rejected++;
    }
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
