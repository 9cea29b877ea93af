// Templated files (`files:` and `template` hook steps) and host copies written
// into an app's volumes. Idempotent: a file is written only when its content
// or mode differs, so a reconcile pass over a converged app touches nothing,
// and config derived from secrets (a Bitcoin rpcauth line) can never drift.
//
// Every byte goes through the app's writer container (file-writer.ts), for the
// check as much as for the write: the daemon never opens, stats, chmods or
// renames a path inside app data, so a symlink or FIFO an app planted there
// can neither redirect a write to the host nor hang a read.
import { posix } from 'node:path';
import { type FileTemplate, renderTemplate, type TemplateContext } from '@archipelago/manifest';
import { OrchestratorError } from '../errors.ts';
import type { Engine } from './engine.ts';
import { ensureFileWriter, writerPath } from './file-writer.ts';

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
  engine: Engine;
}

export interface VolumeFile {
  volume: string;
  path: string;
  /** Octal, e.g. "0640". */
  mode: string;
}

/** A path inside a volume: relative, '/'-separated, no '.', '..' or empty segments. */
function checkPath(path: string): string | undefined {
  if (path.startsWith('/')) return 'the path must be relative to its volume.';
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return 'the path must not contain empty, "." or ".." segments (it would leave its volume).';
  return undefined;
}

async function writeWith(
  target: FileTarget,
  writer: () => Promise<string>,
  file: VolumeFile,
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
  const bad = checkPath(file.path);
  if (bad !== undefined) throw new FileWriteError(target.appId, where, bad);
  const mode = Number.parseInt(file.mode, 8);
  const inside = writerPath(file.volume, file.path);
  try {
    const container = await writer();
    // Compared through the copier too: the daemon never reads app data by its host path.
    const current = await target.engine.archives.readEntry(container, inside, { maxBytes: bytes.length });
    if (
      current !== undefined &&
      !current.truncated &&
      current.type === 'file' &&
      current.mode === mode &&
      current.data.equals(bytes)
    )
      return false;
    // The owner as the container sees it: data_uid's files are the app's own, without `podman unshare`.
    const uid = volume.data_uid;
    const gid = volume.data_gid ?? volume.data_uid;
    await target.engine.archives.put(container, posix.dirname(inside), [
      {
        path: posix.basename(inside),
        type: 'file',
        data: bytes,
        mode,
        uid,
        gid,
        mtime: Math.floor(Date.now() / 1000),
      },
    ]);
    return true;
  } catch (error) {
    if (error instanceof OrchestratorError) throw error;
    throw new FileWriteError(target.appId, where, error instanceof Error ? error.message : String(error));
  }
}

/** One writer container per call of the functions below, looked up (or made) once. */
function writerFor(target: FileTarget): () => Promise<string> {
  let name: Promise<string> | undefined;
  return () => {
    name ??= ensureFileWriter(target.engine, target.dataRoot, target.appId, target.volumes);
    return name;
  };
}

/** Writes `content` to `<volume>/<path>` of the app unless it is already there; returns true when it changed. */
export async function writeVolumeFile(
  target: FileTarget,
  file: VolumeFile,
  content: string | Buffer,
): Promise<boolean> {
  return writeWith(target, writerFor(target), file, content);
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
  const writer = writerFor(target);
  for (const file of files)
    if (await writeWith(target, writer, file, renderTemplate(file.content, tctx)))
      changed.push(`${file.volume}/${file.path}`);
  return changed;
}
