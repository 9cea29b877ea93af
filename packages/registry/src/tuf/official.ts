// The official catalog the node ships with: a signed snapshot of a TUF
// repository on disk (built by scripts/official-catalog), verified at every
// start through the same client as any remote catalog, against the release
// root that ships with the software. Anything that fails is refused: the
// caller shows the reason and offers none of its apps.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Metadata, MetadataKind } from '@tufjs/models';
import { contextHash, unpackContext } from '../context-bundle.ts';
import { TufRefusedError } from '../errors.ts';
import { iconHash, type LoadedApp } from '../files.ts';
import { checkInitialRoot, fetchTufCatalog, pinRoot, type TufCatalog } from './client.ts';
import { DirectoryFetcher } from './directory-fetcher.ts';
import { didOfTufKey } from './keys.ts';

export type OfficialCatalogPaths = {
  /** The signed snapshot: `metadata/` and `targets/` of the repository. */
  dir: string;
  /** The release root the node trusts (ships with the software, outside the snapshot). */
  root: string;
};

export type OfficialCatalog = { catalog: TufCatalog; apps: LoadedApp[]; publisher: string };

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** The first root key of the release root: the official publisher's did:key. */
function publisherOf(rootBytes: Uint8Array, where: string): string {
  try {
    const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(new TextDecoder().decode(rootBytes)));
    const id = root.signed.roles.root?.keyIDs[0];
    const key = id ? root.signed.keys[id] : undefined;
    const did = key ? didOfTufKey(key) : null;
    if (did) return did;
  } catch {
    // reported below
  }
  throw new TufRefusedError(
    'catalog.untrusted_root',
    where,
    `the release root ${where} is not a TUF root with an Ed25519 root key`,
  );
}

export async function isOfficialCatalogBuilt(paths: OfficialCatalogPaths): Promise<boolean> {
  try {
    return (await stat(join(paths.dir, 'metadata'))).isDirectory();
  } catch {
    return false;
  }
}

/** Verify the shipped snapshot and turn its apps into loaded apps (contexts unpacked under `workDir/contexts`). */
export async function loadOfficialCatalog(
  paths: OfficialCatalogPaths,
  workDir: string,
): Promise<OfficialCatalog> {
  let rootBytes: Uint8Array;
  try {
    rootBytes = new Uint8Array(await readFile(paths.root));
  } catch {
    throw new TufRefusedError(
      'catalog.untrusted_root',
      paths.root,
      `the release root ${paths.root} is missing: the official catalog cannot be verified`,
    );
  }
  const publisher = publisherOf(rootBytes, paths.root);
  checkInitialRoot(rootBytes, publisher, paths.root, new Date());
  const cacheDir = join(workDir, 'tuf', 'official');
  // The release root is pinned again at every start; tuf-js keeps the newest timestamp and snapshot it saw, so an older shipped copy is still a rollback.
  await pinRoot(cacheDir, rootBytes);
  const catalog = await fetchTufCatalog({
    baseUrl: pathToFileURL(paths.dir).href,
    fetcher: new DirectoryFetcher(paths.dir),
    cacheDir,
    publisher,
  });
  const contexts = join(workDir, 'contexts');
  await mkdir(contexts, { recursive: true, mode: 0o700 });
  const apps: LoadedApp[] = [];
  for (const app of catalog.apps) {
    let dir = '';
    if (app.entry.context) {
      const bytes = await catalog.readTarget(app.entry.context);
      dir = await unpackContext(bytes, contextHash(bytes), contexts, `official app "${app.id}"`);
    }
    const loaded: LoadedApp = { manifest: app.manifest, dir };
    if (app.entry.icon) {
      const bytes = await catalog.readTarget(app.entry.icon.path);
      const hash = iconHash(bytes);
      const ext = EXT[app.entry.icon.media_type] ?? 'png';
      loaded.icon = {
        ref: { hash, media_type: app.entry.icon.media_type, path: `icons/${hash.slice(7)}.${ext}` as never },
        bytes,
      };
    }
    apps.push(loaded);
  }
  return { catalog, apps, publisher };
}
