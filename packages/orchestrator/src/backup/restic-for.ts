// The restic seam as the orchestrator uses it: scratch and cache folders
// under the data root, and restic run inside the service user's namespace,
// where it may read (and restore, with their owners) files that belong to an
// app's uid.
import { join } from 'node:path';
import { Restic, type RunnerOptions } from '@archipelago/backup';
import { userNamespaceCommand } from '@archipelago/podman';
import type { StoredTarget } from './targets-store.ts';

export function runnerOptions(dataRoot: string, podmanPath: string): RunnerOptions {
  return {
    scratchDir: join(dataRoot, 'backup', 'scratch'),
    cacheDir: join(dataRoot, 'backup', 'cache'),
    launcher: (file, args) => userNamespaceCommand(file, args, { podmanPath }),
  };
}

export function resticFor(
  dataRoot: string,
  podmanPath: string,
  stored: StoredTarget,
  password?: string,
): Restic {
  return new Restic(stored.target, password ?? stored.passphrase, runnerOptions(dataRoot, podmanPath));
}
