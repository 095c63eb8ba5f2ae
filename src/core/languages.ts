/** Per language: how to compute the shared facts and which rules read them. */
import type { Tree } from 'web-tree-sitter';
import type { FangConfig } from './config';
import type { Rule } from './rule';
import type { RuleLanguage } from './types';
import type { Budget } from './budget';
import type { ProjectView } from './project';
import { BashFacts } from './bash/facts';
import { BASH_RULES, JS_RULES } from './rules/index';
import { JsFacts } from './js/facts';

export interface LanguageSupport {
  languages: readonly RuleLanguage[];
  rules: readonly Rule<any>[];
  /** `project`: the rest of the project, for dataflow into imported, sourced and run files. */
  createFacts(tree: Tree, text: string, config: FangConfig, path: string | undefined, budget: Budget, project?: ProjectView): unknown;
}

/** An entry file's place in its project, as its facts see it. */
export interface ProjectContext {
  view: ProjectView;
  /** The entry's own path in the project. */
  path: string;
}

const contextOf = (path: string | undefined, project: ProjectView | undefined): ProjectContext | undefined =>
  project && path ? { view: project, path } : undefined;

const bash: LanguageSupport = {
  languages: ['bash'],
  rules: BASH_RULES,
  createFacts: (tree, text, config, path, budget, project) =>
    new BashFacts(tree, text, config.modelCommands ?? [], path ? path.replace(/^.*[\\/]/, '') : undefined, budget, contextOf(path, project)),
};

const js: LanguageSupport = {
  languages: ['typescript', 'tsx', 'javascript'],
  rules: JS_RULES,
  createFacts: (tree, text, config, path, budget, project) =>
    new JsFacts(tree, text, config.sdkNames ?? [], config.modelCommands ?? [], budget, contextOf(path, project)),
};

export const LANGUAGE_SUPPORT: readonly LanguageSupport[] = [bash, js];

export function supportFor(lang: RuleLanguage): LanguageSupport | undefined {
  return LANGUAGE_SUPPORT.find((s) => s.languages.includes(lang));
}
