// A small writer for POSIX ustar archives: enough for a build context and a
// base image's root filesystem (files, directories, symlinks). Pure: entries
// in, bytes out. The engine's build and import endpoints take such a tar.

export interface TarEntry {
  /** Path inside the archive, relative, '/'-separated (no leading '/', no '..'). */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits; default 0644 for files, 0755 for directories, 0777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch; default 0 so the same inputs give the same bytes. */
  mtime?: number;
  /** File content (files only). */
  data?: Buffer;
  /** Symlink target (symlinks only). */
  linkTarget?: string;
}

const BLOCK = 512;
const typeFlags = { file: '0', symlink: '2', directory: '5' } as const;

export class TarError extends Error {}

function writeString(
  header: Buffer,
  value: string,
  offset: number,
  length: number,
  field: string,
  path: string,
): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length)
    throw new TarError(`tar: ${field} of "${path}" is too long (${bytes.length} > ${length} bytes)`);
  bytes.copy(header, offset);
}

function writeOctal(
  header: Buffer,
  value: number,
  offset: number,
  length: number,
  field: string,
  path: string,
): void {
  const digits = length - 1;
  const text = Math.trunc(value).toString(8);
  if (value < 0 || text.length > digits)
    throw new TarError(`tar: ${field} of "${path}" does not fit (${value})`);
  header.write(`${text.padStart(digits, '0')}\0`, offset, length, 'ascii');
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a '/'. */
export function splitUstarPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(name) <= 100 && Buffer.byteLength(prefix) <= 155 && name !== '')
      return { prefix, name };
  }
  throw new TarError(`tar: path "${path}" is too long for a ustar archive`);
}

function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').includes('..')) {
    throw new TarError(`tar: entry path "${path}" must be relative and stay inside the archive`);
  }
}

/** The 512-byte header of one entry. */
export function tarHeader(entry: TarEntry): Buffer {
  checkPath(entry.path);
  const header = Buffer.alloc(BLOCK, 0);
  const fullPath = entry.type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const { prefix, name } = splitUstarPath(fullPath);
  const size = entry.type === 'file' ? (entry.data?.length ?? 0) : 0;
  const mode = entry.mode ?? (entry.type === 'directory' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644);
  if (entry.type === 'symlink' && !entry.linkTarget)
    throw new TarError(`tar: symlink "${entry.path}" has no target`);
  if (entry.type !== 'file' && entry.data !== undefined)
    throw new TarError(`tar: "${entry.path}" is a ${entry.type} and cannot carry data`);

  writeString(header, name, 0, 100, 'name', entry.path);
  writeOctal(header, mode & 0o7777, 100, 8, 'mode', entry.path);
  writeOctal(header, entry.uid ?? 0, 108, 8, 'uid', entry.path);
  writeOctal(header, entry.gid ?? 0, 116, 8, 'gid', entry.path);
  writeOctal(header, size, 124, 12, 'size', entry.path);
  writeOctal(header, entry.mtime ?? 0, 136, 12, 'mtime', entry.path);
  header.write('        ', 148, 8, 'ascii'); // checksum is computed with its own field as spaces
  header.write(typeFlags[entry.type], 156, 1, 'ascii');
  if (entry.type === 'symlink')
    writeString(header, entry.linkTarget ?? '', 157, 100, 'symlink target', entry.path);
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  writeString(header, prefix, 345, 155, 'path prefix', entry.path);

  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** The archive as a sequence of chunks: header, data, padding per entry, then the two zero blocks. */
export function* tarChunks(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const entry of entries) {
    yield tarHeader(entry);
    if (entry.type === 'file' && entry.data && entry.data.length > 0) {
      yield entry.data;
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (pad > 0) yield Buffer.alloc(pad, 0);
    }
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

/** The whole archive in memory. */
export function createTar(entries: Iterable<TarEntry>): Buffer {
  return Buffer.concat([...tarChunks(entries)]);
}

// ------------------------------------------------------------------ reading

/** One entry read back from an archive; `type` is 'other' for devices, FIFOs and hard links. */
export interface TarReadEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string;
  data: Buffer;
}

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number, name: string): number {
  const text = field(header, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`tar: the ${name} field "${text}" is not octal`);
  return Number.parseInt(text, 8);
}

/** PAX extended header records: "<len> key=value\n". */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0) throw new TarError('tar: a PAX record has no valid length');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/**
 * Reads a ustar/PAX/GNU archive such as the engine's archive endpoint sends:
 * regular files with their data, everything else as headers only. Pure.
 */
export function readTar(archive: Buffer): TarReadEntry[] {
  const out: TarReadEntry[] = [];
  let at = 0;
  let pax = new Map<string, string>();
  let longName: string | undefined;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const flag = String.fromCharCode(header[156] ?? 0);
    const paxSize = pax.get('size');
    const size = paxSize === undefined ? octal(header, 124, 12, 'size') : Number(paxSize);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError('tar: an entry has no valid size');
    const start = at + BLOCK;
    if (start + size > archive.length) throw new TarError('tar: the archive ends inside an entry');
    const data = archive.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (flag === 'g') continue;
    if (flag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = pax.get('path') ?? longName ?? (prefix === '' ? name : `${prefix}/${name}`);
    const type =
      flag === '0' || flag === '\0' || flag === '7'
        ? 'file'
        : flag === '5'
          ? 'directory'
          : flag === '2'
            ? 'symlink'
            : 'other';
    out.push({
      path: path.replace(/\/$/, ''),
      type,
      mode: octal(header, 100, 8, 'mode') & 0o7777,
      uid: Number(pax.get('uid') ?? octal(header, 108, 8, 'uid')),
      gid: Number(pax.get('gid') ?? octal(header, 116, 8, 'gid')),
      linkTarget: pax.get('linkpath') ?? field(header, 157, 100),
      data: type === 'file' ? Buffer.from(data) : Buffer.alloc(0),
    });
    pax = new Map();
    longName = undefined;
  }
  return out;
}
