/**
 * Backend 2 (placeholder until it can carry the trace): a container engine. Detected so the
 * refusal message can name it; it never runs a snippet in this version.
 */
import type { Backend, BackendInfo, BackendName, SandboxLayout, SpawnCommand, Unavailable } from './backend';
import { which } from './backend';

export class ContainerBackend implements Backend {
  constructor(readonly name: Extract<BackendName, 'docker' | 'podman'>) {}

  detect(): Promise<BackendInfo | Unavailable> {
    const program = which(this.name);
    return Promise.resolve({
      available: false,
      message: program ? `${this.name} is installed, but this version of Fang dry-runs only with bubblewrap.` : '',
    });
  }

  command(_info: BackendInfo, _layout: SandboxLayout): SpawnCommand {
    throw new Error(`the ${this.name} backend cannot run snippets in this version`);
  }
}
