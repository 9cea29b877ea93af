// The node's client for platform releases: tuf-js's Updater does every check
// of the TUF client workflow on the release repository (root rotation,
// timestamp, snapshot, targets, expiries, rollback of metadata, signed lengths
// and hashes of every download); this wrapper pins the release root shipped
// with the node, lists the signed releases, chooses (choose.ts) and downloads
// one. Every refusal is an error with a `release.` code and a sentence.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pinRoot, TUF_LIMITS, tufRefusal, type TufSubject } from '@archipelago/registry';
import { Metadata, MetadataKind, type Root, type Targets } from '@tufjs/models';
import { type Fetcher, Updater } from 'tuf-js';
import {
  chooseRelease,
  describeTarget,
  type OfferedRelease,
  type ReleaseChoice,
  refusalOf,
} from './choose.ts';
import { UpdateError } from './errors.ts';
import { DEFAULT_MAX_RELEASE_BYTES, type ReleaseChannel, releaseTarget } from './release-layout.ts';

const METADATA = 'metadata';
const TARGETS = 'targets';
const SUBJECT: TufSubject = { prefix: 'release', noun: 'the release repository' };

export type ReleaseSource = {
  /** The repository's base URL: `metadata/` and `targets/` are under it. */
  baseUrl: string;
  /** This node's cache for it: tuf-js's trusted metadata and downloaded artifacts. */
  cacheDir: string;
  /** The release root shipped with the node (pinned on first use; later roots must chain from it). */
  root: Uint8Array;
  fetchTimeoutMs?: number;
  /** Releases larger than this are refused before download (default 1 GiB). */
  maxReleaseBytes?: number;
  fetcher?: Fetcher;
};

export type UpdateCheck = ReleaseChoice & {
  installed: string;
  channel: ReleaseChannel;
  /** The release repository's root version and the earliest expiry of its signed metadata. */
  rootVersion: number;
  expires: string;
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function updater(source: ReleaseSource): Promise<Updater> {
  const metadataDir = join(source.cacheDir, METADATA);
  if (!(await exists(join(metadataDir, 'root.json')))) {
    try {
      const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(new TextDecoder().decode(source.root)));
      root.verifyDelegate(MetadataKind.Root, root);
    } catch (err) {
      throw new UpdateError(
        'release.no_root',
        `the release root shipped with this node is not a valid self-signed TUF root: ${(err as Error).message}`,
      );
    }
    await pinRoot(source.cacheDir, source.root);
  }
  await mkdir(join(source.cacheDir, TARGETS), { recursive: true, mode: 0o700 });
  const base = source.baseUrl.replace(/\/+$/, '');
  return new Updater({
    metadataDir,
    metadataBaseUrl: `${base}/${METADATA}`,
    targetDir: join(source.cacheDir, TARGETS),
    targetBaseUrl: `${base}/${TARGETS}`,
    ...(source.fetcher ? { fetcher: source.fetcher } : {}),
    config: { ...TUF_LIMITS, fetchTimeout: source.fetchTimeoutMs ?? 30_000, fetchRetries: 0 },
  });
}

// tuf-js keeps what it verified as `<role>.json` in the metadata directory.
async function trustedJson(cacheDir: string, role: string): Promise<unknown> {
  return JSON.parse(await readFile(join(cacheDir, METADATA, `${role}.json`), 'utf8'));
}

async function expiries(cacheDir: string): Promise<string> {
  const all = await Promise.all(
    ['timestamp', 'snapshot', 'targets'].map(async (role) => {
      const json = (await trustedJson(cacheDir, role)) as { signed: { expires: string } };
      return json.signed.expires;
    }),
  );
  return all.sort()[0] ?? '';
}

/** Refresh the repository through tuf-js and say which release, if any, this node may take. */
export async function checkReleases(
  source: ReleaseSource,
  installed: string,
  channel: ReleaseChannel,
): Promise<UpdateCheck> {
  const u = await updater(source);
  try {
    await u.refresh();
  } catch (err) {
    throw tufRefusal(err, source.baseUrl, SUBJECT);
  }
  const targets: Metadata<Targets> = Metadata.fromJSON(
    MetadataKind.Targets,
    (await trustedJson(source.cacheDir, 'targets')) as never,
  );
  const root: Metadata<Root> = Metadata.fromJSON(
    MetadataKind.Root,
    (await trustedJson(source.cacheDir, 'root')) as never,
  );
  const signed = Object.values(targets.signed.targets).map((t) => ({
    path: t.path,
    length: t.length,
    sha256: t.hashes['sha256'] ?? '',
    custom: t.custom,
  }));
  const choice = chooseRelease(
    signed,
    installed,
    channel,
    source.maxReleaseBytes ?? DEFAULT_MAX_RELEASE_BYTES,
  );
  return {
    ...choice,
    installed,
    channel,
    rootVersion: root.signed.version,
    expires: await expiries(source.cacheDir),
  };
}

/**
 * Download one release into the cache, verified: refreshed metadata names it, the node may take it
 * (newer, from a version it allows, not over-size), and tuf-js cuts the download at its signed length
 * and checks its hash. Returns the artifact's path.
 */
export async function downloadRelease(
  source: ReleaseSource,
  version: string,
  installed: string,
): Promise<{ path: string; release: OfferedRelease }> {
  const u = await updater(source);
  const path = releaseTarget(version);
  try {
    await u.refresh();
    const info = await u.getTargetInfo(path);
    if (!info)
      throw new UpdateError(
        'release.not_newer',
        `the release repository at ${source.baseUrl} signs no release ${version} (${path})`,
      );
    const described = describeTarget({
      path: info.path,
      length: info.length,
      sha256: info.hashes['sha256'] ?? '',
      custom: info.custom,
    });
    if ('code' in described) throw new UpdateError('release.malformed_info', described.reason);
    const why = refusalOf(described, installed, source.maxReleaseBytes ?? DEFAULT_MAX_RELEASE_BYTES);
    if (why) throw new UpdateError(why.code as 'release.not_newer', why.reason);
    const cached = await u.findCachedTarget(info);
    return { path: cached ?? (await u.downloadTarget(info)), release: described };
  } catch (err) {
    if (err instanceof UpdateError) throw err;
    throw tufRefusal(err, source.baseUrl, SUBJECT);
  }
}
