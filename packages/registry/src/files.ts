// File-system edges of the registry: reading JSON documents and apps
// directories, writing atomically. Everything else in the package is pure.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { MalformedDocumentError } from './errors.ts';
import type { IconRef } from './format.ts';
import { loadManifestFile, type Manifest } from './manifest-api.ts';
import { parseJsonText } from './parse.ts';

export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new MalformedDocumentError('(file)', `${what} ${path} cannot be read: ${reason}`);
  }
  return parseJsonText(text, `${what} ${path}`);
}

/** Write-then-rename in the same directory, fsynced, so a crash leaves the old or the new file, never half of one. */
export async function writeFileAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const ICON_TYPES: Record<string, { media_type: IconRef['media_type']; ext: string }> = {
  '.png': { media_type: 'image/png', ext: 'png' },
  '.svg': { media_type: 'image/svg+xml', ext: 'svg' },
  '.jpg': { media_type: 'image/jpeg', ext: 'jpg' },
  '.jpeg': { media_type: 'image/jpeg', ext: 'jpg' },
  '.webp': { media_type: 'image/webp', ext: 'webp' },
};

export type LoadedApp = { manifest: Manifest; dir: string; icon?: { ref: IconRef; bytes: Uint8Array } };
export type AppsDirResult = { apps: LoadedApp[]; problems: string[] };

/**
 * Every `<dir>/<app>/manifest.yml` under `appsDir`, validated by
 * @archipelago/manifest. Invalid manifests are reported in `problems`
 * (file:line:col field: message), not thrown, so one bad app does not hide the others.
 */
export async function loadAppsDir(appsDir: string): Promise<AppsDirResult> {
  let entries: string[];
  try {
    entries = (await readdir(appsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { apps: [], problems: [`${appsDir}: no such directory`] };
    throw err;
  }
  entries.sort();
  const apps: LoadedApp[] = [];
  const problems: string[] = [];
  for (const name of entries) {
    const dir = join(appsDir, name);
    const file = join(dir, 'manifest.yml');
    if (!(await exists(file))) continue;
    const result = await loadManifestFile(file);
    if (!result.ok) {
      for (const issue of result.errors) {
        const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
        problems.push(`${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
      }
      continue;
    }
    const icon = await readIcon(dir, result.manifest.icon);
    apps.push({ manifest: result.manifest, dir, ...(icon ? { icon } : {}) });
  }
  return { apps, problems };
}

/** A manifest's `icon` when it names a file in the app's directory: its bytes, addressed by hash. URLs are left alone. */
async function readIcon(dir: string, icon: string | undefined): Promise<LoadedApp['icon']> {
  if (!icon || /^[a-z]+:/i.test(icon) || icon.startsWith('/') || icon.split('/').includes('..'))
    return undefined;
  const type = ICON_TYPES[extname(icon).toLowerCase()];
  if (!type) return undefined;
  const file = join(dir, icon);
  if (!(await exists(file))) return undefined;
  const bytes = new Uint8Array(await readFile(file));
  const hex = bytesToHex(sha256(bytes));
  return {
    ref: { hash: `sha256:${hex}`, media_type: type.media_type, path: `icons/${hex}.${type.ext}` },
    bytes,
  };
}

export function iconHash(bytes: Uint8Array): string {
  return `sha256:${bytesToHex(sha256(bytes))}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
