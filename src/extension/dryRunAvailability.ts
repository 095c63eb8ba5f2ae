/**
 * Whether a dry-run can start here: the workspace must be trusted and a sandbox backend must
 * exist. The backend is detected once (lazily, off the activation path) and re-checked on
 * request; the lens and the commands read the same state.
 */
import { markdownText } from '../core/display';
import * as vscode from 'vscode';
import { detectBackend, type BackendInfo, type Unavailable } from '../sandbox';

export type DryRunState =
  | { kind: 'ready'; backend: BackendInfo }
  | { kind: 'untrusted' }
  | { kind: 'no-backend'; message: string }
  | { kind: 'detecting' };

export type BackendDetector = () => Promise<BackendInfo | Unavailable>;

export const UNTRUSTED_REASON = 'Dry-run runs code in a sandbox and is off in untrusted workspaces: trust the workspace to use it.';

export class DryRunAvailability implements vscode.Disposable {
  private detected: BackendInfo | Unavailable | undefined;
  private pending: Promise<BackendInfo | Unavailable> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private detector: BackendDetector = detectBackend) {
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  /** The state now, without waiting; starts detection when it has not run yet. */
  current(): DryRunState {
    if (!vscode.workspace.isTrusted) return { kind: 'untrusted' };
    if (!this.detected) {
      void this.detect();
      return { kind: 'detecting' };
    }
    return this.detected.available ? { kind: 'ready', backend: this.detected } : { kind: 'no-backend', message: this.detected.message };
  }

  /** The state once detection has finished. */
  async settled(): Promise<DryRunState> {
    if (!vscode.workspace.isTrusted) return { kind: 'untrusted' };
    await this.detect();
    return this.current();
  }

  /** Why a dry-run cannot start now (undefined when it can, or when detection is still running). */
  reason(): string | undefined {
    const s = this.current();
    if (s.kind === 'untrusted') return UNTRUSTED_REASON;
    if (s.kind === 'no-backend') return `Dry-run unavailable: ${s.message}`;
    return undefined;
  }

  /** Replaces the backend detection (the no-backend state in tests); without one, the real detection again. */
  useDetector(detector: BackendDetector = detectBackend): Promise<DryRunState> {
    this.detector = detector;
    return this.redetect();
  }

  redetect(): Promise<DryRunState> {
    this.detected = undefined;
    this.pending = undefined;
    return this.settled();
  }

  private detect(): Promise<BackendInfo | Unavailable> {
    if (this.detected) return Promise.resolve(this.detected);
    const detector = this.detector;
    this.pending ??= detector().then(
      (r) => r,
      (e: unknown): Unavailable => ({ available: false, message: `detecting a sandbox failed: ${e instanceof Error ? e.message : String(e)}` }),
    ).then((r) => {
      if (this.detector === detector) {
        this.detected = r;
        this.changed.fire();
      }
      return r;
    });
    return this.pending;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Install instructions for the user's platform, as Markdown. */
export function installInstructions(message: string, platform: NodeJS.Platform = process.platform): string {
  const lines = ['# Fang dry-run: no sandbox available', '', `Fang said: ${markdownText(message, { max: 2000 })}`, ''];
  if (platform === 'linux') {
    lines.push(
      'Fang dry-runs snippets inside **bubblewrap** (`bwrap`), with `strace` for the process tree.',
      '',
      '| distribution | command |',
      '|---|---|',
      '| Debian, Ubuntu | `sudo apt-get install bubblewrap strace` |',
      '| Fedora, RHEL | `sudo dnf install bubblewrap strace` |',
      '| Arch | `sudo pacman -S bubblewrap strace` |',
      '| openSUSE | `sudo zypper install bubblewrap strace` |',
      '| Alpine | `sudo apk add bubblewrap strace` |',
      '',
      'bubblewrap needs unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`;',
      'on Ubuntu 24.04 and later an AppArmor profile that allows `bwrap`).',
    );
  } else if (platform === 'darwin') {
    lines.push('bubblewrap exists only on Linux. On macOS, run VS Code against a Linux machine or container (Remote - SSH, Dev Containers) where `bubblewrap` is installed; Fang then dry-runs there.');
  } else if (platform === 'win32') {
    lines.push('bubblewrap exists only on Linux. On Windows, open the folder in WSL (`code .` inside WSL) and install `bubblewrap` and `strace` there (`sudo apt-get install bubblewrap strace`).');
  } else {
    lines.push(`bubblewrap exists only on Linux; this is ${platform}. Use a Linux machine or container.`);
  }
  lines.push('', 'After installing, run **Fang: Dry-run in Sandbox** again; Fang looks for the sandbox anew.');
  return lines.join('\n');
}
