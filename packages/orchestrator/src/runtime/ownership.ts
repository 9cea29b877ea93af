// Ownership of app data inside the rootless user namespace. A directory the
// service user creates is owned by root *inside* the containers; a manifest
// whose process runs as another uid (`data_uid`) needs its data owned by that
// uid as the container sees it, which only `podman unshare` can do without
// root. Once given away, such data can also only be copied and removed from
// inside the namespace, where the service user is root. Files inside app data
// are never written from here: a shell in the namespace follows whatever
// symlinks the app planted; runtime/files.ts writes through the engine's copier.
//
// The commands run through @archipelago/podman's namespace helper.
import { statSync } from 'node:fs';
import { runInUserNamespace } from '@archipelago/podman';
import { OrchestratorError } from '../errors.ts';

export class OwnershipError extends OrchestratorError {
  constructor(path: string, detail: string) {
    super('volume.ownership', `Cannot manage ${path} as the app's user inside the container: ${detail}`);
  }
}

/** Runs a command inside the user namespace; a non-zero exit is an OwnershipError naming `path`. */
export async function inNamespace(
  command: string[],
  path: string,
  podmanPath: string,
  input?: string | Buffer,
): Promise<string> {
  const result = await runInUserNamespace(command, {
    podmanPath,
    timeoutMs: 3_600_000,
    ...(input === undefined ? {} : { input }),
  });
  if (result.exitCode !== 0)
    throw new OwnershipError(path, result.stderr.trim() || `exit code ${result.exitCode}`);
  return result.stdout;
}

/**
 * Makes `path` owned by `uid:gid` inside the user namespace. Idempotent and
 * cheap when already done: only a path still owned by the service user itself
 * (root inside) needs the chown when uid:gid is not 0:0.
 */
export async function ensureOwnedInside(
  path: string,
  uid: number,
  gid: number,
  podmanPath = 'podman',
): Promise<boolean> {
  if (uid === 0 && gid === 0) return false;
  const stat = statSync(path);
  if (stat.uid !== (process.getuid?.() ?? 0)) return false;
  await inNamespace(['chown', `${uid}:${gid}`, path], path, podmanPath);
  return true;
}
