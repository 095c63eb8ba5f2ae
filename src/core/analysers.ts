/**
 * The analysers, one per `analyser` key of the language registry (languages.ts): how to compute
 * a file's facts, and which rules read them. The Record type makes a registry entry without an
 * analyser a compile error.
 */
import type { Tree } from 'web-tree-sitter';
import type { FangConfig } from './config';
import type { Rule } from './rule';
import type { Budget } from './budget';
import type { ProjectView } from './project';
import { languageById, type AnalyserId } from './languages';
import type { RuleLanguage } from './types';
import { BashFacts } from './bash/facts';
import { embeddedBash, type EmbeddedCode } from './bash/embedded';
import { BASH_RULES, JS_RULES, PY_RULES } from './rules/index';
import { PyFacts } from './python/facts';
import { JsFacts } from './js/facts';

export interface Analyser {
  rules: readonly Rule<unknown>[];
  /** `project`: the rest of the project, for dataflow into imported, sourced and run files. */
  createFacts(tree: Tree, text: string, config: FangConfig, path: string | undefined, budget: Budget, project?: ProjectView): unknown;
  /** Code of this language inside the file's strings (`sh -c '...'`), placed at its positions, analysed as well. */
  embedded?(tree: Tree, text: string): EmbeddedCode[];
  /** The rule that reports model output run from a scheduled line (a crontab entry, a systemd unit) as persistence. */
  persistRule?: string;
}

/** An entry file's place in its project, as its facts see it. */
export interface ProjectContext {
  view: ProjectView;
  /** The entry's own path in the project. */
  path: string;
}

const contextOf = (path: string | undefined, project: ProjectView | undefined): ProjectContext | undefined =>
  project && path ? { view: project, path } : undefined;

export const ANALYSERS: Record<AnalyserId, Analyser> = {
  bash: {
    rules: BASH_RULES,
    createFacts: (tree, text, config, path, budget, project) =>
      new BashFacts(tree, text, config.modelCommands ?? [], path ? path.replace(/^.*[\\/]/, '') : undefined, budget, contextOf(path, project)),
    embedded: (tree, text) => embeddedBash(tree.rootNode, text),
    persistRule: 'bash-spread-persist',
  },
  // TypeScript, TSX and JavaScript share one set of facts and rules.
  js: {
    rules: JS_RULES,
    createFacts: (tree, text, config, path, budget, project) =>
      new JsFacts(tree, text, config.sdkNames ?? [], config.modelCommands ?? [], budget, contextOf(path, project)),
  },
  python: {
    rules: PY_RULES,
    createFacts: (tree, text, config, path, budget, project) =>
      new PyFacts(tree, text, config.sdkNames ?? [], config.modelCommands ?? [], budget, contextOf(path, project)),
  },
};

export function analyserFor(lang: RuleLanguage): Analyser | undefined {
  const spec = languageById(lang);
  return spec ? ANALYSERS[spec.analyser] : undefined;
}
