/** The public API of the analysis core, shared by the CLI, the editor's worker and the sandbox. */
export { Analyzer, type AnalyzeOptions } from './analyzer';
export { detectLanguage, languageFromEditorId, looksBinary } from './detect';
export { extractFences, type Fence } from './markdown';
export { parseConfig, configSchema, mergeConfigs, effectiveSeverity, type FangConfig, type ConfigProblem, DEFAULT_MAX_FILE_BYTES, DEFAULT_ANALYSIS_BUDGET_MS } from './config';
export * from './types';
export { renderMessage, numberRef, placeRef } from './refs';
export { Budget, DeadlineExceeded, BUDGET_KINDS, type BudgetKind, type Exhaustion } from './budget';
export * as catalog from './catalog';
