// Where a tar archive's entries end (the offset of its end-of-archive zero
// blocks), so more entries can be appended to an existing root filesystem
// tarball without rewriting it: node24 is the cached Debian rootfs followed by
// the Node binary, streamed straight into the engine's import.
import { open } from 'node:fs/promises';
import { type TarEntry, tarChunks } from '../tar.ts';

const BLOCK = 512;

export class TarFormatError extends Error {
  readonly code = 'TAR_FORMAT';
}

function octal(field: Buffer, what: string, file: string, offset: number): number {
  if ((field[0] ?? 0) & 0x80) {
    throw new TarFormatError(
      `${file}: the ${what} of the entry at byte ${offset} uses base-256 (over 8 GiB)`,
    );
  }
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new TarFormatError(`${file}: the ${what} of the entry at byte ${offset} is not octal ("${text}")`);
  return Number.parseInt(text, 8);
}

/** The byte offset of the first end-of-archive block in a ustar/pax/GNU tar file. */
export async function tarEntriesEnd(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    while (offset + BLOCK <= size) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      if (header.every((b) => b === 0)) return offset;
      const entrySize = octal(header.subarray(124, 136), 'size', file, offset);
      offset += BLOCK + Math.ceil(entrySize / BLOCK) * BLOCK;
    }
    throw new TarFormatError(`${file}: no end-of-archive block (the tarball is truncated)`);
  } finally {
    await handle.close();
  }
}

/** Appends entries to a tar file in place, before its end-of-archive blocks (which are written again after them). */
export async function appendTarEntries(file: string, entries: Iterable<TarEntry>): Promise<void> {
  const end = await tarEntriesEnd(file);
  const handle = await open(file, 'r+');
  try {
    let position = end;
    for (const chunk of tarChunks(entries)) {
      await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    }
    await handle.truncate(position);
  } finally {
    await handle.close();
  }
}
