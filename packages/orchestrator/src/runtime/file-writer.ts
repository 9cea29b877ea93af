// The container every platform write into an app's volumes goes through. The
// daemon never opens a path inside app data itself: a running app can swap
// any file or directory of its volumes for a symlink at any moment, so a
// check-then-write on host paths (or a `podman unshare` shell) can always be
// raced into writing wherever the service user can. Instead each write is
// handed to the engine's copier against this container, which mounts the
// app's bind volumes and is never started: the copier resolves the target
// chrooted into the volume's directory, so every symlink resolves inside it.
//
// One per app, named with an underscore (no app's member can take the name),
// kept between writes and made again when the app's volumes change. It
// carries no app or member label, so the reconciler, stats and the gate never
// mistake it for a member; removeFileWriter takes it away with the app's
// containers.
import { createHash } from 'node:crypto';
import { ConflictError } from '@archipelago/podman';
import type { Engine } from './engine.ts';
import { volumeDir } from './paths.ts';

/** Label on the writer container: the app it writes for. */
export const FILE_WRITER_LABEL = 'io.archipelago.file-writer';
const SPEC_LABEL = 'io.archipelago.file-writer-spec';

export function fileWriterName(appId: string): string {
  return `archy_files_${appId}`;
}

/** Where a bind volume appears inside the writer container. */
export function writerPath(volume: string, path = ''): string {
  return path === '' ? `/volumes/${volume}` : `/volumes/${volume}/${path}`;
}

export interface WriterVolumes {
  readonly [name: string]: { kind: 'bind' | 'named' };
}

/** Makes sure the app's writer container exists with a mount for every bind volume; returns its name. */
export async function ensureFileWriter(
  engine: Engine,
  dataRoot: string,
  appId: string,
  volumes: WriterVolumes,
): Promise<string> {
  const name = fileWriterName(appId);
  const mounts = Object.entries(volumes)
    .filter(([, v]) => v.kind === 'bind')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([volume]) => ({
      type: 'bind' as const,
      source: volumeDir(dataRoot, appId, volume),
      destination: writerPath(volume),
      options: ['rbind', 'rw'],
    }));
  const hash = createHash('sha256').update(JSON.stringify(mounts)).digest('hex').slice(0, 16);
  const existing = await engine.containers.find(name);
  if (existing !== undefined && existing.labels[SPEC_LABEL] === hash) return name;
  if (existing !== undefined) await engine.containers.remove(name, { force: true });
  const { reference } = await engine.ensureBaseImage('busybox');
  try {
    await engine.containers.create({
      name,
      image: reference,
      // Never started: the copier works on a container that is only created.
      command: ['true'],
      labels: { [FILE_WRITER_LABEL]: appId, [SPEC_LABEL]: hash },
      mounts,
      netns: { nsmode: 'none' },
      cap_drop: ['ALL'],
      no_new_privileges: true,
    });
  } catch (err) {
    // Made concurrently by another writer (a hook step while the reconciler writes): the same spec.
    if (!(err instanceof ConflictError)) throw err;
  }
  return name;
}

/** Removes the app's writer container; false when there was none. */
export async function removeFileWriter(engine: Engine, appId: string): Promise<boolean> {
  return engine.containers.remove(fileWriterName(appId), { force: true });
}
