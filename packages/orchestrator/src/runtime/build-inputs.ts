// The cache key of a locally built image: a hash over everything the build
// reads — every file of the context (path, mode, bytes), the Containerfile's
// path and the build arguments. An unchanged app never rebuilds; any change
// to its inputs gives a new tag.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Directory names never part of a build context's inputs. */
const IGNORED = new Set(['.git', 'node_modules']);

function listFiles(dir: string, root: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (IGNORED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, root, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, path));
  }
}

export function buildInputsHash(
  contextDir: string,
  containerfile: string,
  args: Readonly<Record<string, string>>,
): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  listFiles(contextDir, contextDir, files);
  for (const file of files) {
    const path = join(contextDir, file);
    // A symlink is hashed as its target text, as it is packed: following it could read
    // anything the service user can (a FIFO or /dev/zero would never end).
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      hash.update(`link\0${file}\0${readlinkSync(path)}\0`);
      continue;
    }
    hash.update(`file\0${file}\0${(stat.mode & 0o777).toString(8)}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  }
  hash.update(`containerfile\0${containerfile}\0`);
  for (const key of Object.keys(args).sort()) hash.update(`arg\0${key}\0${args[key]}\0`);
  // A short tag is enough to tell builds of one member apart.
  return hash.digest('hex').slice(0, 16);
}
