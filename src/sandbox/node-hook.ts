/**
 * The line-linking trace for JavaScript and TypeScript snippets, the equivalent of Bash's
 * xtrace: preloaded into the snippet's node (`--require`), it wraps child_process and
 * fetch/http(s).request and writes one record per call, with the snippet line from the call's
 * stack (source-mapped for TypeScript), to fd 5 in the xtrace record format
 * (RS "pid line time source" US words), so one parser reads both.
 *
 * Serialised with toString and run inside the sandbox: self-contained, no outer names.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
export function nodeHookProgram(): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const cp = require('node:child_process') as Record<string, unknown>;
  const http = require('node:http') as Record<string, unknown>;
  const https = require('node:https') as Record<string, unknown>;
  const mod = require('node:module') as { syncBuiltinESMExports(): void };
  const source = process.env.FANG_SNIPPET_SOURCE ?? '';
  delete process.env.FANG_SNIPPET_SOURCE;
  const files = /\/run\/fang\/snippet\.(?:cjs|mjs|ts)|\.fang-dry-run\.mjs|snippet\.ts/;

  function lineOf(): number | null {
    for (const frame of (new Error().stack ?? '').split('\n').slice(2)) {
      if (!files.test(frame)) continue;
      const m = /:(\d+):\d+\)?\s*$/.exec(frame);
      if (m) return Number(m[1]);
    }
    return null;
  }
  function quote(w: string): string {
    return `'${w.replace(/'/g, `'\\''`)}'`;
  }
  function record(words: unknown[]): void {
    const line = lineOf();
    if (line === null) return;
    try {
      fs.writeSync(5, `\x1e${process.pid} ${line} ${(Date.now() / 1000).toFixed(6)} ${source}\x1f${words.map((w) => quote(String(w))).join(' ')}\n`);
    } catch {
      /* the channel is gone: nothing to link */
    }
  }
  type Fn = (...args: unknown[]) => unknown;
  function wrap(target: Record<string, unknown>, name: string, words: (args: unknown[]) => unknown[]): void {
    const original = target[name];
    if (typeof original !== 'function') return;
    target[name] = function (this: unknown, ...args: unknown[]): unknown {
      record(words(args));
      return (original as Fn).apply(this, args);
    };
  }
  const argList = (a: unknown): unknown[] => (Array.isArray(a) ? a : []);
  const shell = (cmd: unknown, args: unknown, opts: unknown): unknown[] =>
    opts && typeof opts === 'object' && (opts as { shell?: unknown }).shell ? ['/bin/sh', '-c', [cmd, ...argList(args)].join(' ')] : [cmd, ...argList(args)];
  wrap(cp, 'spawn', ([c, a, o]) => shell(c, a, Array.isArray(a) ? o : a));
  wrap(cp, 'spawnSync', ([c, a, o]) => shell(c, a, Array.isArray(a) ? o : a));
  wrap(cp, 'exec', ([c]) => ['/bin/sh', '-c', c]);
  wrap(cp, 'execSync', ([c]) => ['/bin/sh', '-c', c]);
  wrap(cp, 'execFile', ([f, a]) => [f, ...argList(a)]);
  wrap(cp, 'execFileSync', ([f, a]) => [f, ...argList(a)]);
  wrap(cp, 'fork', ([m, a]) => [process.execPath, m, ...argList(a)]);
  const url = (a: unknown): string => {
    if (typeof a === 'string') return a;
    if (a && typeof a === 'object') {
      const o = a as { href?: unknown; url?: unknown; hostname?: unknown; host?: unknown; path?: unknown };
      if (typeof o.href === 'string') return o.href;
      if (typeof o.url === 'string') return o.url;
      return `//${String(o.hostname ?? o.host ?? '')}${String(o.path ?? '/')}`;
    }
    return '';
  };
  wrap(http, 'request', ([a]) => ['http.request', url(a)]);
  wrap(https, 'request', ([a]) => ['https.request', url(a)]);
  if (typeof globalThis.fetch === 'function') {
    const g = globalThis as unknown as Record<string, unknown>;
    wrap(g, 'fetch', ([a]) => ['fetch', url(a)]);
  }
  mod.syncBuiltinESMExports();
}
