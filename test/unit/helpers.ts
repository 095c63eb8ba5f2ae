import * as path from 'node:path';
import { Analyzer } from '../../src/core/index';

/** The repository root, from out/test/unit or test/unit alike. */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');

let shared: Promise<Analyzer> | undefined;
/** One analyzer (grammars loaded once) for the whole unit suite. */
export function analyzer(): Promise<Analyzer> {
  shared ??= Analyzer.create();
  return shared;
}
