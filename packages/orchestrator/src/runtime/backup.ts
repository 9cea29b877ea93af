// Copies of an app's data taken before an update, and their restore on
// rollback. Only bind volumes that are not marked `recreatable` (a blockchain,
// a cache) are copied. Data owned by another uid inside the user namespace is
// copied from inside it, preserving owners and modes.
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '@archipelago/manifest';
import { OrchestratorError } from '../errors.ts';
import { inNamespace } from './ownership.ts';
import { backupDir, volumeDir } from './paths.ts';

export class BackupError extends OrchestratorError {
  constructor(appId: string, detail: string) {
    super('backup.failed', `App "${appId}": ${detail}`);
  }
}

/** Volumes an update backs up: bind volumes not marked recreatable. */
export function volumesToBackUp(manifest: Manifest): string[] {
  return Object.entries(manifest.volumes)
    .filter(([, v]) => v.kind === 'bind' && !v.recreatable)
    .map(([name]) => name);
}

function copyInside(from: string, to: string, podmanPath: string): Promise<string> {
  return inNamespace(['cp', '-a', from, to], from, podmanPath);
}

function removeInside(path: string, podmanPath: string): Promise<string> {
  return inNamespace(['rm', '-rf', path], path, podmanPath);
}

function ownedBySomeoneElse(path: string): boolean {
  return statSync(path).uid !== (process.getuid?.() ?? 0);
}

/** Copies one directory tree; from inside the user namespace when the service user does not own it. */
async function copyTree(from: string, to: string, podmanPath: string): Promise<void> {
  if (ownedBySomeoneElse(from)) await copyInside(from, to, podmanPath);
  else cpSync(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}

async function removeTree(path: string, podmanPath: string): Promise<void> {
  if (!existsSync(path)) return;
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    await removeInside(path, podmanPath);
  }
  if (existsSync(path)) await removeInside(path, podmanPath);
}

/**
 * Backs up the app's non-recreatable volumes into `<root>/backups/<app>/<label>`.
 * Returns the backup's directory; an existing complete backup with the same
 * label (a resumed job) is kept as it is.
 */
export async function backUpVolumes(
  dataRoot: string,
  appId: string,
  manifest: Manifest,
  label: string,
  podmanPath = 'podman',
): Promise<{ dir: string; volumes: string[] }> {
  const dir = backupDir(dataRoot, appId, label);
  const done = join(dir, '.complete');
  const volumes = volumesToBackUp(manifest).filter((v) => existsSync(volumeDir(dataRoot, appId, v)));
  if (existsSync(done)) return { dir, volumes };
  try {
    await removeTree(dir, podmanPath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const v of volumes) await copyTree(volumeDir(dataRoot, appId, v), join(dir, v), podmanPath);
    mkdirSync(done);
  } catch (error) {
    throw new BackupError(
      appId,
      `backing up its data before the update failed (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
    );
  }
  return { dir, volumes };
}

/** Puts the backed-up volumes back in place of the current ones. */
export async function restoreVolumes(
  dataRoot: string,
  appId: string,
  backup: { dir: string; volumes: readonly string[] },
  podmanPath = 'podman',
): Promise<void> {
  if (!existsSync(join(backup.dir, '.complete'))) {
    throw new BackupError(
      appId,
      `the backup at ${backup.dir} is incomplete; the current data was left in place.`,
    );
  }
  for (const v of backup.volumes) {
    const target = volumeDir(dataRoot, appId, v);
    await removeTree(target, podmanPath);
    await copyTree(join(backup.dir, v), target, podmanPath);
  }
}

/** Deletes a backup once it is no longer needed. */
export async function dropBackup(dir: string, podmanPath = 'podman'): Promise<void> {
  await removeTree(dir, podmanPath);
}
