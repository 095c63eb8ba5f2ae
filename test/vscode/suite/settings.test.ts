import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { configSchema, DEFAULT_MAX_FILE_BYTES, DEFAULT_ANALYSIS_BUDGET_MS } from '../../../src/core/config';
import { CATEGORIES, SEVERITIES } from '../../../src/core/types';
import type { Analysis } from '../../../src/extension/diagnostics';
import { CONFIG_KEYS, EDITOR_DEFAULTS, EDITOR_KEYS } from '../../../src/extension/settings';
import { closeAll, openScratch, codeOf, EXTENSION_ID, fang, fangDiagnostics, nextEvent, openFile, setSetting, workspaceUri } from './helpers';

interface JsonProp {
  type?: string;
  default?: unknown;
  enum?: string[];
  properties?: Record<string, JsonProp>;
  additionalProperties?: JsonProp | boolean;
  items?: JsonProp;
}

function contributed(): Record<string, JsonProp> {
  const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { configuration: { properties: Record<string, JsonProp> } } };
  return pkg.contributes.configuration.properties;
}

const LEVELS = [...SEVERITIES, 'off'];

describe('settings', () => {
  afterEach(async () => {
    for (const k of ['rules', 'categories', 'enable', 'modelCommands', 'ignore', 'maxFileBytes']) await setSetting(k, undefined);
    await closeAll();
  });

  it('contributes exactly the core schema\'s keys plus the editor\'s own, with matching types', () => {
    const props = contributed();
    const names = Object.keys(props).map((k) => k.replace(/^fang\./, '')).sort();
    assert.deepEqual(names, [...Object.keys(configSchema.shape), ...EDITOR_KEYS].sort());
    assert.deepEqual(CONFIG_KEYS.sort(), Object.keys(configSchema.shape).sort());
    assert.deepEqual(props['fang.rules']!.additionalProperties, { type: 'string', enum: LEVELS, enumDescriptions: (props['fang.rules']!.additionalProperties as { enumDescriptions: string[] }).enumDescriptions });
    assert.deepEqual(Object.keys(props['fang.categories']!.properties!).sort(), [...CATEGORIES].sort());
    for (const c of CATEGORIES) assert.deepEqual(props['fang.categories']!.properties![c]!.enum, LEVELS);
    for (const k of ['modelCommands', 'sdkNames', 'ignore']) assert.equal(props[`fang.${k}`]!.type, 'array');
    assert.equal(props['fang.maxFileBytes']!.default, DEFAULT_MAX_FILE_BYTES);
    assert.equal(props['fang.analysisBudgetMs']!.default, DEFAULT_ANALYSIS_BUDGET_MS);
    assert.deepEqual(props['fang.enable']!.default, EDITOR_DEFAULTS.enable);
    assert.equal(props['fang.pasteGuard.minLines']!.default, EDITOR_DEFAULTS.pasteGuard.minLines);
    assert.equal(props['fang.pasteGuard.minChars']!.default, EDITOR_DEFAULTS.pasteGuard.minChars);
    assert.equal(props['fang.debounceMs']!.default, EDITOR_DEFAULTS.debounceMs);
    // every contributed default must pass the core's schema
    for (const k of Object.keys(configSchema.shape)) {
      const r = configSchema.shape[k as keyof typeof configSchema.shape].safeParse(props[`fang.${k}`]!.default);
      assert.ok(r.success, `default of fang.${k} is rejected by the core's schema`);
    }
  });

  it('applies rule and category severities and per-language enablement', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    assert.ok(fangDiagnostics(doc.uri).some((d) => codeOf(d) === 'bash-model-cli-call'));

    const of = (a: Analysis) => a.uri.toString() === doc.uri.toString();
    let next = nextEvent(api.diagnostics.onDidAnalyze, (a) => of(a) && !a.findings.some((f) => f.ruleId === 'bash-model-cli-call'), 'reanalysis without bash-model-cli-call');
    await setSetting('rules', { 'bash-model-cli-call': 'off' });
    await next;
    assert.deepEqual(fangDiagnostics(doc.uri).map(codeOf), ['bash-model-output-exec']);

    next = nextEvent(api.diagnostics.onDidAnalyze, (a) => of(a) && a.findings.some((f) => f.severity === 'note'), 'reanalysis with notes');
    await setSetting('categories', { 'model-output-execution': 'note' });
    await next;
    assert.equal(fangDiagnostics(doc.uri)[0]!.severity, vscode.DiagnosticSeverity.Information);

    next = nextEvent(api.diagnostics.onDidAnalyze, (a) => of(a) && a.inactive !== undefined, 'reanalysis with bash off');
    await setSetting('enable', { bash: false });
    const off = await next;
    assert.equal(off.inactive, 'fang.enable.bash is off');
    assert.deepEqual(fangDiagnostics(doc.uri), []);
  });

  it('names the key and what it expects for a wrong setting, and keeps the rest working', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const reported = nextEvent(api.configs.onDidReportProblems, (m) => m.some((x) => x.includes('fang.rules.bash-model-cli-call')), 'a settings problem');
    const next = nextEvent(
      api.diagnostics.onDidAnalyze,
      (a) => a.uri.toString() === doc.uri.toString() && a.findings.some((f) => f.ruleId === 'bash-model-output-exec' && f.severity === 'note'),
      'reanalysis with the valid entry applied',
    );
    await setSetting('rules', { 'bash-model-cli-call': 'loud', 'bash-model-output-exec': 'note', 'bash-model-cli-cal': 'off' });
    const messages = await reported;
    assert.match(messages.join('\n'), /fang\.rules\.bash-model-cli-call: expected one of "error", "warning", "note", "off"/);
    assert.match(messages.join('\n'), /fang\.rules\.bash-model-cli-cal: no rule has the id "bash-model-cli-cal"; did you mean "bash-model-cli-call"\?/);
    await next;
    const diags = fangDiagnostics(doc.uri);
    assert.equal(diags.find((d) => codeOf(d) === 'bash-model-output-exec')?.severity, vscode.DiagnosticSeverity.Information, 'the valid entry must still apply');
    assert.equal(diags.find((d) => codeOf(d) === 'bash-model-cli-call')?.severity, vscode.DiagnosticSeverity.Warning, 'the invalid entry falls back to the rule default');
  });

  it('extra model commands from the settings are treated as model calls', async () => {
    const api = await fang();
    const { doc, analysis: before } = await openScratch(api, 'eval "$(frobnicate "list files")"\n', 'shellscript');
    assert.equal(before.findings.length, 0, 'an unknown command is not a model call');
    const next = nextEvent(api.diagnostics.onDidAnalyze, (a) => a.uri.toString() === doc.uri.toString() && a.findings.length > 0, 'reanalysis with the new model command');
    await setSetting('modelCommands', ['frobnicate']);
    const after = await next;
    assert.ok(after.findings.some((f) => f.ruleId === 'bash-model-output-exec'), after.findings.map((f) => f.ruleId).join(', '));
  });

  it('skips files matching fang.ignore', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    assert.ok(fangDiagnostics(doc.uri).length > 0);
    const next = nextEvent(api.diagnostics.onDidAnalyze, (a) => a.uri.toString() === doc.uri.toString() && a.inactive !== undefined, 'reanalysis as ignored');
    await setSetting('ignore', ['eval-*.sh']);
    const a = await next;
    assert.equal(a.inactive, 'the path matches an ignore pattern');
    assert.deepEqual(fangDiagnostics(doc.uri), []);
  });

  it('skips a document over fang.maxFileBytes and says so in the status bar', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const next = nextEvent(api.diagnostics.onDidAnalyze, (a) => a.uri.toString() === doc.uri.toString() && a.skipped !== undefined, 'reanalysis with a size cap');
    await setSetting('maxFileBytes', 20);
    const a = await next;
    assert.equal(a.skipped?.reason, 'too-large');
    assert.deepEqual(fangDiagnostics(doc.uri), []);
    assert.equal(api.statusBar.item.text, '$(shield) Fang: skipped');
    assert.match(String(api.statusBar.item.tooltip), /maxFileBytes/);
  });

  it('validates .fang.json in the editor through the contributed JSON schema', async () => {
    await fang();
    const file = workspaceUri('.fang.json');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('{\n  "rules": { "bash-model-cli-call": "loud" },\n  "colour": 1\n}\n'));
    try {
      const validated = nextEvent(
        vscode.languages.onDidChangeDiagnostics,
        () => vscode.languages.getDiagnostics(file).length >= 2,
        'JSON schema diagnostics on .fang.json',
        30_000,
      );
      await vscode.window.showTextDocument(file);
      await validated;
      const lines = vscode.languages.getDiagnostics(file).map((d) => d.range.start.line).sort();
      assert.deepEqual(lines, [1, 2], vscode.languages.getDiagnostics(file).map((d) => `${d.range.start.line}: ${d.message}`).join('\n'));
    } finally {
      await closeAll();
      await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    }
  });

  it('reads .fang.json from the workspace folder and reports its mistakes by key', async () => {
    const api = await fang();
    const { doc } = await openFile(api, 'eval-once.sh');
    const file = workspaceUri('.fang.json');
    try {
      let next = nextEvent(api.diagnostics.onDidAnalyze, (a) => a.uri.toString() === doc.uri.toString() && !a.findings.some((f) => f.ruleId === 'bash-model-cli-call'), 'reanalysis with .fang.json');
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify({ rules: { 'bash-model-cli-call': 'off' } })));
      await next;
      assert.deepEqual(fangDiagnostics(doc.uri).map(codeOf), ['bash-model-output-exec']);

      const reported = nextEvent(api.configs.onDidReportProblems, (m) => m.some((x) => x.includes('.fang.json')), 'a .fang.json problem');
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify({ rules: { 'bash-model-cli-call': 'off' }, maxFileBytes: 'big' })));
      const messages = await reported;
      assert.match(messages.join('\n'), /\.fang\.json: maxFileBytes: expected number/);

      const broken = nextEvent(api.configs.onDidReportProblems, (m) => m.some((x) => /is not valid JSON/.test(x)), 'a JSON syntax problem');
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('{ "rules": { '));
      assert.match((await broken).join('\n'), /\.fang\.json is not valid JSON \(.+\); it is ignored/);

      next = nextEvent(api.diagnostics.onDidAnalyze, (a) => a.uri.toString() === doc.uri.toString() && a.findings.some((f) => f.ruleId === 'bash-model-cli-call'), 'reanalysis without .fang.json');
      await vscode.workspace.fs.delete(file);
      await next;
    } finally {
      await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    }
  });
});
