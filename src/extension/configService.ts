/**
 * The configuration a document is analysed with: the `fang.*` settings, then the workspace
 * folder's `.fang.json` (the file the CLI reads too, so it wins key by key and the editor agrees
 * with `fang scan`). Problems in either are logged and shown once, naming the key.
 *
 * In a workspace the user has not trusted, the workspace may only make Fang stricter: VS Code
 * ignores the workspace values of the settings declared in `restrictedConfigurations`
 * (package.json), and of `.fang.json` only raised severities and added model names count
 * (src/core/untrusted.ts); each dropped entry is named. Trust granted later reloads everything.
 */
import * as vscode from 'vscode';
import { showWarning } from './notify';
import { checkRuleIds, mergeConfigs, parseConfig, type ConfigProblem, type FangConfig } from '../core/config';
import { splitUntrusted, type SeverityFloor } from '../core/untrusted';
import { errorText, type Log } from './log';
import { readSettings, SECTION, type EditorSettings } from './settings';

export const PROJECT_FILE = '.fang.json';

export interface EffectiveConfig {
  config: FangConfig;
  editor: EditorSettings;
  /** Untrusted workspace: the severities `.fang.json` raises findings to. */
  floor?: SeverityFloor;
}

export class ConfigService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly reported = new vscode.EventEmitter<string[]>();
  /** Fires with the messages each time new configuration problems are shown to the user. */
  readonly onDidReportProblems = this.reported.event;
  /** Fires when settings or a `.fang.json` changed. */
  readonly onDidChange = this.changed.event;
  private readonly project = new Map<string, FangConfig>();
  private readonly floors = new Map<string, SeverityFloor>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.reported];
  private lastShown = '';
  private ready: Promise<void>;

  constructor(private readonly log: Log) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) {
          this.reportProblems();
          this.changed.fire();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reloadProjects()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reloadProjects()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${PROJECT_FILE}`);
    const reload = () => void this.reloadProjects();
    this.disposables.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    this.ready = this.reloadProjects();
  }

  /** Resolves once the `.fang.json` files present at start have been read. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  forDocument(uri: vscode.Uri): EffectiveConfig {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const settings = readSettings(folder ?? uri);
    const fromFile = folder ? this.project.get(folder.uri.toString()) : undefined;
    const floor = folder ? this.floors.get(folder.uri.toString()) : undefined;
    const config = fromFile ? mergeConfigs(settings.config, fromFile) : settings.config;
    return { config: this.ruleIds ? checkRuleIds(config, this.ruleIds).config : config, editor: settings.editor, ...(floor ? { floor } : {}) };
  }

  private ruleIds: readonly string[] | undefined;

  /** The analyzer's rule ids, once it has started: a rule id no rule has is then a problem naming the closest. */
  setRuleIds(ids: readonly string[]): void {
    this.ruleIds = ids;
    this.reportProblems();
  }

  private ruleIdProblems(): ConfigProblem[] {
    if (!this.ruleIds) return [];
    const fromSettings = checkRuleIds(readSettings().config, this.ruleIds).problems.map((p) => ({ key: `${SECTION}.${p.key}`, message: `${SECTION}.${p.message}` }));
    const fromFiles = [...this.project.values()].flatMap((c) => checkRuleIds(c, this.ruleIds!).problems.map((p) => ({ key: `${PROJECT_FILE}: ${p.key}`, message: `${PROJECT_FILE}: ${p.message}` })));
    return [...fromSettings, ...fromFiles];
  }

  /**
   * The configured model commands by who named them: the user (user settings) or the workspace
   * (workspace and folder settings, `.fang.json`). A dry-run stubs a workspace's names only where
   * they are no program on this system, unless the user confirmed it (DryRunController).
   */
  modelCommandSources(uri: vscode.Uri): { user: string[]; workspace: string[] } {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const i = vscode.workspace.getConfiguration(SECTION, folder ?? uri).inspect<unknown>('modelCommands');
    const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : []);
    const fromFile = folder ? (this.project.get(folder.uri.toString())?.modelCommands ?? []) : [];
    // In a single-folder workspace the folder value is the workspace value: count each name once.
    return { user: names(i?.globalValue), workspace: [...new Set([...names(i?.workspaceValue), ...names(i?.workspaceFolderValue), ...fromFile])] };
  }

  private async reloadProjects(): Promise<void> {
    const problems: ConfigProblem[] = [];
    this.problemFile = undefined;
    this.project.clear();
    this.floors.clear();
    const trusted = vscode.workspace.isTrusted;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = vscode.Uri.joinPath(folder.uri, PROJECT_FILE);
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      } catch {
        continue; // no project file in this folder
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        problems.push({ key: PROJECT_FILE, message: `${file.fsPath} is not valid JSON (${errorText(e)}); it is ignored` });
        this.problemFile ??= file;
        continue;
      }
      const parsed = parseConfig(json, PROJECT_FILE);
      for (const p of parsed.problems) problems.push({ key: `${PROJECT_FILE}: ${p.key}`, message: `${PROJECT_FILE}: ${p.message}` });
      if (trusted) {
        this.project.set(folder.uri.toString(), parsed.config);
      } else {
        const split = splitUntrusted(parsed.config, PROJECT_FILE);
        problems.push(...split.ignored);
        this.project.set(folder.uri.toString(), split.additive);
        this.floors.set(folder.uri.toString(), split.floor);
      }
      this.log.info(`read ${file.fsPath}`);
      if (problems.length && !this.problemFile) this.problemFile = file;
    }
    this.projectProblems = problems;
    this.reportProblems();
    this.changed.fire();
  }

  private projectProblems: ConfigProblem[] = [];
  /** The first `.fang.json` with a problem, for the notification's button. */
  private problemFile: vscode.Uri | undefined;

  /** Every current problem, settings first; exposed for tests and the status bar. */
  problems(): ConfigProblem[] {
    return [...readSettings().problems, ...this.projectProblems, ...this.ruleIdProblems()];
  }

  private reportProblems(): void {
    const problems = this.problems();
    const text = problems.map((p) => p.message).join('\n');
    if (text === this.lastShown) return;
    this.lastShown = text;
    if (!problems.length) return;
    for (const p of problems) this.log.warn(p.message);
    this.reported.fire(problems.map((p) => p.message));
    const first = problems[0]!.message;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more, see the Fang output)` : '';
    // The button opens where the first problem is: the settings, or the .fang.json.
    const file = problems[0]!.key.startsWith(PROJECT_FILE) ? this.problemFile : undefined;
    const open = file ? `Open ${PROJECT_FILE}` : 'Open Settings';
    void showWarning(`Fang: ${first}${more}`, open, 'Show Output').then((pick) => {
      if (pick === open) void (file ? vscode.window.showTextDocument(file) : vscode.commands.executeCommand('workbench.action.openSettings', SECTION));
      if (pick === 'Show Output') this.log.show(true);
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
