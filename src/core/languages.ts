/** Per language: how to compute the shared facts and which rules read them. */
import type { Tree } from 'web-tree-sitter';
import type { FangConfig } from './config';
import type { Rule } from './rule';
import type { RuleLanguage } from './types';
import type { Budget } from './budget';
import { BashFacts } from './bash/facts';
import { BASH_RULES, JS_RULES } from './rules/index';
import { JsFacts } from './js/facts';

export interface LanguageSupport {
  languages: readonly RuleLanguage[];
  rules: readonly Rule<any>[];
  createFacts(tree: Tree, text: string, config: FangConfig, path: string | undefined, budget: Budget): unknown;
}

const bash: LanguageSupport = {
  languages: ['bash'],
  rules: BASH_RULES,
  createFacts: (tree, text, config, path, budget) =>
    new BashFacts(tree, text, config.modelCommands ?? [], path ? path.replace(/^.*[\\/]/, '') : undefined, budget),
};

const js: LanguageSupport = {
  languages: ['typescript', 'tsx', 'javascript'],
  rules: JS_RULES,
  createFacts: (tree, text, config, _path, budget) => new JsFacts(tree, text, config.sdkNames ?? [], config.modelCommands ?? [], budget),
};

export const LANGUAGE_SUPPORT: readonly LanguageSupport[] = [bash, js];

export function supportFor(lang: RuleLanguage): LanguageSupport | undefined {
  return LANGUAGE_SUPPORT.find((s) => s.languages.includes(lang));
}
