// The dependent's copies of its dependencies' exported paths (manifest
// `dependencies[].mounts`), refreshed before members are created and on every
// reconcile pass. A member never mounts the exporter's volume: it mounts the
// copy the platform made under its own app directory (`.imports/<alias>/<key>`,
// which no container mounts writable), read-only. So whatever the exporting
// container plants in its volume — a symlink to a host file above all — it can
// never make another app's member see anything but what export-reader.ts read
// without following a link.
//
// An exported path that does not exist yet (LND writes its macaroon after its
// first start) is copied as an empty file or directory, so the member can be
// created; the next pass fills it. A file copy is rewritten in place (same
// inode) because a bind mount of a file keeps the inode it was made with.
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import { dependencyAlias, IMPORTS_DIR, importedPathSource, type Manifest } from '@archipelago/manifest';
import { runInUserNamespace } from '@archipelago/podman';
import { OrchestratorError } from '../errors.ts';
import { type ExportEntry, type ExportRead, readExport } from './export-reader.ts';
import { appDataDir, volumeDir } from './paths.ts';

export class ExportedPathError extends OrchestratorError {
  constructor(appId: string, where: string, detail: string) {
    super('mount.export_refused', `App "${appId}", ${where}: ${detail}. The member is not created.`);
  }
}

/** One mount to refresh: the dependent's alias and key, and the exporter's app. */
export interface ExportCopy {
  alias: string;
  key: string;
  exporterId: string;
  exporter: Manifest;
}

const READER = fileURLToPath(new URL('./export-reader.ts', import.meta.url));

/** Reads in this process; inside the user namespace when the exporter's user owns what is read. */
async function readAnyway(root: string, path: string, kind: 'file' | 'directory', podmanPath: string) {
  const here = readExport(root, path, kind);
  if (here.ok || here.reason !== 'denied') return here;
  const r = await runInUserNamespace([process.execPath, READER, root, path, kind], {
    podmanPath,
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0) return { ok: false, reason: 'denied', detail: r.stderr.trim() } as const;
  return JSON.parse(r.stdout) as ExportRead;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Writes `content` at `path` only when it differs, keeping the inode. Returns whether it changed. */
function writeInPlace(path: string, content: Buffer): boolean {
  const st = lstatOrUndefined(path);
  if (st !== undefined && !st.isFile()) rmSync(path, { recursive: true, force: true });
  else if (st !== undefined && readFileSync(path).equals(content)) return false;
  writeFileSync(path, content, { mode: 0o644 });
  return true;
}

/** Mirrors the entries read into `dest`: files written, what is gone removed. */
function mirror(dest: string, kind: 'file' | 'directory', entries: readonly ExportEntry[]): boolean {
  if (kind === 'file') return writeInPlace(dest, Buffer.from(entries[0]?.data ?? '', 'base64'));
  let changed = false;
  const st = lstatOrUndefined(dest);
  if (st !== undefined && !st.isDirectory()) rmSync(dest, { force: true });
  mkdirSync(dest, { recursive: true, mode: 0o755 });
  const wanted = new Set(entries.map((e) => e.rel));
  for (const e of entries) {
    const at = posix.join(dest, e.rel);
    if (e.kind === 'directory') mkdirSync(at, { recursive: true, mode: 0o755 });
    else changed = writeInPlace(at, Buffer.from(e.data ?? '', 'base64')) || changed;
  }
  const prune = (rel: string) => {
    for (const name of readdirSync(posix.join(dest, rel))) {
      const r = posix.join(rel, name);
      if (!wanted.has(r)) {
        rmSync(posix.join(dest, r), { recursive: true, force: true });
        changed = true;
      } else if (lstatSync(posix.join(dest, r)).isDirectory()) prune(r);
    }
  };
  prune('');
  return changed;
}

/**
 * Refreshes every copy the app's members mount and removes the copies of
 * dependencies no longer present. Returns the `alias.key` of each copy that changed.
 */
export async function syncExportCopies(
  dataRoot: string,
  appId: string,
  manifest: Manifest,
  copies: readonly ExportCopy[],
  podmanPath = 'podman',
): Promise<string[]> {
  const ctx = { dataRoot: appDataDir(dataRoot, appId) };
  const imports = posix.join(ctx.dataRoot, IMPORTS_DIR);
  const present = new Set(copies.map((c) => c.alias));
  if (lstatOrUndefined(imports)?.isDirectory())
    for (const alias of readdirSync(imports))
      if (!present.has(alias)) rmSync(posix.join(imports, alias), { recursive: true, force: true });
  if (copies.length === 0) return [];
  mkdirSync(imports, { recursive: true, mode: 0o750 });
  const changed: string[] = [];
  for (const c of copies) {
    const where = `dependency "${c.alias}" (app "${c.exporterId}"), exported path "${c.key}"`;
    const decl = c.exporter.exported_paths[c.key];
    if (decl === undefined)
      throw new ExportedPathError(appId, where, `app "${c.exporterId}" does not export a path "${c.key}"`);
    const vol = c.exporter.volumes[decl.volume];
    if (vol === undefined || vol.kind !== 'bind')
      throw new ExportedPathError(appId, where, `it is not in a bind volume of "${c.exporterId}"`);
    const read = await readAnyway(
      volumeDir(dataRoot, c.exporterId, decl.volume),
      decl.path,
      decl.kind,
      podmanPath,
    );
    if (!read.ok && read.reason !== 'missing')
      throw new ExportedPathError(
        appId,
        where,
        `${read.detail} (volume "${decl.volume}" of "${c.exporterId}")`,
      );
    const entries = read.ok
      ? read.entries
      : decl.kind === 'file'
        ? []
        : [{ rel: '', kind: 'directory' as const }];
    mkdirSync(posix.join(imports, c.alias), { recursive: true, mode: 0o755 });
    if (mirror(importedPathSource(ctx, c.alias, c.key), decl.kind, entries))
      changed.push(`${c.alias}.${c.key}`);
  }
  return changed;
}

/** The copies an app's manifest asks for, given which app satisfies each present dependency. */
export function exportCopiesFor(
  manifest: Manifest,
  present: ReadonlyMap<string, { id: string; manifest: Manifest }>,
): ExportCopy[] {
  const out: ExportCopy[] = [];
  for (const d of manifest.dependencies) {
    const exporter = present.get(dependencyAlias(d));
    if (exporter === undefined) continue;
    for (const key of new Set(d.mounts.map((m) => m.export)))
      out.push({ alias: dependencyAlias(d), key, exporterId: exporter.id, exporter: exporter.manifest });
  }
  return out;
}
