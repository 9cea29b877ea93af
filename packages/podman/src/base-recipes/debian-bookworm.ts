// `localhost/archy-base/debian-bookworm:12`: a minimal Debian 12 root
// filesystem made on this host by mmdebstrap (unprivileged, in a user
// namespace) from Debian's mirror; no container registry involved. Apt inside
// builds FROM it works (its sources list the bookworm, -updates and -security
// suites) without recommends, and services never start during a build
// (policy-rc.d). The host's own local CAs (/usr/local/share/ca-certificates)
// are trusted inside too: if the host reaches the Internet through a TLS
// proxy, so must builds and apps.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaseImageRecipe } from '../base-images.ts';
import { ImageUnavailableError } from '../errors.ts';
import type { TarEntry } from '../tar.ts';
import { baseImageCacheDir } from './cache-dir.ts';
import { runBounded } from './run-bounded.ts';
import { appendTarEntries } from './tar-end.ts';

/** Bump when the arguments below change in a way the inputs do not show. */
const RECIPE_VERSION = '2';
const NAME = 'debian-bookworm';
const SUITE = 'bookworm';
/** Packages beyond minbase (sorted; part of the cache key). */
export const DEBIAN_BASE_PACKAGES: readonly string[] = ['ca-certificates'];
const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';
const DEFAULT_TIMEOUT_SECS = 900;

/** Files added to the root filesystem after mmdebstrap: builds must never start services (postinst scripts call invoke-rc.d). */
export const DEBIAN_EXTRA_ENTRIES: readonly TarEntry[] = [
  { path: 'usr/sbin/policy-rc.d', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\nexit 101\n') },
];

const HOST_APT_SOURCES = ['/etc/apt/sources.list', '/etc/apt/sources.list.d'];

/** The repository URIs one line of an apt sources file names (`deb URI …` or deb822 `URIs: …`). */
function lineUris(line: string): string[] {
  const deb822 = /^URIs:\s*(.+)$/i.exec(line);
  if (deb822?.[1]) return deb822[1].split(/\s+/);
  const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
  return oneLine?.[1] ? [oneLine[1]] : [];
}

/**
 * The Debian archive and security mirrors a host's apt configuration uses (one-line `deb URI …` or deb822
 * `URIs:` entries): the archive is a URI whose path ends in /debian, security one ending in /debian-security.
 */
export function debianMirrorsFromAptSources(texts: readonly string[]): {
  archive?: string;
  security?: string;
} {
  const found: { archive?: string; security?: string } = {};
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      for (const uri of lineUris(raw.trim())) {
        const clean = uri.replace(/\/+$/, '');
        if (!/^https?:\/\//.test(clean)) continue;
        if (clean.endsWith('/debian-security')) found.security ??= clean;
        else if (clean.endsWith('/debian')) found.archive ??= clean;
      }
    }
  }
  return found;
}

async function hostAptSourceTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const path of HOST_APT_SOURCES) {
    if (!existsSync(path)) continue;
    const files = path.endsWith('.d')
      ? (await readdir(path))
          .filter((f) => f.endsWith('.list') || f.endsWith('.sources'))
          .sort()
          .map((f) => join(path, f))
      : [path];
    for (const file of files) texts.push(await readFile(file, 'utf8').catch(() => ''));
  }
  return texts;
}

/**
 * The apt source lines, the same in the image as used to make it: bookworm, -updates and -security from
 * ARCHY_DEBIAN_MIRROR (an archive URI ending in /debian), else from the mirrors the host's apt uses. Empty
 * when neither names one: mmdebstrap then picks Debian's default mirrors itself.
 */
export function debianSources(
  env: NodeJS.ProcessEnv,
  host: { archive?: string; security?: string },
): string[] {
  const explicit = env['ARCHY_DEBIAN_MIRROR']?.replace(/\/+$/, '');
  const archive = explicit || host.archive;
  if (!archive) return [];
  const security = explicit ? `${explicit}-security` : (host.security ?? `${archive}-security`);
  return [
    `deb ${archive} ${SUITE} main`,
    `deb ${archive} ${SUITE}-updates main`,
    `deb ${security} ${SUITE}-security main`,
  ];
}

async function currentSources(): Promise<string[]> {
  return debianSources(process.env, debianMirrorsFromAptSources(await hostAptSourceTexts()));
}

async function localCaFiles(): Promise<{ name: string; path: string; bytes: Buffer }[]> {
  if (!existsSync(LOCAL_CA_DIR)) return [];
  const names = (await readdir(LOCAL_CA_DIR)).filter((n) => n.endsWith('.crt')).sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      path: join(LOCAL_CA_DIR, name),
      bytes: await readFile(join(LOCAL_CA_DIR, name)),
    })),
  );
}

async function debianInputsHash(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`recipe\0${RECIPE_VERSION}\0suite\0${SUITE}\0`);
  for (const line of await currentSources()) hash.update(`source\0${line}\0`);
  for (const pkg of [...DEBIAN_BASE_PACKAGES].sort()) hash.update(`package\0${pkg}\0`);
  for (const ca of await localCaFiles()) hash.update(`ca\0${ca.name}\0`).update(ca.bytes).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** mmdebstrap's arguments (pure): a tar of a minbase bookworm with our packages, CAs and apt settings. */
export function mmdebstrapArgs(options: {
  output: string;
  caFiles: readonly { name: string; path: string }[];
  root: boolean;
  sources: readonly string[];
}): string[] {
  const args = [
    '--variant=minbase',
    `--mode=${options.root ? 'root' : 'unshare'}`,
    '--format=tar',
    // Podman provides /dev; device nodes cannot be made without privileges anyway.
    '--skip=output/dev',
    `--include=${[...DEBIAN_BASE_PACKAGES].sort().join(',')}`,
    '--aptopt=APT::Install-Recommends "false"',
    '--aptopt=APT::Install-Suggests "false"',
  ];
  if (options.caFiles.length > 0) {
    args.push(`--customize-hook=mkdir -p "$1${LOCAL_CA_DIR}"`);
    for (const ca of options.caFiles)
      args.push(`--customize-hook=upload ${ca.path} ${LOCAL_CA_DIR}/${ca.name}`);
    args.push('--customize-hook=chroot "$1" update-ca-certificates >/dev/null');
  }
  args.push(SUITE, options.output, ...options.sources);
  return args;
}

/** Tarballs being made in this process, by inputs hash: concurrent callers share one mmdebstrap run. */
const pending = new Map<string, Promise<string>>();

async function makeTarball(inputs: string): Promise<string> {
  const dir = baseImageCacheDir();
  const path = join(dir, `${NAME}-${inputs}.tar`);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const timeoutSecs =
    Number(process.env['ARCHY_MMDEBSTRAP_TIMEOUT_SECS'] ?? DEFAULT_TIMEOUT_SECS) || DEFAULT_TIMEOUT_SECS;
  const caFiles = await localCaFiles();
  const run = await runBounded(
    'mmdebstrap',
    mmdebstrapArgs({ output: tmp, caFiles, root: process.getuid?.() === 0, sources: await currentSources() }),
    { timeoutMs: timeoutSecs * 1000 },
  );
  const reference = `localhost/archy-base/${NAME}`;
  if (run.spawnError || run.code !== 0) {
    await rm(tmp, { force: true });
    const tail = run.lastLines.slice(-8).join(' | ');
    const why = run.spawnError
      ? run.spawnError.code === 'ENOENT'
        ? 'mmdebstrap is not installed (install the Debian package mmdebstrap; scripts/setup-host does)'
        : `mmdebstrap could not start (${run.spawnError.message})`
      : run.timedOut
        ? `mmdebstrap did not finish within ${timeoutSecs} s (a slow or unreachable Debian mirror? ARCHY_MMDEBSTRAP_TIMEOUT_SECS raises the limit)`
        : `mmdebstrap failed (exit ${run.code ?? run.signal})`;
    throw new ImageUnavailableError(
      `Cannot make the base image ${reference}: ${why}.${tail ? ` Last output: ${tail}` : ''}`,
      reference,
      { operation: `make the ${NAME} root filesystem`, engineMessage: tail },
    );
  }
  // mmdebstrap removes the policy-rc.d it used while it ran (after the hooks): the image's own goes in after.
  await appendTarEntries(tmp, DEBIAN_EXTRA_ENTRIES);
  await rename(tmp, path);
  // Older tarballs of this recipe are superseded: keep one.
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(`${NAME}-`) && entry.endsWith('.tar') && join(dir, entry) !== path)
      await rm(join(dir, entry), { force: true });
  }
  return path;
}

/**
 * The cached root filesystem tarball for the current inputs, made when
 * missing (once per process even when asked concurrently). node24 builds on it.
 */
export async function debianRootfsTarball(): Promise<{ path: string; inputs: string }> {
  const inputs = await debianInputsHash();
  let making = pending.get(inputs);
  if (!making) {
    making = makeTarball(inputs).finally(() => pending.delete(inputs));
    pending.set(inputs, making);
  }
  return { path: await making, inputs };
}

export const debianBookwormRecipe: BaseImageRecipe = {
  name: NAME,
  tag: '12',
  inputsHash: debianInputsHash,
  async rootfs() {
    const { path } = await debianRootfsTarball();
    return () => createReadStream(path);
  },
  changes: [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'ENV LANG=C.UTF-8',
    'ENV DEBIAN_FRONTEND=noninteractive',
    'CMD ["/bin/bash"]',
  ],
};
