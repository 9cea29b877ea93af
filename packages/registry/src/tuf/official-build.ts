// Building the official catalog's signed snapshot from the repository's apps/:
// what scripts/official-catalog runs at bootstrap and what a release does with
// the real release keys. Development builds use dev keys generated on first
// use into a git-ignored folder; a release points `keysDir` at the keys
// brought out for the ceremony (docs/publishing-apps.md). The snapshot's
// metadata lasts as long as a release is supported (it is read from disk,
// never refreshed from a server), and its versions are the build time in
// seconds, so a newer build is always newer to a node that saw an older one.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Root } from '@tufjs/models';
import { packContext } from '../context-bundle.ts';
import { MalformedDocumentError, RegistryError } from '../errors.ts';
import { loadAppsDir } from '../files.ts';
import {
  generatePublisherKey,
  type PublisherKey,
  publisherKeyFromJson,
  publisherKeyToJson,
} from '../keys.ts';
import { QualityFile } from './layout.ts';
import { metadataBytes, TOP_ROLES, type TopRole } from './publish.ts';
import { catalogTargets, type PublishedApp, TufRepository } from './repository.ts';
import { writeRepository } from './repo-files.ts';

export const OFFICIAL_CATALOG_NAME = 'Archipelago';
const ROOT_METADATA = 'root.metadata.json';
const EXT: Record<string, 'png' | 'svg' | 'jpg' | 'webp'> = {
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

export type OfficialBuildOptions = {
  appsDir: string;
  /** One key file per top-level role (`<role>.key.json`, mode 0600) and the signed root (`root.metadata.json`). */
  keysDir: string;
  /** Where the snapshot is written (replaced). */
  outDir: string;
  /** Where the release root the node trusts is written. */
  rootFile: string;
  now?: Date;
  /** How long the snapshot's metadata is valid, in days. */
  days?: number;
  /** Generate dev keys when `keysDir` has none (never for a release). */
  generateDevKeys?: boolean;
  /**
   * The levels gate runs proved (`archy gate --quality FILE`, docs/quality-levels.md), in order: an app
   * rated in a later file takes that file's level (a newer local run over the committed one). None
   * published without any.
   */
  qualityFiles?: readonly string[];
};

/** Read the gate's quality file; a file that is there but wrong stops the build (a release must not lose its levels silently). */
async function readQuality(file: string): Promise<QualityFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RegistryError(
      'quality_file_unreadable',
      `cannot read the quality file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedDocumentError('', `the quality file ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = QualityFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new MalformedDocumentError(
      field,
      `the quality file ${file}: ${field || '(top)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export type ReleaseKeys = { keys: Record<TopRole, PublisherKey>; root: Metadata<Root>; generated: boolean };

/**
 * The release keys (one per top-level role) and the signed root they belong to: what signs the official
 * catalog and the platform's releases (@archipelago/release). Dev keys are generated on first use only when
 * asked (never for a real release).
 */
export function loadReleaseKeys(
  keysDir: string,
  now: Date,
  options: { generateDevKeys?: boolean | undefined } = {},
): Promise<ReleaseKeys> {
  return roleKeys({ keysDir, generateDevKeys: options.generateDevKeys }, now);
}

async function roleKeys(
  options: { keysDir: string; generateDevKeys?: boolean | undefined },
  now: Date,
): Promise<ReleaseKeys> {
  const file = (role: TopRole) => join(options.keysDir, `${role}.key.json`);
  if (!(await exists(file('root')))) {
    if (!options.generateDevKeys)
      throw new RegistryError(
        'key_file_invalid',
        `no release keys in ${options.keysDir} (root.key.json is missing)`,
      );
    await mkdir(options.keysDir, { recursive: true, mode: 0o700 });
    const keys = Object.fromEntries(TOP_ROLES.map((r) => [r, generatePublisherKey()])) as Record<
      TopRole,
      PublisherKey
    >;
    for (const r of TOP_ROLES)
      await writeFile(file(r), publisherKeyToJson(keys[r], now), { mode: 0o600, flag: 'wx' });
    const roles = Object.fromEntries(
      TOP_ROLES.map((r) => [r, { dids: [keys[r].did], threshold: 1 }]),
    ) as Record<TopRole, { dids: string[]; threshold: number }>;
    const repo = TufRepository.create(roles, [keys.root], now, 3650);
    await writeFile(join(options.keysDir, ROOT_METADATA), metadataBytes(repo.root), { mode: 0o644 });
    return { keys, root: repo.root, generated: true };
  }
  const keys = {} as Record<TopRole, PublisherKey>;
  for (const r of TOP_ROLES) keys[r] = publisherKeyFromJson(await readFile(file(r), 'utf8'), file(r));
  const root = Metadata.fromJSON(
    MetadataKind.Root,
    JSON.parse(await readFile(join(options.keysDir, ROOT_METADATA), 'utf8')),
  );
  return { keys, root, generated: false };
}

/** Build and sign the snapshot. Throws a RegistryError naming the manifest when an app in `appsDir` is invalid. */
export async function buildOfficialCatalog(options: OfficialBuildOptions): Promise<{
  apps: number;
  version: number;
  generatedKeys: boolean;
  publisher: string;
  /** Apps that publish a proven level (their version matched the gate run's). */
  rated: number;
}> {
  const now = options.now ?? new Date();
  const quality: QualityFile['apps'] = {};
  for (const file of options.qualityFiles ?? []) Object.assign(quality, (await readQuality(file)).apps);
  const loaded = await loadAppsDir(options.appsDir);
  if (loaded.problems.length > 0)
    throw new RegistryError(
      'invalid_manifest',
      `the official catalog cannot be built:\n  ${loaded.problems.join('\n  ')}`,
    );
  const apps: PublishedApp[] = [];
  for (const app of loaded.apps) {
    const entry: PublishedApp = { manifest: JSON.parse(JSON.stringify(app.manifest)) };
    if (app.icon) entry.icon = { bytes: app.icon.bytes, ext: EXT[app.icon.ref.media_type] ?? 'png' };
    if (app.manifest.containers.some((c) => c.build)) entry.context = (await packContext(app.dir)).bytes;
    const proven = quality[app.manifest.id];
    if (proven && proven.version === app.manifest.version) {
      const { version: _, ...claim } = proven;
      entry.quality = claim;
    }
    apps.push(entry);
  }
  const { keys, root, generated } = await roleKeys(options, now);
  const repo = new TufRepository();
  repo.roots.push(root);
  const version = Math.floor(now.getTime() / 1000);
  const days = options.days ?? 365;
  repo.setTargets(catalogTargets(OFFICIAL_CATALOG_NAME, apps), [keys.targets], now, { version, days });
  repo.resign([keys.snapshot], [keys.timestamp], now, { snapshot: days, timestamp: days }, version);
  await rm(options.outDir, { recursive: true, force: true });
  await writeRepository(options.outDir, repo.files());
  await writeFile(options.rootFile, metadataBytes(root));
  return {
    apps: apps.length,
    version,
    generatedKeys: generated,
    publisher: keys.root.did,
    rated: apps.filter((a) => a.quality).length,
  };
}
