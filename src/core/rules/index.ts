/** Every rule, grouped by the language whose facts it reads. Adding a rule: add its file and list it here. */
import type { Rule } from '../rule';
import type { BashFacts } from '../bash/facts';
import { rule as bashModelCliCall } from './bash-model-cli-call';
import { rule as bashModelHttpCall } from './bash-model-http-call';
import { rule as bashModelOutputExec } from './bash-model-output-exec';
import { rule as bashModelOutputFileExec } from './bash-model-output-file-exec';
import { rule as bashAgentLoop } from './bash-agent-loop';
import { rule as bashSelfSpawn } from './bash-self-spawn';
import { rule as bashForkBomb } from './bash-fork-bomb';
import { rule as bashUnboundedSpawn } from './bash-unbounded-spawn';
import { rule as bashSpreadPersist } from './bash-spread-persist';
import { rule as bashAgentCliExec } from './bash-agent-cli-exec';
import { rule as bashModelOutputStaged } from './bash-model-output-staged';
import type { JsFacts } from '../js/facts';
import { rule as jsModelSdkCall } from './js-model-sdk-call';
import { rule as jsModelHttpCall } from './js-model-http-call';
import { rule as jsModelCliSpawn } from './js-model-cli-spawn';
import { rule as jsAgentCliExec } from './js-agent-cli-exec';
import { rule as jsModelOutputExec } from './js-model-output-exec';
import { rule as jsModelOutputFileExec } from './js-model-output-file-exec';
import { rule as jsAgentLoop } from './js-agent-loop';
import { rule as jsSelfSpawn } from './js-self-spawn';
import { rule as jsUnboundedSpawn } from './js-unbounded-spawn';
import { rule as jsUnboundedFanout } from './js-unbounded-fanout';
import type { PyFacts } from '../python/facts';
import { rule as pyModelSdkCall } from './py-model-sdk-call';
import { rule as pyModelHttpCall } from './py-model-http-call';
import { rule as pyModelCliSpawn } from './py-model-cli-spawn';
import { rule as pyModelOutputExec } from './py-model-output-exec';
import { rule as pyModelOutputFileExec } from './py-model-output-file-exec';
import { rule as pyAgentLoop } from './py-agent-loop';
import { rule as pySelfSpawn } from './py-self-spawn';
import { rule as pyUnboundedSpawn } from './py-unbounded-spawn';
import { rule as pyUnboundedFanout } from './py-unbounded-fanout';
import { rule as pySpreadPersist } from './py-spread-persist';
import { rule as analysisIncomplete } from './analysis-incomplete';
import { rule as suppressionWithoutReason } from './suppression-without-reason';

export const BASH_RULES: Rule<BashFacts>[] = [
  bashModelCliCall,
  bashModelHttpCall,
  bashModelOutputExec,
  bashModelOutputFileExec,
  bashAgentCliExec,
  bashModelOutputStaged,
  bashAgentLoop,
  bashSelfSpawn,
  bashForkBomb,
  bashUnboundedSpawn,
  bashSpreadPersist,
];

/** TypeScript, TSX and JavaScript share one set of rules and facts. */
export const JS_RULES: Rule<JsFacts>[] = [
  jsModelSdkCall,
  jsModelHttpCall,
  jsModelCliSpawn,
  jsAgentCliExec,
  jsModelOutputExec,
  jsModelOutputFileExec,
  jsAgentLoop,
  jsSelfSpawn,
  jsUnboundedSpawn,
  jsUnboundedFanout,
];

export const PY_RULES: Rule<PyFacts>[] = [
  pyModelSdkCall,
  pyModelHttpCall,
  pyModelCliSpawn,
  pyModelOutputExec,
  pyModelOutputFileExec,
  pyAgentLoop,
  pySelfSpawn,
  pyUnboundedSpawn,
  pyUnboundedFanout,
  pySpreadPersist,
];

/** Rules that read only the tree and text, for every language. */
export const GENERIC_RULES: Rule[] = [analysisIncomplete, suppressionWithoutReason];
