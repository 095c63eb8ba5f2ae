export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Standard input (the hook's event); the process's own when unset. */
  stdin?: NodeJS.ReadableStream;
  isTTY: boolean;
  cwd: string;
}

/** Bad usage: printed without a stack trace, exit status 2. */
export class UsageError extends Error {}
