import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { debianBookwormRecipe } from './base-recipes/debian-bookworm.ts';
import { node24Recipe } from './base-recipes/node24.ts';
import { isStaticElf } from './elf.ts';
import { withLock } from './file-lock.ts';
import { ImageUnavailableError } from './errors.ts';
import type { Images } from './images.ts';
import { createTar, type TarEntry } from './tar.ts';

// Offline base images, `localhost/archy-base/<name>:<tag>`, made from what
// Debian's packages put on the host: no registry is needed. Each recipe
// derives its tag from its inputs (so a changed input gives a new image and
// an unchanged one is reused) and produces a root filesystem tarball that is
// imported. The tag Containerfiles use is stable (it does not depend on the
// host's busybox build); the inputs hash is kept as a label and a changed
// input re-imports under the same tag. `busybox` comes first;
// `debian-bookworm` (mmdebstrap) and `node24` are further recipes of the same shape.

export interface BaseImageRecipe {
  /** Image name under localhost/archy-base/. */
  name: string;
  /**
   * The stable tag Containerfiles name (`FROM localhost/archy-base/busybox:1`);
   * bumped only when the image's layout changes incompatibly.
   */
  tag: string;
  /** Hash of the recipe's inputs (e.g. the busybox binary): a different hash re-imports under the same tag. */
  inputsHash(): Promise<string>;
  /** The root filesystem as a tar (in memory, or a stream factory for big ones). */
  rootfs(): Promise<Buffer | (() => Readable)>;
  /** Containerfile-style instructions applied on import (CMD, ENV, …). */
  changes: readonly string[];
}

/** Image label holding the recipe's inputs hash. */
export const BASE_INPUTS_LABEL = 'io.archipelago.base-inputs';

export function baseImageRef(name: string, tag: string): string {
  return `localhost/archy-base/${name}:${tag}`;
}

const execFileAsync = promisify(execFile);

/** Bump when the busybox rootfs layout changes, so the inputs hash changes with it. */
const BUSYBOX_RECIPE_VERSION = '1';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

async function findBusybox(): Promise<string> {
  const explicit = process.env['ARCHY_BUSYBOX'];
  for (const path of explicit ? [explicit] : BUSYBOX_CANDIDATES) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next one
    }
  }
  throw new ImageUnavailableError(
    `Cannot make the busybox base image: no busybox binary at ${BUSYBOX_CANDIDATES.join(' or ')}. Install the Debian package busybox-static (scripts/setup-host does).`,
    'localhost/archy-base/busybox',
  );
}

async function readStaticBusybox(): Promise<{ path: string; bytes: Buffer }> {
  const path = await findBusybox();
  const bytes = await readFile(path);
  if (!isStaticElf(bytes, path)) {
    throw new ImageUnavailableError(
      `Cannot make the busybox base image: ${path} is dynamically linked and would not run alone in an image. Install busybox-static.`,
      'localhost/archy-base/busybox',
    );
  }
  return { path, bytes };
}

/** The layout of a minimal busybox root filesystem: pure, from the binary and its applet list. */
export function busyboxRootfsEntries(busybox: Buffer, applets: readonly string[]): TarEntry[] {
  const dirs: [string, number][] = [
    ['bin', 0o755],
    ['sbin', 0o755],
    ['usr', 0o755],
    ['usr/bin', 0o755],
    ['usr/sbin', 0o755],
    ['etc', 0o755],
    ['root', 0o700],
    ['home', 0o755],
    ['tmp', 0o1777],
    ['var', 0o755],
    ['var/tmp', 0o1777],
    ['var/www', 0o755],
    ['proc', 0o555],
    ['sys', 0o555],
    ['dev', 0o755],
    ['run', 0o755],
  ];
  const entries: TarEntry[] = dirs.map(([path, mode]) => ({ path, type: 'directory', mode }));
  entries.push({ path: 'bin/busybox', type: 'file', mode: 0o755, data: busybox });
  entries.push({
    path: 'etc/passwd',
    type: 'file',
    data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
  });
  entries.push({ path: 'etc/group', type: 'file', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') });
  const seen = new Set(['bin/busybox']);
  for (const raw of applets) {
    const path = raw.trim().replace(/^\/+/, '');
    if (!path || seen.has(path) || path.split('/').includes('..')) continue;
    seen.add(path);
    entries.push({ path, type: 'symlink', linkTarget: '/bin/busybox' });
  }
  return entries;
}

export const busyboxRecipe: BaseImageRecipe = {
  name: 'busybox',
  tag: '1',
  async inputsHash() {
    const { bytes } = await readStaticBusybox();
    return createHash('sha256').update(BUSYBOX_RECIPE_VERSION).update(bytes).digest('hex').slice(0, 16);
  },
  async rootfs() {
    const { path, bytes } = await readStaticBusybox();
    const { stdout } = await execFileAsync(path, ['--list-full']);
    return createTar(busyboxRootfsEntries(bytes, stdout.split('\n')));
  },
  changes: ['ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["/bin/sh"]'],
};

/** Recipes by name; another module adds `debian-bookworm` and `node24` here. */
export const baseImageRecipes: Record<string, BaseImageRecipe> = {
  busybox: busyboxRecipe,
  'debian-bookworm': debianBookwormRecipe,
  node24: node24Recipe,
};

/**
 * Makes sure `localhost/archy-base/<name>:<tag>` exists, importing it from its
 * recipe when missing. Returns its reference. Safe to call concurrently: two
 * imports of the same inputs produce the same tag.
 */
export async function ensureBaseImage(
  images: Images,
  name: string,
  recipes: Record<string, BaseImageRecipe> = baseImageRecipes,
): Promise<{ reference: string; created: boolean }> {
  const recipe = recipes[name];
  if (!recipe) {
    throw new ImageUnavailableError(
      `There is no recipe for the base image "${name}" (known: ${Object.keys(recipes).join(', ')}).`,
      `localhost/archy-base/${name}`,
    );
  }
  const reference = baseImageRef(recipe.name, recipe.tag);
  // One making per image in this process; concurrent callers share it.
  const pending = inFlight.get(reference);
  if (pending) return pending;
  const making = makeBaseImage(images, recipe, reference).finally(() => inFlight.delete(reference));
  inFlight.set(reference, making);
  return making;
}

const inFlight = new Map<string, Promise<{ reference: string; created: boolean }>>();

async function isCurrent(images: Images, reference: string, inputs: string): Promise<boolean> {
  return (await images.inspectIntact(reference))?.labels[BASE_INPUTS_LABEL] === inputs;
}

async function makeBaseImage(
  images: Images,
  recipe: BaseImageRecipe,
  reference: string,
): Promise<{ reference: string; created: boolean }> {
  const inputs = await recipe.inputsHash();
  if (await isCurrent(images, reference, inputs)) return { reference, created: false };
  // Across processes of the service user too: a big rootfs is made once, not raced.
  const lockPath = join(process.env['XDG_RUNTIME_DIR'] || tmpdir(), `archy-base-${recipe.name}.lock`);
  return withLock(lockPath, { staleMs: 60 * 60_000, waitMs: 30 * 60_000 }, async () => {
    if (await isCurrent(images, reference, inputs)) return { reference, created: false };
    await images.importTarball({
      reference,
      tar: await recipe.rootfs(),
      changes: [...recipe.changes, `LABEL ${BASE_INPUTS_LABEL}=${inputs}`],
      message: `archipelago base image ${recipe.name}`,
    });
    return { reference, created: true };
  });
}
