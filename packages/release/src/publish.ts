// Publishing a built release (scripts/release publish): the release repository
// is a TUF repository in the catalogs' format, signed by the release keys (the
// same ones, and the same root, as the official catalog). Each publish keeps
// every release signed so far, adds the new artifact as a target whose signed
// `custom` block describes it (@archipelago/update's ReleaseInfo), and signs a
// new targets, snapshot and timestamp. A version is published once: the same
// version with other bytes is refused, so a node can never see one version
// with two hashes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  buildSnapshot,
  buildTimestamp,
  loadReleaseKeys,
  metadataBytes,
  metadataPath,
  publisherKeyFromJson,
  sign,
  tufTime,
} from '@archipelago/registry';
import { ReleaseInfo, releaseTarget } from '@archipelago/update';
import { Metadata, MetadataKind, type Snapshot, TargetFile, Targets, type Timestamp } from '@tufjs/models';
import { ReleaseError } from './errors.ts';

const DAY = 86_400_000;
/** Days each online-signed role lasts; the targets role as long as a release is offered. */
export const RELEASE_EXPIRY_DAYS = { targets: 365, snapshot: 30, timestamp: 7 };

export type PublishOptions = {
  /** The release repository's web root (made when missing): `metadata/` and `targets/`. */
  repoDir: string;
  /** The release keys: `<role>.key.json` and `root.metadata.json`. */
  keysDir: string;
  /** The artifact scripts/release build wrote. */
  artifact: string;
  info: Omit<ReleaseInfo, '_type' | 'published_at'>;
  now?: Date;
  days?: Partial<typeof RELEASE_EXPIRY_DAYS>;
  /** Dev keys on first use (tests and development only). */
  generateDevKeys?: boolean;
};

export type Published = { target: string; length: number; sha256: string; targetsVersion: number };

async function hashFile(path: string): Promise<{ length: number; sha256: string }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { length, sha256: hash.digest('hex') };
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The targets the repository signs now, and its versions (none yet: an empty repository). */
async function current(repoDir: string): Promise<{
  targets: TargetFile[];
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
}> {
  const tsPath = join(repoDir, metadataPath('timestamp', null));
  if (!(await exists(tsPath)))
    return { targets: [], targetsVersion: 0, snapshotVersion: 0, timestampVersion: 0 };
  try {
    const ts: Metadata<Timestamp> = Metadata.fromJSON(
      MetadataKind.Timestamp,
      (await readJson(tsPath)) as never,
    );
    const snapVersion = ts.signed.snapshotMeta.version;
    const snap: Metadata<Snapshot> = Metadata.fromJSON(
      MetadataKind.Snapshot,
      (await readJson(join(repoDir, metadataPath('snapshot', snapVersion)))) as never,
    );
    const targetsVersion = snap.signed.meta['targets.json']?.version ?? 0;
    const targets: Metadata<Targets> = Metadata.fromJSON(
      MetadataKind.Targets,
      (await readJson(join(repoDir, metadataPath('targets', targetsVersion)))) as never,
    );
    return {
      targets: Object.values(targets.signed.targets),
      targetsVersion,
      snapshotVersion: snapVersion,
      timestampVersion: ts.signed.version,
    };
  } catch (err) {
    throw new ReleaseError(
      'bad_repository',
      `release publish: ${repoDir} is not a readable release repository: ${(err as Error).message}`,
    );
  }
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes, { mode: 0o644 });
  await rename(tmp, path);
}

export async function publishRelease(options: PublishOptions): Promise<Published> {
  const now = options.now ?? new Date();
  const days = { ...RELEASE_EXPIRY_DAYS, ...options.days };
  const parsed = ReleaseInfo.safeParse({
    _type: 'archipelago-release',
    ...options.info,
    published_at: now.toISOString(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReleaseError(
      'bad_release_info',
      `release publish: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    );
  }
  const info = parsed.data;
  const { keys, root } = await loadReleaseKeys(options.keysDir, now, {
    generateDevKeys: options.generateDevKeys,
  });
  const have = await current(options.repoDir);
  const { length, sha256 } = await hashFile(options.artifact);
  const path = releaseTarget(info.version);
  const earlier = have.targets.find((t) => t.path === path);
  if (earlier) {
    if (earlier.hashes['sha256'] === sha256)
      throw new ReleaseError(
        'already_published',
        `release publish: ${info.version} is already published with these bytes`,
      );
    throw new ReleaseError(
      'already_published',
      `release publish: ${info.version} is already published with other bytes (sha256 ${earlier.hashes['sha256']}); publish a new version`,
    );
  }
  const file = new TargetFile({
    path,
    length,
    hashes: { sha256 },
    unrecognizedFields: { custom: info as never },
  });
  const targetsVersion = have.targetsVersion + 1;
  const targets = sign(
    new Metadata(
      new Targets({
        version: targetsVersion,
        specVersion: root.signed.specVersion,
        expires: tufTime(new Date(now.getTime() + days.targets * DAY)),
        targets: Object.fromEntries([...have.targets, file].map((t) => [t.path, t])),
      }),
    ),
    [keys.targets],
  );
  const targetsBytes = metadataBytes(targets);
  const snapshot = sign(
    buildSnapshot({
      version: have.snapshotVersion + 1,
      expires: new Date(now.getTime() + days.snapshot * DAY),
      roles: { targets: { version: targetsVersion, bytes: targetsBytes } },
    }),
    [keys.snapshot],
  );
  const snapshotBytes = metadataBytes(snapshot);
  const timestamp = sign(
    buildTimestamp({
      version: have.timestampVersion + 1,
      expires: new Date(now.getTime() + days.timestamp * DAY),
      snapshot: { version: snapshot.signed.version, bytes: snapshotBytes },
    }),
    [keys.timestamp],
  );
  // The artifact and the metadata that name it first, the timestamp last: a node reading in between
  // still sees the previous, complete repository.
  const slash = path.lastIndexOf('/');
  const artifactTo = join(
    options.repoDir,
    'targets',
    path.slice(0, slash),
    `${sha256}.${path.slice(slash + 1)}`,
  );
  await mkdir(dirname(artifactTo), { recursive: true });
  await copyFile(options.artifact, `${artifactTo}.tmp`);
  await rename(`${artifactTo}.tmp`, artifactTo);
  await writeAtomic(join(options.repoDir, metadataPath('root', root.signed.version)), metadataBytes(root));
  await writeAtomic(join(options.repoDir, metadataPath('targets', targetsVersion)), targetsBytes);
  await writeAtomic(join(options.repoDir, metadataPath('snapshot', snapshot.signed.version)), snapshotBytes);
  await writeAtomic(join(options.repoDir, metadataPath('timestamp', null)), metadataBytes(timestamp));
  return { target: path, length, sha256, targetsVersion };
}

/**
 * The online key's daily job (scripts/release resign): a fresh timestamp for the snapshot the repository
 * already has, signed by the timestamp key alone, so the root, targets and snapshot keys can stay offline.
 */
export async function resignTimestamp(options: {
  repoDir: string;
  /** Only `timestamp.key.json` is read from it. */
  keysDir: string;
  now?: Date;
  days?: number;
}): Promise<{ version: number; expires: string }> {
  const now = options.now ?? new Date();
  const have = await current(options.repoDir);
  if (have.timestampVersion === 0)
    throw new ReleaseError(
      'bad_repository',
      `release resign: ${options.repoDir} has no timestamp yet; publish a release first`,
    );
  const keyFile = join(options.keysDir, 'timestamp.key.json');
  let keyText: string;
  try {
    keyText = await readFile(keyFile, 'utf8');
  } catch (err) {
    throw new ReleaseError(
      'missing_input',
      `release resign: the timestamp key ${keyFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const key = publisherKeyFromJson(keyText, keyFile);
  const snapshotBytes = await readFile(join(options.repoDir, metadataPath('snapshot', have.snapshotVersion)));
  const timestamp = sign(
    buildTimestamp({
      version: have.timestampVersion + 1,
      expires: new Date(now.getTime() + (options.days ?? RELEASE_EXPIRY_DAYS.timestamp) * DAY),
      snapshot: { version: have.snapshotVersion, bytes: snapshotBytes },
    }),
    [key],
  );
  await writeAtomic(join(options.repoDir, metadataPath('timestamp', null)), metadataBytes(timestamp));
  return { version: timestamp.signed.version, expires: timestamp.signed.expires };
}
