/**
 * The configuration a document is analysed with, as the VS Code extension decides it: the
 * `fang.*` settings (asked of the client with `workspace/configuration`, or pushed with
 * `workspace/didChangeConfiguration`, or given in `initializationOptions.settings`), then the
 * `.fang.json` that `fang scan` run in the document's workspace folder would read (it wins key
 * by key). Problems in either are named once, key and expected value, in a warning and the log.
 *
 * Trust: an editor without a workspace-trust model cannot say whether the folder's files may
 * decide what is reported, so the server trusts the workspace only when the client says so
 * (`initializationOptions.trusted: true`, or the `fang/didChangeTrust` notification). Untrusted,
 * `.fang.json` may only make Fang stricter (src/core/untrusted.ts) and dry-runs are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkRuleIds, mergeConfigs, type ConfigProblem, type FangConfig } from '../core/config';
import { splitUntrusted, type SeverityFloor } from '../core/untrusted';
import { findProjectFile, loadProjectConfig, PROJECT_FILE } from '../cli/config-file';
import { objectGetter, parseSettings, SECTION, type EditorSettings, type Settings } from './settings';

export interface EffectiveConfig {
  config: FangConfig;
  editor: EditorSettings;
  /** Untrusted workspace: the severities `.fang.json` raises findings to. */
  floor?: SeverityFloor;
  /** The workspace folder (a path) holding the document, if any. */
  folder?: string;
  /** Model command names from settings and `.fang.json` (a workspace may have set them). */
  workspaceModelCommands: string[];
}

/** What the configuration needs of the connection; the server passes its own. */
export interface ConfigHost {
  /** `workspace/configuration` for the `fang` section, when the client supports it. */
  fetchSection?(scopeUri: string | undefined): Promise<unknown>;
  warn(message: string): void;
  log(message: string): void;
}

interface ProjectEntry {
  stamp: string;
  config: FangConfig;
  floor?: SeverityFloor;
  problems: ConfigProblem[];
}

export class ServerConfig {
  private pushed: unknown;
  private readonly sections = new Map<string, Promise<Settings>>();
  private readonly projects = new Map<string, ProjectEntry>();
  private ruleIds: readonly string[] | undefined;
  /** Problems already shown; each is said once until the settings change. */
  private readonly shown = new Set<string>();
  trusted: boolean;
  folders: string[];

  constructor(
    private readonly host: ConfigHost,
    opts: { trusted: boolean; folders: string[]; settings?: unknown },
  ) {
    this.trusted = opts.trusted;
    this.folders = opts.folders;
    this.pushed = opts.settings;
  }

  /** Settings changed (pushed or to be asked again). */
  settingsChanged(pushed?: unknown): void {
    if (pushed !== undefined) this.pushed = pushed;
    this.sections.clear();
    this.shown.clear();
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.projects.clear();
  }

  setRuleIds(ids: readonly string[]): void {
    this.ruleIds = ids;
  }

  /** The workspace folder holding a file path (the longest that does). */
  folderOf(file: string | undefined): string | undefined {
    if (!file) return undefined;
    return this.folders.filter((f) => file === f || file.startsWith(f.endsWith(path.sep) ? f : f + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  async forDocument(uri: string): Promise<EffectiveConfig> {
    const file = filePath(uri);
    const folder = this.folderOf(file);
    const settings = await this.settings(folder ? folderUri(folder) : uri);
    const project = file ? this.project(folder ?? path.dirname(file)) : undefined;
    const merged = project ? mergeConfigs(settings.config, project.config) : settings.config;
    const checked = this.ruleIds ? checkRuleIds(merged, this.ruleIds) : { config: merged, problems: [] };
    this.report([...settings.problems, ...(project?.problems ?? []), ...checked.problems]);
    const workspaceModelCommands = [...new Set([...(settings.config.modelCommands ?? []), ...(project?.config.modelCommands ?? [])])];
    return { config: checked.config, editor: settings.editor, ...(project?.floor ? { floor: project.floor } : {}), ...(folder ? { folder } : {}), workspaceModelCommands };
  }

  private settings(scopeUri: string): Promise<Settings> {
    const key = scopeUri;
    let s = this.sections.get(key);
    if (!s) {
      const fetch = this.host.fetchSection;
      s = (fetch ? fetch(scopeUri).catch((e: unknown) => {
        this.host.log(`workspace/configuration failed (${e instanceof Error ? e.message : String(e)}); using the pushed settings`);
        return this.pushedSection();
      }) : Promise.resolve(this.pushedSection())).then((section) => parseSettings(objectGetter(section ?? this.pushedSection())));
      this.sections.set(key, s);
    }
    return s;
  }

  private pushedSection(): unknown {
    const p = this.pushed as Record<string, unknown> | undefined;
    return p && typeof p === 'object' && SECTION in p ? p[SECTION] : p;
  }

  /** The `.fang.json` `fang scan` would read in `dir`, re-read when it changed on disk. */
  private project(dir: string): ProjectEntry | undefined {
    const file = findProjectFile(dir);
    if (!file) return undefined;
    let stamp: string;
    try {
      const st = fs.statSync(file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return undefined;
    }
    const cached = this.projects.get(file);
    if (cached?.stamp === stamp) return cached;
    const loaded = loadProjectConfig(dir);
    const problems: ConfigProblem[] = loaded.problems.map((m) => ({ key: PROJECT_FILE, message: m }));
    let entry: ProjectEntry;
    if (this.trusted) {
      entry = { stamp, config: loaded.config, problems };
    } else {
      const split = splitUntrusted(loaded.config, PROJECT_FILE);
      entry = { stamp, config: split.additive, floor: split.floor, problems: [...problems, ...split.ignored.map((p) => ({ ...p, message: `${p.message} (the editor has not declared this workspace trusted)` }))] };
    }
    this.host.log(`read ${file}${this.trusted ? '' : ' (untrusted workspace: only stricter settings count)'}`);
    this.projects.set(file, entry);
    return entry;
  }

  /** Each new set of problems once: a warning naming the first, every one in the log. */
  private report(problems: ConfigProblem[]): void {
    const fresh = problems.filter((p) => !this.shown.has(p.message));
    if (!fresh.length) return;
    for (const p of fresh) this.shown.add(p.message);
    problems = fresh;
    for (const p of problems) this.host.log(p.message);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more, see the log)` : '';
    this.host.warn(`Fang: ${problems[0]!.message}${more}`);
  }
}

export function filePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function folderUri(folder: string): string {
  return pathToFileURL(folder).toString();
}
