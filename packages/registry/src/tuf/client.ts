// The node's TUF client: tuf-js's Updater does every check of the TUF client
// workflow (root rotation, timestamp, snapshot, targets, delegations, lengths,
// hashes, expiries, rollback); this wrapper pins the trusted root per source,
// keeps tuf-js's metadata cache under the data root, reads the catalog's index
// and manifests as targets, and turns every refusal into a registry error.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Root } from '@tufjs/models';
import { type Fetcher, Updater } from 'tuf-js';
import { shortDid } from '../did-key.ts';
import { TufRefusedError } from '../errors.ts';
import { type Manifest, manifestHash, validateManifestValue } from '../manifest-api.ts';
import { didOfTufKey } from './keys.ts';
import { CatalogIndex, INDEX_TARGET, type IndexApp, METADATA_DIR, TARGETS_DIR } from './layout.ts';
import { tufRefusal } from './refusal.ts';

/** Size bounds for metadata whose length nothing signed gives (the spec's "endless data" defence). */
export const TUF_LIMITS = {
  rootMaxLength: 512 * 1024,
  timestampMaxLength: 16 * 1024,
  snapshotMaxLength: 2 * 1024 * 1024,
  targetsMaxLength: 16 * 1024 * 1024,
};

export type TufSourceOptions = {
  /** The repository's base: `metadata/` and `targets/` are under it (an http(s) URL, or a label for the shipped copy). */
  baseUrl: string;
  /** This source's cache under the data root: `metadata/` (tuf-js's trusted copies) and `targets/`. */
  cacheDir: string;
  /** The did:key the operator trusts: it must be a key of the root role. */
  publisher: string;
  /** How files are fetched: tuf-js's own HTTP fetcher by default; a directory fetcher for the shipped copy. */
  fetcher?: Fetcher;
  fetchTimeoutMs?: number;
  /** Only the cached metadata, no network (node start): expired metadata is still refused. */
  offline?: boolean;
};

export type TufApp = {
  id: string;
  manifest: Manifest;
  /** `sha256:` of the manifest's canonical JSON (the manifest target's bytes). */
  hash: string;
  entry: IndexApp;
};

export type TufCatalog = {
  name: string;
  publisher: string;
  rootVersion: number;
  rootKeys: string[];
  rootThreshold: number;
  /** The targets role's version: the catalog's version. */
  version: number;
  /** The earliest expiry of timestamp, snapshot and targets: after it, the node stops offering the copy. */
  expires: string;
  apps: TufApp[];
  rejectedApps: { id: string; field: string; message: string }[];
  /** Another target of this refresh (an icon, a context), through the same checks. */
  readTarget: (path: string) => Promise<Uint8Array>;
};

function metadataDir(cacheDir: string): string {
  return join(cacheDir, METADATA_DIR);
}

function rootDids(root: Metadata<Root>): string[] {
  return (
    root.signed.roles.root?.keyIDs.flatMap((id) => {
      const key = root.signed.keys[id];
      const did = key ? didOfTufKey(key) : null;
      return did ? [did] : [];
    }) ?? []
  );
}

/** Parse and check a root to trust first: self-signed at its threshold, and the publisher is one of its root keys. */
export function checkInitialRoot(
  bytes: Uint8Array,
  publisher: string,
  where: string,
  now: Date,
): Metadata<Root> {
  let root: Metadata<Root>;
  try {
    root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(new TextDecoder().decode(bytes)));
    root.verifyDelegate(MetadataKind.Root, root);
  } catch (err) {
    throw tufRefusal(err, where);
  }
  if (root.signed.isExpired(now))
    throw new TufRefusedError(
      'catalog.expired',
      where,
      `the root of ${where} expired on ${root.signed.expires}`,
    );
  if (!rootDids(root).includes(publisher))
    throw new TufRefusedError(
      'catalog.untrusted_root',
      where,
      `the root of ${where} does not list ${shortDid(publisher)} among its root keys: it is not that publisher's repository`,
    );
  return root;
}

/** Pin a root for a source (trust on first use, or the root shipped with the node). */
export async function pinRoot(cacheDir: string, rootBytes: Uint8Array): Promise<void> {
  const dir = metadataDir(cacheDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(join(cacheDir, TARGETS_DIR), { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.root.json.${process.pid}`);
  await writeFile(tmp, rootBytes, { mode: 0o600 });
  await rename(tmp, join(dir, 'root.json'));
}

/** A fetcher that never reaches anything: what `offline` uses so a refresh reads the cache only. */
class OfflineFetcher implements Fetcher {
  async downloadFile<T>(url: string): Promise<T> {
    throw new TypeError('fetch failed', { cause: { code: 'offline', message: `offline: ${url}` } });
  }
  async downloadBytes(url: string): Promise<Buffer> {
    return this.downloadFile(url);
  }
}

function updaterFor(options: TufSourceOptions): Updater {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetcher = options.offline ? new OfflineFetcher() : options.fetcher;
  return new Updater({
    metadataDir: metadataDir(options.cacheDir),
    metadataBaseUrl: `${base}/${METADATA_DIR}`,
    targetDir: join(options.cacheDir, TARGETS_DIR),
    targetBaseUrl: `${base}/${TARGETS_DIR}`,
    forceCache: options.offline === true,
    ...(fetcher ? { fetcher } : {}),
    config: { ...TUF_LIMITS, fetchTimeout: options.fetchTimeoutMs ?? 30_000, fetchRetries: 0 },
  });
}

/** Fetch one target through the updater: found in some role trusted for its path, downloaded at most to its signed length, hash checked. */
async function targetBytes(updater: Updater, path: string, where: string): Promise<Uint8Array> {
  const info = await updater.getTargetInfo(path);
  if (!info)
    throw new TufRefusedError(
      'catalog.target_unknown',
      where,
      `the catalog at ${where} names "${path}", but no role trusted for that path signs it`,
    );
  const cached = await updater.findCachedTarget(info);
  const file = cached ?? (await updater.downloadTarget(info));
  return new Uint8Array(await readFile(file));
}

async function readTrusted(cacheDir: string, role: string): Promise<{ version: number; expires: string }> {
  const json = JSON.parse(await readFile(join(metadataDir(cacheDir), `${role}.json`), 'utf8')) as {
    signed: { version: number; expires: string };
  };
  return { version: json.signed.version, expires: json.signed.expires };
}

/**
 * Refresh a source through tuf-js and read its catalog: the index, then each
 * app's manifest, each a target checked against its signed length and hash.
 * An app whose manifest fails validation is left out and reported.
 */
export async function fetchTufCatalog(options: TufSourceOptions): Promise<TufCatalog> {
  const where = options.baseUrl;
  let root: Metadata<Root>;
  try {
    root = Metadata.fromJSON(
      MetadataKind.Root,
      JSON.parse(await readFile(join(metadataDir(options.cacheDir), 'root.json'), 'utf8')),
    );
  } catch {
    throw new TufRefusedError('catalog.untrusted_root', where, `no trusted root is pinned for ${where}`);
  }
  const updater = updaterFor(options);
  let index: CatalogIndex;
  const apps: TufApp[] = [];
  const rejectedApps: TufCatalog['rejectedApps'] = [];
  try {
    await updater.refresh();
    const text = new TextDecoder().decode(await targetBytes(updater, INDEX_TARGET, where));
    const parsed = CatalogIndex.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TufRefusedError(
        'catalog.malformed',
        where,
        `the catalog index of ${where} (${INDEX_TARGET}) is malformed at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
      );
    }
    index = parsed.data;
    for (const entry of index.apps) {
      const bytes = await targetBytes(updater, entry.manifest, where);
      const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
      const result = validateManifestValue(value, `${where} ${entry.manifest}`);
      if (!result.ok) {
        const issue = result.errors[0];
        rejectedApps.push({
          id: entry.id,
          field: issue?.path ?? '',
          message: issue?.message ?? 'invalid manifest',
        });
        continue;
      }
      if (result.manifest.id !== entry.id) {
        rejectedApps.push({
          id: entry.id,
          field: 'id',
          message: `the manifest's id is "${result.manifest.id}", the index says "${entry.id}"`,
        });
        continue;
      }
      apps.push({ id: entry.id, manifest: result.manifest, hash: manifestHash(value), entry });
    }
  } catch (err) {
    throw tufRefusal(err, where);
  }
  // tuf-js persisted what it verified: read versions and expiries back from its cache.
  const current = Metadata.fromJSON(
    MetadataKind.Root,
    JSON.parse(await readFile(join(metadataDir(options.cacheDir), 'root.json'), 'utf8')),
  );
  root = current;
  const roles = await Promise.all(
    ['timestamp', 'snapshot', 'targets'].map((r) => readTrusted(options.cacheDir, r)),
  );
  const expires = roles.map((r) => r.expires).sort()[0] ?? root.signed.expires;
  const dids = rootDids(root);
  if (!dids.includes(options.publisher))
    throw new TufRefusedError(
      'catalog.untrusted_root',
      where,
      `the current root of ${where} no longer lists ${shortDid(options.publisher)}: the publisher rotated its root keys; add the source again with one of its new keys`,
    );
  return {
    name: index.name,
    publisher: options.publisher,
    rootVersion: root.signed.version,
    rootKeys: dids,
    rootThreshold: root.signed.roles.root?.threshold ?? 1,
    version: roles[2]?.version ?? 0,
    expires,
    apps,
    rejectedApps,
    readTarget: async (path) => {
      try {
        return await targetBytes(updater, path, where);
      } catch (err) {
        throw tufRefusal(err, where);
      }
    },
  };
}
