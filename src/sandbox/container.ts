/**
 * Backend 2, not built yet: a container engine (docker or podman). It is detected only so the
 * refusal message can say what was found; it never runs a snippet. What it needs: `--network
 * none --read-only --pids-limit --memory --cap-drop ALL --security-opt no-new-privileges`,
 * tmpfs for /tmp, the home and the workspace, /run/fang bound read-only, the trace channels
 * passed with `--preserve-fds 6`, and `podman kill --signal USR1` to ask init to stop. Tried
 * on the development machine: rootful podman 4.3 with `--rootfs /` failed in crun
 * (setrlimit RLIMIT_NOFILE: EPERM, the VM withholds CAP_SYS_RESOURCE), and no docker daemon
 * was running, so nothing here could be tested.
 */
import type { Backend, BackendInfo, BackendName, SandboxLayout, SpawnCommand, Unavailable } from './backend';
import { which } from './backend';

export class ContainerBackend implements Backend {
  constructor(readonly name: Extract<BackendName, 'docker' | 'podman'>) {}

  detect(): Promise<BackendInfo | Unavailable> {
    const program = which(this.name);
    return Promise.resolve({
      available: false,
      message: program ? `${this.name} is installed, but this version of Fang dry-runs only with bubblewrap (the container backend is not built yet).` : '',
    });
  }

  command(_info: BackendInfo, _layout: SandboxLayout): SpawnCommand {
    throw new Error(`the ${this.name} backend cannot run snippets in this version`);
  }
}
