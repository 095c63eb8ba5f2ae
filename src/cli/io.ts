export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
  cwd: string;
}

/** Bad usage: printed without a stack trace, exit status 2. */
export class UsageError extends Error {}
