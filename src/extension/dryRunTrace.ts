/**
 * The "Fang Dry-run" output channel: the live trace of each run, one event a line, in the
 * `fang-trace` language (syntaxes/fang-trace.tmLanguage.json colours each kind). Every field
 * the snippet controls goes through the display convention (src/core/display.ts): one line,
 * controls, bidi and invisible characters named, clipped with the rest said.
 */
import * as vscode from 'vscode';
import { argvText, visible } from '../core/display';
import type { DryRunReport, TraceEvent } from '../sandbox';

export const TRACE_LANGUAGE = 'fang-trace';
const MAX_FIELD = 160;
/** Lines of one run's live trace; the report keeps everything, the channel stays usable. */
export const MAX_TRACE_LINES = 5000;

function clip(s: string): string {
  return visible(s, { max: MAX_FIELD });
}

/** A quoted one-line form of untrusted text (prompts, answers). */
function quoted(s: string): string {
  return `"${clip(s.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

function quoteArgv(argv: readonly string[]): string {
  return visible(argvText(argv), { max: MAX_FIELD * 2 });
}

/** One trace line for an event (without the time stamp), or undefined for events not shown. */
export function traceLine(e: TraceEvent): string | undefined {
  switch (e.type) {
    case 'sandbox':
      return `sandbox  up (init pid ${e.initPid}${e.pidNamespace ? `, ${e.pidNamespace}` : ''})`;
    case 'exec':
      return `exec     pid ${e.pid}${e.parent !== null ? ` <- ${e.parent}` : ''}: ${quoteArgv(e.argv)}`;
    case 'exit':
      return `exit     pid ${e.pid}: ${e.signal ? `killed by ${e.signal}` : `status ${String(e.exitCode)}`}`;
    case 'limit':
      return `LIMIT    ${e.limit} limit hit`;
    case 'output':
      return e.text
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => `${e.stream === 'stdout' ? 'stdout' : 'stderr'}   | ${clip(l)}`)
        .join('\n');
    case 'stub': {
      const s = e.event;
      if (s.t === 'model-command') return `model    #${s.id} ${clip(s.command)}: prompt ${quoted(s.prompt)} => answer ${quoted(s.answer)}`;
      if (s.t === 'model-http') return `model    #${s.id} ${clip(s.method)} ${clip(s.host)}:${s.port}${clip(s.path)}: prompt ${quoted(s.prompt)} => answer ${quoted(s.answer)}`;
      if (s.t === 'http') return `network  BLOCKED ${clip(s.method)} http://${clip(s.host)}:${s.port}${clip(s.path)}`;
      if (s.t === 'tls') return `network  BLOCKED tls ${clip(s.host)}:${s.port}`;
      if (s.t === 'dns') return `network  BLOCKED dns ${clip(s.host)}`;
      return `note     ${clip(s.message)}`;
    }
    default:
      return undefined;
  }
}

/** The lines that close a run: what only the report knows (file changes, network, limits). */
export function summaryLines(r: DryRunReport): string[] {
  const out: string[] = [];
  for (const x of r.executedModelOutput) out.push(`became-code  answer of model #${x.callId} run by ${clip(x.sink)}${x.line ? ` at line ${x.line}` : ''}: ${quoted(x.answer)}`);
  for (const f of r.fileChanges) out.push(`file     ${f.kind} ${f.area}:${clip(f.path)}`);
  for (const n of r.network) out.push(`network  ${n.blocked ? 'BLOCKED' : 'allowed'} ${n.protocol} ${clip(n.host)}${n.port !== null ? `:${n.port}` : ''}`);
  for (const l of r.limitsHit) out.push(`LIMIT    ${l} limit hit`);
  for (const rec of r.recursion) out.push(`RECURSION ${rec.kind}: ${clip(rec.detail)}`);
  for (const a of r.adversarial ?? []) out.push(`adversarial ${a.name}: ${a.executed && !a.contained ? 'NOT CONTAINED' : a.executed ? 'ran, contained' : 'not run'}: ${clip(a.verdict)}`);
  out.push(`verdict  ${visible(r.verdict, { max: 2000 })}`);
  return out;
}

export class TraceChannel implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;
  private started = 0;
  private lines = 0;

  private get out(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel('Fang Dry-run', TRACE_LANGUAGE);
    return this.channel;
  }

  begin(title: string): void {
    this.started = Date.now();
    this.lines = 0;
    this.out.appendLine(`=== dry-run ${visible(title, { max: 300 })} at ${new Date().toISOString()} ===`);
    this.out.show(true);
  }

  event(e: TraceEvent): void {
    const text = traceLine(e);
    if (text === undefined || this.lines > MAX_TRACE_LINES) return;
    const t = `[${((Date.now() - this.started) / 1000).toFixed(3).padStart(7)}s] `;
    const lines = text.split('\n');
    this.lines += lines.length;
    if (this.lines > MAX_TRACE_LINES) {
      this.out.appendLine(`note     the live trace stops after ${MAX_TRACE_LINES} lines; the report has everything`);
      return;
    }
    this.out.appendLine(lines.map((l) => t + l).join('\n'));
  }

  end(r: DryRunReport): void {
    for (const l of summaryLines(r)) this.out.appendLine(l);
    this.out.appendLine('');
  }

  show(): void {
    this.out.show(true);
  }

  fail(message: string): void {
    this.out.appendLine(`FAILED   ${visible(message, { max: 2000 })}`);
    this.out.appendLine('');
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
