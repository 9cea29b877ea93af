import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { TarEntry } from './tar.ts';

/**
 * The tar entries of a build context directory: regular files, directories
 * and symlinks, in a stable order with zeroed times and owners so the same
 * context gives the same archive. Other file types (sockets, devices) are
 * skipped. Top-level names in `exclude` are left out.
 */
export async function contextEntries(
  dir: string,
  { exclude = [] }: { exclude?: readonly string[] } = {},
): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  async function walk(current: string): Promise<void> {
    const names = (await readdir(current)).sort();
    for (const name of names) {
      const full = join(current, name);
      const rel = relative(dir, full).split(sep).join(posix.sep);
      if (current === dir && exclude.includes(name)) continue;
      const st = await lstat(full);
      if (st.isDirectory()) {
        entries.push({ path: rel, type: 'directory', mode: st.mode & 0o7777 });
        await walk(full);
      } else if (st.isFile()) {
        entries.push({ path: rel, type: 'file', mode: st.mode & 0o7777, data: await readFile(full) });
      } else if (st.isSymbolicLink()) {
        entries.push({ path: rel, type: 'symlink', linkTarget: await readlink(full) });
      }
    }
  }
  await walk(dir);
  return entries;
}
