/**
 * V8 compiles tree-sitter's WebAssembly with Liftoff (fast to compile) and then, for hot
 * functions, with TurboFan in background threads. A grammar's lexer is one huge function: its
 * TurboFan compile takes about half a second, and a process cannot exit while it runs, so a
 * one-line `fang scan` spent most of its life waiting for code it would never use. A CLI
 * process makes one pass over its input, where Liftoff code wins (measured in `npm run bench`:
 * a whole scan of 1.9 MB of shell scripts 0.5 s instead of 1.4 s); a long-lived process (the
 * editor's worker) keeps the default and profits from TurboFan in the steady state.
 *
 * Must run before the first WebAssembly module is compiled.
 */
import * as v8 from 'node:v8';

export function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}
