/**
 * The `fang.*` settings read from any source: VS Code's configuration or an LSP client's answer
 * to `workspace/configuration`. The analysis part goes through the core's zod schema (the same
 * one `.fang.json` and the CLI use); the editor-only part has its own small schema. A wrong value
 * is reported with its key and dropped; the rest keep working. No editor API here.
 */
import { z } from 'zod';
import { configSchema, parseConfig, type ConfigProblem, type FangConfig } from '../core/config';
import { enableSettings } from '../core/languages';

export const SECTION = 'fang';

/** The setting group (`fang.enable.<group>`) a document language belongs to. */
export type LanguageGroup = string;

/** `fang.enable.<group>`: one switch per setting group of the language registry. */
const ENABLE_GROUPS = enableSettings();

const editorSchema = {
  enable: z
    .object(Object.fromEntries(ENABLE_GROUPS.map((g) => [g, z.boolean()])) as Record<LanguageGroup, z.ZodBoolean>)
    .partial()
    .strict(),
  'pasteGuard.enabled': z.boolean(),
  'pasteGuard.minLines': z.number().int().min(1),
  'pasteGuard.minChars': z.number().int().min(1),
  debounceMs: z.number().int().min(0).max(5000),
} as const;

export interface EditorSettings {
  enable: Record<LanguageGroup, boolean>;
  pasteGuard: { enabled: boolean; minLines: number; minChars: number };
  debounceMs: number;
}

export const EDITOR_DEFAULTS: EditorSettings = {
  enable: Object.fromEntries(ENABLE_GROUPS.map((g) => [g, true])),
  pasteGuard: { enabled: true, minLines: 3, minChars: 120 },
  debounceMs: 150,
};

/** Setting names (without `fang.`) that belong to the editor, not to the shared config. */
export const EDITOR_KEYS = Object.keys(editorSchema);
/** Setting names (without `fang.`) that map one to one onto the shared config's keys. */
export const CONFIG_KEYS = Object.keys(configSchema.shape);

export interface Settings {
  config: FangConfig;
  editor: EditorSettings;
  /** Keys are full setting names, e.g. `fang.rules.agent-loop`. */
  problems: ConfigProblem[];
}

/** Reads one setting (without `fang.`), e.g. `pasteGuard.minLines`; undefined or null when unset. */
export type SettingGetter = (key: string) => unknown;

/** A getter over the `fang` section as a JSON object: nested (`{pasteGuard: {minLines}}`) or with dotted keys. */
export function objectGetter(section: unknown): SettingGetter {
  const obj = section && typeof section === 'object' && !Array.isArray(section) ? (section as Record<string, unknown>) : {};
  return (key) => {
    if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
    let v: unknown = obj;
    for (const part of key.split('.')) {
      if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
      v = (v as Record<string, unknown>)[part];
    }
    return v;
  };
}

function editorValue<K extends keyof typeof editorSchema>(get: SettingGetter, key: K, problems: ConfigProblem[]): z.infer<(typeof editorSchema)[K]> | undefined {
  const raw = get(key);
  if (raw === undefined || raw === null) return undefined;
  const r = editorSchema[key].safeParse(raw);
  if (r.success) return r.data as z.infer<(typeof editorSchema)[K]>;
  const issue = r.error.issues[0];
  const sub = issue && issue.path.length ? `.${issue.path.join('.')}` : '';
  problems.push({ key: `${SECTION}.${key}${sub}`, message: `${SECTION}.${key}${sub}: ${issue?.message ?? 'invalid value'}; using the default` });
  return undefined;
}

export function parseSettings(get: SettingGetter): Settings {
  const problems: ConfigProblem[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = get(key);
    if (v !== undefined && v !== null) raw[key] = v;
  }
  const parsed = parseConfig(raw, 'settings');
  for (const p of parsed.problems) problems.push({ key: `${SECTION}.${p.key}`, message: `${SECTION}.${p.message}` });

  const enable = editorValue(get, 'enable', problems);
  const editor: EditorSettings = {
    enable: { ...EDITOR_DEFAULTS.enable, ...(Object.fromEntries(Object.entries(enable ?? {}).filter(([, v]) => v !== undefined)) as Record<LanguageGroup, boolean>) },
    pasteGuard: {
      enabled: editorValue(get, 'pasteGuard.enabled', problems) ?? EDITOR_DEFAULTS.pasteGuard.enabled,
      minLines: editorValue(get, 'pasteGuard.minLines', problems) ?? EDITOR_DEFAULTS.pasteGuard.minLines,
      minChars: editorValue(get, 'pasteGuard.minChars', problems) ?? EDITOR_DEFAULTS.pasteGuard.minChars,
    },
    debounceMs: editorValue(get, 'debounceMs', problems) ?? EDITOR_DEFAULTS.debounceMs,
  };
  return { config: parsed.config, editor, problems };
}
