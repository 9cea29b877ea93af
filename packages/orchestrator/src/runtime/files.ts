// Templated files (`files:` and `template` hook steps) written into an app's
// volumes. Idempotent: a file is written only when its rendered content
// differs, so a reconcile pass over a converged app touches nothing, and
// config derived from secrets (a Bitcoin rpcauth line) can never drift.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type FileTemplate, renderTemplate, type TemplateContext } from '@archipelago/manifest';
import { OrchestratorError } from '../errors.ts';
import { readInside, writeInside } from './ownership.ts';
import { volumeDir } from './paths.ts';

export class FileWriteError extends OrchestratorError {
  constructor(appId: string, file: string, detail: string) {
    super('files.write_failed', `App "${appId}": cannot write ${file}: ${detail}`);
  }
}

export interface FileTarget {
  appId: string;
  dataRoot: string;
  /** Volume declarations of the manifest (kind and owner). */
  volumes: Readonly<
    Record<string, { kind: 'bind' | 'named'; data_uid: number; data_gid?: number | undefined }>
  >;
  podmanPath?: string;
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes `content` to `<volume>/<path>` of the app unless it is already there; returns true when it changed. */
export async function writeVolumeFile(
  target: FileTarget,
  file: { volume: string; path: string; mode: string },
  content: string | Buffer,
): Promise<boolean> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const where = `${file.volume}/${file.path}`;
  const volume = target.volumes[file.volume];
  if (volume === undefined)
    throw new FileWriteError(target.appId, where, `volume "${file.volume}" is not declared.`);
  if (volume.kind !== 'bind') {
    throw new FileWriteError(
      target.appId,
      where,
      'files can only be written into bind volumes (kind "bind").',
    );
  }
  const root = volumeDir(target.dataRoot, target.appId, file.volume);
  const path = join(root, file.path);
  if (relative(root, path).startsWith('..'))
    throw new FileWriteError(target.appId, where, 'the path leaves its volume.');
  const uid = volume.data_uid;
  const gid = volume.data_gid ?? volume.data_uid;
  try {
    if (uid === 0 && gid === 0) {
      // Root inside the container is the service user outside: plain file operations.
      const mode = Number.parseInt(file.mode, 8);
      const same = readIfExists(path)?.equals(bytes) === true;
      if (same && (statSync(path).mode & 0o777) === mode) return false;
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.archy-tmp`;
      writeFileSync(tmp, bytes, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, path);
      return true;
    }
    if ((await readInside(path, target.podmanPath)) === bytes.toString('utf8')) return false;
    await writeInside(path, bytes, file.mode, uid, gid, target.podmanPath);
    return true;
  } catch (error) {
    if (error instanceof OrchestratorError) throw error;
    throw new FileWriteError(target.appId, where, error instanceof Error ? error.message : String(error));
  }
}

/** Renders and writes one templated file; returns true when it changed on disk. */
export async function writeTemplatedFile(
  target: FileTarget,
  file: FileTemplate,
  tctx: TemplateContext,
): Promise<boolean> {
  return writeVolumeFile(target, file, renderTemplate(file.content, tctx));
}

/** Writes every file of the manifest; returns the ones that changed (volume/path). */
export async function writeFiles(
  target: FileTarget,
  files: readonly FileTemplate[],
  tctx: TemplateContext,
): Promise<string[]> {
  const changed: string[] = [];
  for (const file of files)
    if (await writeTemplatedFile(target, file, tctx)) changed.push(`${file.volume}/${file.path}`);
  return changed;
}
