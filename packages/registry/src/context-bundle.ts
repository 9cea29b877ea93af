// Build contexts for apps whose members are built locally (`build:`): no
// container registry is reachable on a node, so a catalog carries each such
// app's directory as a content-addressed bundle next to it
// (`contexts/<sha256 hex>.json`). The catalog signs the bundle's hash; the node
// fetches it, checks the hash, and unpacks it into a directory of its own,
// refusing any path that would leave it.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { MalformedDocumentError } from './errors.ts';
import { parseDocument, parseJsonText } from './parse.ts';

export const CONTEXT_TYPE = 'archipelago-context';
export const MAX_CONTEXT_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 10_000;

const SafeRelPath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      !p.includes('\0') &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'must be a relative path inside the context (no leading "/", no "." or ".." segments)',
  );

export const ContextBundle = z.strictObject({
  _type: z.literal(CONTEXT_TYPE),
  format: z.literal(1),
  files: z
    .array(
      z.strictObject({
        path: SafeRelPath,
        /** 0o755 for executables, 0o644 otherwise: nothing else survives packing. */
        mode: z.union([z.literal(0o755), z.literal(0o644)]),
        data: z.base64(),
      }),
    )
    .max(MAX_FILES)
    .superRefine((files, ctx) => {
      const seen = new Set<string>();
      files.forEach((f, i) => {
        if (seen.has(f.path))
          ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `"${f.path}" appears twice` });
        seen.add(f.path);
      });
    }),
});
export type ContextBundle = z.infer<typeof ContextBundle>;

/** A regular file's bytes, never through a symlink (one swapped in after the listing is refused too). */
async function readRegular(path: string, rel: string): Promise<{ data: Buffer; mode: number } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new MalformedDocumentError(
        rel,
        `${path} is a symbolic link; a build context in a catalog may hold regular files only`,
      );
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    return { data: await handle.readFile(), mode: st.mode };
  } finally {
    await handle.close();
  }
}

/**
 * Packs every regular file under `dir` (sorted, so equal trees give equal
 * bytes). Symlinks are refused, `dir` itself included: a catalog must never
 * carry a file of the machine that built it from outside the app's directory.
 */
export async function packContext(dir: string): Promise<{ bytes: Uint8Array; hash: string; hex: string }> {
  const files: ContextBundle['files'] = [];
  let total = 0;
  const top = await lstat(dir);
  if (top.isSymbolicLink() || !top.isDirectory())
    throw new MalformedDocumentError(
      dir,
      `${dir} is ${top.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; an app's build context must be a real directory`,
    );
  async function walk(current: string): Promise<void> {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const full = join(current, entry.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        throw new MalformedDocumentError(
          rel,
          `${full} is a symbolic link; a build context in a catalog may hold regular files only`,
        );
      }
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const file = await readRegular(full, rel);
      if (file === undefined) continue;
      const { data } = file;
      total += data.length;
      if (total > MAX_CONTEXT_BYTES)
        throw new MalformedDocumentError(
          rel,
          `the build context ${dir} is larger than ${MAX_CONTEXT_BYTES} bytes`,
        );
      const mode = file.mode & 0o111 ? 0o755 : 0o644;
      files.push({ path: rel, mode, data: data.toString('base64') });
    }
  }
  await walk(dir);
  const bundle: ContextBundle = { _type: CONTEXT_TYPE, format: 1, files };
  const bytes = new TextEncoder().encode(JSON.stringify(bundle));
  const hex = bytesToHex(sha256(bytes));
  return { bytes, hash: `sha256:${hex}`, hex };
}

export function contextHash(bytes: Uint8Array): string {
  return `sha256:${bytesToHex(sha256(bytes))}`;
}

/**
 * Checks `bytes` against the signed `hash`, then unpacks the bundle into
 * `<into>/<hex>/` (write to a temporary directory, rename: a half-written
 * context is never used). Returns the directory; an existing one is reused.
 */
export async function unpackContext(
  bytes: Uint8Array,
  hash: string,
  into: string,
  what: string,
): Promise<string> {
  const actual = contextHash(bytes);
  if (actual !== hash) {
    throw new MalformedDocumentError(
      'context',
      `${what}: the build context hashes to ${actual}, not to the signed ${hash}`,
    );
  }
  const target = join(into, hash.slice('sha256:'.length));
  if (await exists(target)) return target;
  const bundle = parseDocument(
    ContextBundle,
    parseJsonText(new TextDecoder().decode(bytes), `${what} build context`),
    `${what} build context`,
  );
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  await mkdir(tmp, { recursive: true, mode: 0o755 });
  try {
    for (const file of bundle.files) {
      const dest = join(tmp, ...file.path.split('/'));
      // Belt and braces: SafeRelPath already forbids escaping; check the joined path too.
      if (!dest.startsWith(tmp + sep))
        throw new MalformedDocumentError(file.path, `${what}: "${file.path}" leaves the build context`);
      await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
      await writeFile(dest, Buffer.from(file.data, 'base64'), { mode: file.mode, flag: 'wx' });
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // Another caller unpacked the same content first: theirs is identical.
    if (!(await exists(target))) throw err;
  }
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
