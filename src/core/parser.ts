/** Loads web-tree-sitter and the grammars' own .wasm files once per process. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Parser, Language, type Tree } from 'web-tree-sitter';
import type { RuleLanguage } from './types';
import { Budget } from './budget';
import { LANGUAGES, languageById } from './languages';

/** Where a .wasm file is: next to the bundle (`dist/wasm`) or in node_modules during development. */
export function locateWasm(file: string, pkg: string, wasmDir?: string): string {
  const candidates: string[] = [];
  if (wasmDir) candidates.push(path.join(wasmDir, file));
  candidates.push(path.join(__dirname, 'wasm', file));
  // During development: node_modules of the checkout, found upwards from this file.
  for (let d = __dirname; ; d = path.dirname(d)) {
    candidates.push(path.join(d, 'node_modules', pkg, file));
    if (path.dirname(d) === d) break;
  }
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`cannot find ${file}; looked in ${candidates.join(', ')}`);
}

/** Parsing did not finish within the analysis deadline; `offset` is the byte the parser had reached. */
export class ParseBudgetExceeded extends Error {
  constructor(
    readonly limitMs: number,
    readonly offset: number,
  ) {
    super(`parsing did not finish within the ${limitMs} ms time budget`);
  }
}

/** A parser per language; trees it returns must be freed with `tree.delete()`. */
export class Grammars {
  private readonly parsers = new Map<RuleLanguage, Parser>();

  private constructor(
    private readonly languages: Map<RuleLanguage, Language>,
    private readonly wasmDir: string | undefined,
  ) {}

  static async load(wasmDir?: string, which: readonly RuleLanguage[] = LANGUAGES.map((l) => l.id)): Promise<Grammars> {
    const runtime = locateWasm('web-tree-sitter.wasm', 'web-tree-sitter', wasmDir);
    await Parser.init({ locateFile: () => runtime });
    const grammars = new Grammars(new Map(), wasmDir);
    await grammars.ensure(which);
    return grammars;
  }

  /** Loads the grammars of `which` not loaded yet (a hook learns late which files it must read). */
  async ensure(which: readonly RuleLanguage[]): Promise<void> {
    for (const lang of which) {
      if (this.languages.has(lang)) continue;
      const g = languageById(lang)!.grammar;
      this.languages.set(lang, await Language.load(locateWasm(g.file, g.pkg, this.wasmDir)));
    }
  }

  has(lang: RuleLanguage): boolean {
    return this.languages.has(lang);
  }

  /**
   * Parses before the deadline (a Budget's, or `budgetMs` from now); throws ParseBudgetExceeded
   * when it passes. With `oldTree` (edited to match `text`) unchanged parts are reused.
   */
  parse(lang: RuleLanguage, text: string, budget: number | Budget, oldTree?: Tree | null): Tree {
    let parser = this.parsers.get(lang);
    if (!parser) {
      const language = this.languages.get(lang);
      if (!language) throw new Error(`grammar for ${lang} not loaded`);
      parser = new Parser();
      parser.setLanguage(language);
      this.parsers.set(lang, parser);
    }
    const b = typeof budget === 'number' ? new Budget(budget) : budget;
    let timedOut = false;
    let offset = 0;
    const tree = parser.parse(text, oldTree ?? null, {
      progressCallback: (state) => {
        offset = state.currentOffset;
        if (b.expired()) timedOut = true;
        return timedOut;
      },
    });
    if (!tree || timedOut) {
      tree?.delete();
      parser.reset();
      throw new ParseBudgetExceeded(b.limitMs, offset);
    }
    return tree;
  }

  dispose(): void {
    for (const p of this.parsers.values()) p.delete();
    this.parsers.clear();
  }
}
