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
import { rule as analysisIncomplete } from './analysis-incomplete';
import { rule as suppressionWithoutReason } from './suppression-without-reason';

export const BASH_RULES: Rule<BashFacts>[] = [
  bashModelCliCall,
  bashModelHttpCall,
  bashModelOutputExec,
  bashModelOutputFileExec,
  bashAgentLoop,
  bashSelfSpawn,
  bashForkBomb,
  bashUnboundedSpawn,
  bashSpreadPersist,
];

/** Rules that read only the tree and text, for every language. */
export const GENERIC_RULES: Rule[] = [analysisIncomplete, suppressionWithoutReason];
