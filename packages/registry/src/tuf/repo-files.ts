// Writing a repository's files under a directory (the publisher's web root or
// the shipped copy). Paths come from repository.ts, never from a network input.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function writeRepository(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  for (const [path, bytes] of files) {
    const to = join(dir, path);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, bytes);
  }
}
