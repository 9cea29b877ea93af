// Where base image recipes keep what they made (the Debian root filesystem
// tarball), so an image lost from the engine's storage is re-imported without
// downloading again and node24 reuses the Debian tarball instead of making its own.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function baseImageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['ARCHY_BASE_IMAGE_CACHE'];
  if (explicit) return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg?.startsWith('/') ? xdg : join(homedir(), '.cache'), 'archipelago', 'base-images');
}
