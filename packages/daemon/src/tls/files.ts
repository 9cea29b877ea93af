// The node's TLS files under <dataRoot>/tls/: the directory 0700, keys 0600,
// every file written atomically (a temp file in the same directory, fsync,
// rename), and never through a symlink (the directory and each file are
// checked with lstat, files are opened with O_NOFOLLOW).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { TlsError } from '../errors.ts';

export const tlsDir = (dataRoot: string) => join(dataRoot, 'tls');

export const TLS_FILES = {
  caKey: 'ca.key',
  caCert: 'ca.crt',
  serverKey: 'server.key',
  serverCert: 'server.crt',
} as const;

/** Creates <dataRoot>/tls (0700) or checks the one there: a real directory, not a symlink, mode forced to 0700. */
export function ensureTlsDir(dataRoot: string): string {
  const dir = tlsDir(dataRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory())
    throw new TlsError(
      `${dir} must be a directory of its own (it is a symlink or a file): remove it and start again.`,
    );
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return dir;
}

/** The file's text, or null when it does not exist. A symlink or an unreadable file is an error naming it. */
export function readTlsFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP')
      throw new TlsError(`${path} is a symlink; the node's TLS files must be real files.`);
    throw new TlsError(`cannot read ${path}: ${code ?? String(error)}`, { cause: error });
  }
  try {
    if (!fstatSync(fd).isFile()) throw new TlsError(`${path} is not a regular file.`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes the file atomically with the given mode (0600 for keys), replacing any file (never a symlink's target). */
export function writeTlsFile(path: string, text: string, mode: number): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  // rename replaces a symlink at `path` itself, never the file it points to.
  renameSync(temp, path);
  const dirFd = openSync(join(path, '..'), constants.O_RDONLY);
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
