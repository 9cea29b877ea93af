// Reads a path an app exports from one of its volumes without ever following a
// symlink out of the volume. The exporting container writes that volume while
// it runs, so a check-then-open walk would race it: instead each component is
// opened with O_NOFOLLOW through the directory already opened above it
// (`/proc/self/fd/N/name`, the openat of Node), and the opened volume root is
// confirmed through its descriptor. A symlink met on the way is refused (for
// the path itself) or skipped (inside an exported directory); no descriptor is
// ever resolved through a link the container planted.
//
// Also a script: `node export-reader.ts <root> <path> <file|directory>` prints
// the same result as JSON, run inside the user namespace (podman unshare) when
// the exporter's files are owned by its container user and unreadable here.
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bounds a copy: an exported path is a certificate or a key, never a data set. */
export const EXPORT_LIMITS = { fileBytes: 1024 * 1024, totalBytes: 16 * 1024 * 1024, entries: 1000 };

export interface ExportEntry {
  /** Path below the exported path ('' for an exported file itself). */
  rel: string;
  kind: 'file' | 'directory';
  /** Base64 of a file's bytes. */
  data?: string;
}

export type ExportRead =
  | { ok: true; entries: ExportEntry[] }
  | { ok: false; reason: 'missing' | 'denied' | 'refused'; detail: string };

class Refused extends Error {
  readonly reason: 'missing' | 'denied' | 'refused';
  constructor(reason: 'missing' | 'denied' | 'refused', detail: string) {
    super(detail);
    this.reason = reason;
  }
}

const NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

function openBelow(dirFd: number, name: string, shown: string): number {
  try {
    return openSync(`/proc/self/fd/${dirFd}/${name}`, NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Refused('missing', `"${shown}" does not exist yet`);
    if (code === 'EACCES' || code === 'EPERM') throw new Refused('denied', `"${shown}" is not readable`);
    if (code === 'ELOOP')
      throw new Refused('refused', `"${shown}" is a symbolic link, which is never followed`);
    throw err;
  }
}

function parts(path: string): string[] {
  return posix
    .normalize(path)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

function readTree(fd: number, rel: string, out: ExportEntry[], budget: { bytes: number }): void {
  const st = fstatSync(fd);
  if (st.isFile()) {
    if (st.size > EXPORT_LIMITS.fileBytes || st.size > budget.bytes)
      throw new Refused('refused', `"${rel || '.'}" is larger than an exported path may be`);
    const data = readFileSync(fd);
    budget.bytes -= data.length;
    out.push({ rel, kind: 'file', data: data.toString('base64') });
    return;
  }
  if (!st.isDirectory()) return; // a fifo, socket or device is nothing to copy
  out.push({ rel, kind: 'directory' });
  for (const entry of readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    if (out.length >= EXPORT_LIMITS.entries)
      throw new Refused('refused', `the exported directory holds more than ${EXPORT_LIMITS.entries} entries`);
    const child = openBelow(fd, entry.name, posix.join(rel, entry.name));
    try {
      readTree(child, posix.join(rel, entry.name), out, budget);
    } finally {
      closeSync(child);
    }
  }
}

/** Reads `<root>/<path>` as `kind`; `root` is the exporter's volume directory. */
export function readExport(root: string, path: string, kind: 'file' | 'directory'): ExportRead {
  const fds: number[] = [];
  try {
    let fd: number;
    try {
      fd = openSync(root, NOFOLLOW | constants.O_DIRECTORY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new Refused('missing', 'the volume does not exist yet');
      if (code === 'EACCES' || code === 'EPERM') throw new Refused('denied', 'the volume is not readable');
      throw new Refused('refused', 'the volume is not a real directory');
    }
    fds.push(fd);
    // The platform made the volume directory; confirm what was opened is it.
    if (readlinkSync(`/proc/self/fd/${fd}`) !== realpathSync(root))
      throw new Refused('refused', 'the volume directory is not where the platform made it');
    const comps = parts(path);
    comps.forEach((name, i) => {
      fd = openBelow(fd, name, comps.slice(0, i + 1).join('/'));
      fds.push(fd);
    });
    const st = fstatSync(fd);
    if (kind === 'file' && !st.isFile()) throw new Refused('refused', `"${path}" is not a regular file`);
    if (kind === 'directory' && !st.isDirectory())
      throw new Refused('refused', `"${path}" is not a directory`);
    const entries: ExportEntry[] = [];
    readTree(fd, '', entries, { bytes: EXPORT_LIMITS.totalBytes });
    return { ok: true, entries };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.reason, detail: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'denied', detail: 'not readable' };
    throw err;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root, path, kind] = process.argv.slice(2);
  if (root === undefined || path === undefined || (kind !== 'file' && kind !== 'directory')) {
    process.stderr.write('usage: export-reader.ts <root> <path> <file|directory>\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(readExport(root, path, kind)));
}
