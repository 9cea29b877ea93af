// `localhost/archy-base/node24:24`: the Debian base with Node.js 24 — the
// repository's own binary (the one the platform runs on), so no download and
// no second Node — at /usr/local/bin/node, and npm beside it so a Node app's
// Containerfile installs its pinned npm package inside the build
// (`RUN npm install --omit=dev <app>@<exact version>`): the manifest stays the
// only input, no host-side step per app. The image is the cached Debian
// tarball with Node and npm appended, streamed into the engine's import.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { BaseImageRecipe } from '../base-images.ts';
import { ImageUnavailableError } from '../errors.ts';
import { tarChunks, type TarEntry } from '../tar.ts';
import { debianBookwormRecipe, debianRootfsTarball } from './debian-bookworm.ts';
import { tarEntriesEnd } from './tar-end.ts';

const execFileAsync = promisify(execFile);
const RECIPE_VERSION = '1';
const NAME = 'node24';
const REFERENCE = `localhost/archy-base/${NAME}`;
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

interface Tool {
  path: string;
  version: string;
}

/** The Node 24 binary: ARCHY_NODE24_BINARY, the repository's node_modules/node/bin/node, or the running Node if it is 24. */
async function findNode(): Promise<Tool & { size: number }> {
  const candidates = [
    process.env['ARCHY_NODE24_BINARY'],
    join(repoRoot, 'node_modules/node/bin/node'),
    process.execPath,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const { stdout } = await execFileAsync(path, ['--version']).catch(() => ({ stdout: '' }));
    const version = stdout.trim();
    if (/^v24\./.test(version)) return { path, version, size: (await stat(path)).size };
  }
  throw new ImageUnavailableError(
    `Cannot make the base image ${REFERENCE}: no Node.js 24 binary found (looked at ${candidates.join(', ')}). Run npm install in the repository (it installs Node 24) or set ARCHY_NODE24_BINARY.`,
    REFERENCE,
  );
}

const NpmPackageJson = z.looseObject({ name: z.literal('npm'), version: z.string() });

/**
 * A self-contained npm (its dependencies bundled in its own node_modules, as
 * the npm package from the registry ships): ARCHY_NPM_DIR, the repository's
 * node_modules/npm, or the host's global npm. Debian's split `npm` package is
 * not self-contained and is not used.
 */
async function findNpm(): Promise<Tool> {
  const candidates = [
    process.env['ARCHY_NPM_DIR'],
    join(repoRoot, 'node_modules/npm'),
    '/usr/local/lib/node_modules/npm',
    '/usr/lib/node_modules/npm',
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  for (const path of candidates) {
    const manifest = join(path, 'package.json');
    if (!existsSync(manifest) || !existsSync(join(path, 'node_modules'))) continue;
    const parsed = NpmPackageJson.safeParse(JSON.parse(await readFile(manifest, 'utf8')));
    if (!parsed.success) continue;
    const major = Number(parsed.data.version.split('.')[0]);
    if (major >= 10) return { path, version: parsed.data.version };
  }
  throw new ImageUnavailableError(
    `Cannot make the base image ${REFERENCE}: no self-contained npm 10 or later found (looked at ${candidates.join(', ')}). Install npm from the npm registry or set ARCHY_NPM_DIR to its package directory.`,
    REFERENCE,
  );
}

async function node24InputsHash(): Promise<string> {
  const [base, node, npm] = await Promise.all([debianBookwormRecipe.inputsHash(), findNode(), findNpm()]);
  return createHash('sha256')
    .update(
      `recipe\0${RECIPE_VERSION}\0base\0${base}\0node\0${node.version}\0${node.size}\0npm\0${npm.version}\0`,
    )
    .digest('hex')
    .slice(0, 16);
}

/** Every file, directory and symlink under `dir` as tar entries under `prefix` (sorted, so the bytes are stable). */
async function treeEntries(dir: string, prefix: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [{ path: prefix, type: 'directory', mode: 0o755 }];
  const walk = async (current: string): Promise<void> => {
    const names = (await readdir(current)).sort();
    for (const name of names) {
      const full = join(current, name);
      const path = `${prefix}/${relative(dir, full)}`;
      const info = await lstat(full);
      if (info.isSymbolicLink()) out.push({ path, type: 'symlink', linkTarget: await readlink(full) });
      else if (info.isDirectory()) {
        out.push({ path, type: 'directory', mode: 0o755 });
        await walk(full);
      } else if (info.isFile())
        out.push({ path, type: 'file', mode: info.mode & 0o111 ? 0o755 : 0o644, data: await readFile(full) });
    }
  };
  await walk(dir);
  return out;
}

/** What node24 adds to the Debian root filesystem. */
export async function node24Entries(node: { path: string }, npm: { path: string }): Promise<TarEntry[]> {
  return [
    { path: 'usr/local/bin/node', type: 'file', mode: 0o755, data: await readFile(node.path) },
    { path: 'usr/local/lib/node_modules', type: 'directory', mode: 0o755 },
    ...(await treeEntries(npm.path, 'usr/local/lib/node_modules/npm')),
    { path: 'usr/local/bin/npm', type: 'symlink', linkTarget: '../lib/node_modules/npm/bin/npm-cli.js' },
    { path: 'usr/local/bin/npx', type: 'symlink', linkTarget: '../lib/node_modules/npm/bin/npx-cli.js' },
  ];
}

export const node24Recipe: BaseImageRecipe = {
  name: NAME,
  tag: '24',
  inputsHash: node24InputsHash,
  async rootfs() {
    const [{ path }, node, npm] = await Promise.all([debianRootfsTarball(), findNode(), findNpm()]);
    const end = await tarEntriesEnd(path);
    const extra = await node24Entries(node, npm);
    return () =>
      Readable.from(
        (async function* () {
          if (end > 0) yield* createReadStream(path, { start: 0, end: end - 1 });
          yield* tarChunks(extra);
        })(),
      );
  },
  changes: [
    ...debianBookwormRecipe.changes.filter((c) => !c.startsWith('CMD')),
    // Node keeps its own CA list; the image's (with the host's local CAs) is added so npm and apps reach what the host reaches.
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    'ENV NPM_CONFIG_UPDATE_NOTIFIER=false',
    'ENV NPM_CONFIG_FUND=false',
    'ENV NPM_CONFIG_AUDIT=false',
    'CMD ["node"]',
  ],
};
