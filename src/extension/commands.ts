/**
 * Every command in the palette comes from this one table (the paste guard registers its own
 * internal `fang.undoPaste`). A command that cannot run here (a feature not
 * shipped yet, or one that runs code in an untrusted workspace) says why instead of failing.
 */
import * as vscode from 'vscode';
import { showError, showInfo } from './notify';
import type { RuleMeta } from '../core/types';
import type { DryRunController } from './dryRunController';
import type { Log } from './log';
import type { RuleDocs } from './ruleDocs';

export interface CommandDeps {
  log: Log;
  docs: RuleDocs;
  rules: () => Promise<RuleMeta[]>;
  dryRun: DryRunController;
}

interface CommandSpec {
  id: string;
  /** Returns a reason when the command cannot run now. */
  unavailable?: () => string | undefined;
  run: (...args: unknown[]) => unknown;
}

/** `fang.dryRun [uri] [range]`: the snippet at the range (a lens, the paste guard) or at the cursor. */
export const DRY_RUN_COMMAND = 'fang.dryRun';

/**
 * Why a dry-run cannot start at all here. A missing sandbox backend is not a reason: the
 * command then opens the install instructions (see DryRunController.run).
 */
export function dryRunUnavailable(): string | undefined {
  if (!vscode.workspace.isTrusted) return 'Dry-run runs code in a sandbox and is off in untrusted workspaces.';
  return undefined;
}

function table(deps: CommandDeps): CommandSpec[] {
  return [
    {
      id: 'fang.showRuleDocumentation',
      run: async (ruleId?: unknown) => {
        let id = typeof ruleId === 'string' ? ruleId : undefined;
        if (!id) {
          const rules = await deps.rules();
          const pick = await vscode.window.showQuickPick(
            rules.map((r) => ({ label: r.id, description: r.category, detail: r.title })),
            { placeHolder: 'Rule to read about' },
          );
          id = pick?.label;
        }
        return id ? deps.docs.open(id) : false;
      },
    },
    { id: 'fang.showOutput', run: () => deps.log.show(true) },
    { id: DRY_RUN_COMMAND, unavailable: dryRunUnavailable, run: (uri?: unknown, range?: unknown) => deps.dryRun.runCommand(uri, range) },
    { id: 'fang.dryRunSelection', unavailable: dryRunUnavailable, run: () => deps.dryRun.runSelection() },
    { id: 'fang.dryRunInstructions', run: (message?: unknown) => deps.dryRun.showInstructions(typeof message === 'string' ? message : undefined) },
    { id: 'fang.showDryRunTrace', run: () => deps.dryRun.showTrace() },
  ];
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  for (const spec of table(deps)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
        const reason = spec.unavailable?.();
        if (reason) {
          deps.log.info(`${spec.id} unavailable: ${reason}`);
          void showInfo(`Fang: ${reason}`);
          return { unavailable: reason };
        }
        try {
          return await spec.run(...args);
        } catch (e) {
          deps.log.error(`${spec.id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          void showError(`Fang: ${spec.id} failed; see the Fang output for details.`);
          return undefined;
        }
      }),
    );
  }
}
