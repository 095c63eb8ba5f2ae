/**
 * The report webview: one panel per document, reused for every run of that document. The
 * page loads only media/report.* with a nonce-based Content-Security-Policy; messages both
 * ways are validated (dryRunProtocol.ts).
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { inert } from './notify';
import { parseFromWebview, toWebviewSchema, type FromWebview, type Rendered, type ToWebview } from './dryRunProtocol';
import type { Log } from './log';

export interface PanelActions {
  reveal(uri: vscode.Uri, snippetLine: number): unknown;
  rerunAdversarial(uri: vscode.Uri): unknown;
  editResponses(uri: vscode.Uri): unknown;
  copyMarkdown(uri: vscode.Uri): unknown;
}

export interface RenderedEvent {
  uri: vscode.Uri;
  rendered: Rendered;
}

interface Entry {
  panel: vscode.WebviewPanel;
  last?: ToWebview;
  ready: boolean;
}

export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Entry>();
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedEvent>();
  /** Fires when a webview has drawn a report (what it shows, as text and graph). */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly messageEmitter = new vscode.EventEmitter<{ uri: vscode.Uri; msg: FromWebview }>();
  /** Every validated message from a webview. */
  readonly onDidReceive = this.messageEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
    private readonly log: Log,
  ) {}

  /** Shows (creating or revealing) the panel of a document and sends it a state. */
  show(uri: vscode.Uri, msg: ToWebview): vscode.WebviewPanel {
    const checked = toWebviewSchema.parse(msg);
    const entry = this.panels.get(uri.toString()) ?? this.create(uri, checked.title);
    entry.last = checked;
    entry.panel.title = inert(`Dry-run: ${checked.title}`);
    // keep the panel where the user put it
    if (!entry.panel.visible) entry.panel.reveal(undefined, true);
    if (entry.ready) void entry.panel.webview.postMessage(checked);
    return entry.panel;
  }

  panelFor(uri: vscode.Uri): vscode.WebviewPanel | undefined {
    return this.panels.get(uri.toString())?.panel;
  }

  lastState(uri: vscode.Uri): ToWebview | undefined {
    return this.panels.get(uri.toString())?.last;
  }

  private create(uri: vscode.Uri, title: string): Entry {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const scripts = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('fang.dryRunReport', inert(`Dry-run: ${title}`), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media, scripts],
      retainContextWhenHidden: false,
    });
    const entry: Entry = { panel, ready: false };
    const key = uri.toString();
    this.panels.set(key, entry);
    panel.webview.html = reportHtml(panel.webview, media, scripts);
    const subs = [
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(uri, entry, data)),
      panel.onDidDispose(() => {
        if (this.panels.get(key) === entry) this.panels.delete(key);
        for (const s of subs) s.dispose();
      }),
    ];
    return entry;
  }

  private receive(uri: vscode.Uri, entry: Entry, data: unknown): void {
    const r = parseFromWebview(data);
    if (!r.ok) {
      this.log.warn(`dry-run report: ignored a malformed message from the webview (${r.error})`);
      return;
    }
    const msg = r.msg;
    this.messageEmitter.fire({ uri, msg });
    switch (msg.type) {
      case 'ready':
        entry.ready = true;
        if (entry.last) void entry.panel.webview.postMessage(entry.last);
        break;
      case 'rendered':
        this.renderedEmitter.fire({ uri, rendered: msg });
        break;
      case 'reveal':
        void this.actions.reveal(uri, msg.line);
        break;
      case 'rerunAdversarial':
        void this.actions.rerunAdversarial(uri);
        break;
      case 'editResponses':
        void this.actions.editResponses(uri);
        break;
      case 'copyMarkdown':
        void this.actions.copyMarkdown(uri);
        break;
    }
  }

  dispose(): void {
    for (const e of [...this.panels.values()]) e.panel.dispose();
    this.panels.clear();
    this.renderedEmitter.dispose();
    this.messageEmitter.dispose();
  }
}

/** The page: media/report.* and the display convention built from src/core/display.ts (dist/webview). */
export function reportHtml(webview: vscode.Webview, media: vscode.Uri, scripts: vscode.Uri): string {
  const nonce = crypto.randomBytes(18).toString('base64');
  const src = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(media, f)).toString();
  const built = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(scripts, f)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${src('report.css')}">
<title>Fang dry-run report</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Waiting for the dry-run…</p></main>
<script nonce="${nonce}" src="${built('display.js')}"></script>
<script nonce="${nonce}" src="${src('report-graph.js')}"></script>
<script nonce="${nonce}" src="${src('report.js')}"></script>
</body>
</html>`;
}
