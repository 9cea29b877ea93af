// The build context sent to the engine. An app directory comes from its
// developer, who may be hostile: a context directory, a Containerfile or a
// file inside that is a symlink to something outside (a secret of the service
// user) must never bring that content into the image. So the context and the
// Containerfile are resolved with realpath and must stay inside the app
// directory (and the Containerfile inside the context: only the context is
// sent), and inside the context nothing is ever dereferenced: symlinks are
// packed as symlinks (as docker and podman do; the engine resolves them inside
// the extracted context, an absolute one pointing into the image), a relative
// one climbing out of the context is refused, regular files are opened with
// O_NOFOLLOW.
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { BuildFailedError } from './errors.ts';
import type { TarEntry } from './tar.ts';

export interface ResolvedBuildContext {
  /** The context directory, resolved (no symlink in it). */
  dir: string;
  /** The Containerfile relative to `dir`, resolved: what the engine is told to read. */
  containerfile: string;
}

function refuse(message: string): never {
  throw new BuildFailedError(
    message,
    { step: undefined, lastLines: [] },
    { operation: 'read build context' },
  );
}

/** Is `inner` (resolved) `outer` (resolved) itself or below it? */
function inside(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/** `path` resolved; `what` names it in the error ("the build context /x"). */
async function real(path: string, what: string, where = ''): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    refuse(
      `${what} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`}${where}`,
    );
  }
}

/**
 * Resolves a build's context directory and Containerfile. `root` is the app
 * directory both must stay inside (default: the context itself). A symlink
 * that leads outside, a context that is not a directory or a Containerfile
 * that is not a regular file is refused with an error naming the path.
 */
export async function resolveBuildContext(
  contextDir: string,
  containerfile: string,
  root: string = contextDir,
): Promise<ResolvedBuildContext> {
  const realRoot = await real(root, `the app directory ${root}`);
  const dir = await real(contextDir, `the build context ${contextDir}`);
  if (!inside(realRoot, dir))
    refuse(
      `the build context ${contextDir} is a symbolic link leading outside the app directory ${root} (to ${dir}); it is refused`,
    );
  if (!(await lstat(dir)).isDirectory()) refuse(`the build context ${contextDir} is not a directory`);
  const file = await real(
    join(dir, containerfile),
    `the Containerfile "${containerfile}"`,
    ` in ${contextDir}`,
  );
  if (!inside(dir, file))
    refuse(
      `the Containerfile "${containerfile}" in ${contextDir} is a symbolic link leading outside the build context (to ${file}); only files in the context are built`,
    );
  if (!(await lstat(file)).isFile())
    refuse(`the Containerfile "${containerfile}" in ${contextDir} is not a regular file`);
  return { dir, containerfile: relative(dir, file).split(sep).join(posix.sep) };
}

/** A regular file's bytes, refusing to follow a symlink swapped in since it was listed. */
async function readRegular(path: string): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      refuse(`${path} in the build context became a symbolic link while it was read; it is refused`);
    throw err;
  }
  try {
    // O_NONBLOCK: a FIFO swapped in opens without waiting; it is not a regular file, so it is skipped.
    if (!(await handle.stat()).isFile()) return undefined;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The tar entries of a build context directory: regular files, directories
 * and symlinks (as symlinks, never followed), in a stable order with zeroed
 * times and owners so the same context gives the same archive. Other file
 * types (sockets, devices, FIFOs) are skipped. Top-level names in `exclude`
 * are left out. `dir` itself is resolved first: pass the `dir` of
 * resolveBuildContext to hold it inside the app directory.
 */
export async function contextEntries(
  dir: string,
  { exclude = [] }: { exclude?: readonly string[] } = {},
): Promise<TarEntry[]> {
  const root = await realpath(dir);
  const entries: TarEntry[] = [];
  async function walk(current: string): Promise<void> {
    const names = (await readdir(current)).sort();
    for (const name of names) {
      const full = join(current, name);
      const rel = relative(root, full).split(sep).join(posix.sep);
      if (current === root && exclude.includes(name)) continue;
      const st = await lstat(full);
      if (st.isDirectory()) {
        entries.push({ path: rel, type: 'directory', mode: st.mode & 0o7777 });
        await walk(full);
      } else if (st.isFile()) {
        const data = await readRegular(full);
        if (data !== undefined) entries.push({ path: rel, type: 'file', mode: st.mode & 0o7777, data });
      } else if (st.isSymbolicLink()) {
        const linkTarget = await readlink(full);
        // A relative link out of the context is refused by the engine too, with a message naming its temp dir.
        if (
          !linkTarget.startsWith('/') &&
          posix.normalize(posix.join(posix.dirname(rel), linkTarget)).split('/')[0] === '..'
        )
          refuse(
            `${full} is a symbolic link to ${linkTarget}, which leaves the build context; it is refused`,
          );
        entries.push({ path: rel, type: 'symlink', linkTarget });
      }
    }
  }
  await walk(root);
  return entries;
}
