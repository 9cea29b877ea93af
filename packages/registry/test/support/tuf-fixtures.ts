// Repositories for the TUF tests, built with the registry's own publishing
// code: keys for every role, a repository of sample apps written to a real
// directory, and a node-side cache with its root pinned.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  catalogTargets,
  generatePublisherKey,
  metadataBytes,
  type PublishedApp,
  type PublisherKey,
  pinRoot,
  type RoleKeys,
  type TopRole,
  TufRepository,
  writeRepository,
} from '@archipelago/registry';
import { sampleManifestValue } from './catalog-fixtures.ts';

export type RoleKeySet = Record<TopRole, PublisherKey[]>;

export function roleKeys(counts: Partial<Record<TopRole, number>> = {}): RoleKeySet {
  const make = (n: number) => Array.from({ length: n }, () => generatePublisherKey());
  return {
    root: make(counts.root ?? 2),
    targets: make(counts.targets ?? 1),
    snapshot: make(counts.snapshot ?? 1),
    timestamp: make(counts.timestamp ?? 1),
  };
}

export function rolesOf(
  keys: RoleKeySet,
  thresholds: Partial<Record<TopRole, number>> = {},
): Record<TopRole, RoleKeys> {
  const role = (r: TopRole): RoleKeys => ({
    dids: keys[r].map((k) => k.did),
    threshold: thresholds[r] ?? keys[r].length,
  });
  return {
    root: role('root'),
    targets: role('targets'),
    snapshot: role('snapshot'),
    timestamp: role('timestamp'),
  };
}

export function sampleApps(ids: string[]): PublishedApp[] {
  return ids.map((id) => ({
    manifest: sampleManifestValue(id) as PublishedApp['manifest'],
    quality: { level: 5, run_at: '2026-11-30T10:00:00Z', reasons: ['every lifecycle step passed 3 rounds'] },
  }));
}

/** A repository with every top-level role, its apps as targets, snapshot and timestamp signed. */
export function buildRepo(keys: RoleKeySet, ids = ['alpha', 'beta'], now = new Date()): TufRepository {
  const repo = TufRepository.create(rolesOf(keys), keys.root, now);
  repo.setTargets(catalogTargets('Test catalog', sampleApps(ids)), keys.targets, now);
  repo.resign(keys.snapshot, keys.timestamp, now);
  return repo;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `archy-tuf-${prefix}-`));
}

/** The publisher's web root with the repository written into it. */
export async function publish(repo: TufRepository, dir?: string): Promise<string> {
  const to = dir ?? (await tempDir('repo'));
  await writeRepository(to, repo.files());
  return to;
}

/** A node-side cache for one source, with the repository's first root pinned (what adding the source does). */
export async function nodeCache(repo: TufRepository): Promise<string> {
  const dir = await tempDir('node');
  const first = repo.roots[0];
  if (!first) throw new Error('no root');
  await pinRoot(dir, metadataBytes(first));
  return dir;
}
