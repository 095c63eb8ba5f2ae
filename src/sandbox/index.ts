/** The sandbox dry-run: the API the CLI and the editor use. No 'vscode' here. */
export { runDryRun, detectBackend, SandboxUnavailableError, type DryRunOptions } from './run';
export { DryRunCancelled, type TraceEvent } from './collect';
export type { BackendInfo, Unavailable } from './backend';
export { reportSchema, parseReport, REPORT_VERSION, type DryRunReport } from './report-schema';
export { formatReportText } from './report-text';
export { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits';
export { loadResponsesFile, normalizeResponses, type ResponseScript } from './responses';
export { modelCommandsIn, shadowedPrograms, type SnippetLanguage } from './model-commands';
export { refusedWorkspace } from './secrets';
