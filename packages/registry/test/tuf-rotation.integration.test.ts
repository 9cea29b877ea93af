// Rotation of every role, the offline root with an online timestamp key, and
// the shipped copy read from disk. Real parts: repositories built with the
// registry's publishing code, written to disk, served over loopback HTTP (or
// read through the directory fetcher, as the node reads its shipped catalog).
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  buildRoot,
  catalogTargets,
  DirectoryFetcher,
  fetchTufCatalog,
  generatePublisherKey,
  metadataBytes,
  metadataPath,
  RegistryError,
  sign,
} from '@archipelago/registry';
import { startTufHost, type TufHost } from './support/tuf-host.ts';
import { buildRepo, nodeCache, publish, roleKeys, rolesOf, sampleApps } from './support/tuf-fixtures.ts';

const DAY = 86_400_000;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function serve(dir: string): Promise<TufHost> {
  const host = await startTufHost(dir);
  cleanups.push(
    () => host.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  return host;
}

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RegistryError, `expected a registry refusal, got ${String(err)}`);
    return err;
  }
  assert.fail('the node accepted what it should have refused');
}

describe('rotation and the online keys', () => {
  test('root rotation: the old root’s threshold and the new one’s sign root 2; the node follows it', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const publisher = keys.root[0]!.did;
    assert.equal((await fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher })).rootVersion, 1);
    // Every role gets new keys but the publisher's first root key stays (its identity).
    const next = { ...roleKeys(), root: [keys.root[0]!, generatePublisherKey()] };
    const now = new Date();
    repo.rotateRoot(rolesOf(next), [...keys.root, next.root[1]!], now);
    repo.setTargets(
      catalogTargets('Test catalog', sampleApps(['alpha', 'beta', 'gamma'])),
      next.targets,
      now,
    );
    repo.resign(next.snapshot, next.timestamp, now);
    await publish(repo, dir);
    const cat = await fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher });
    assert.equal(cat.rootVersion, 2);
    assert.deepEqual(
      cat.apps.map((a) => a.id),
      ['alpha', 'beta', 'gamma'],
    );
  });

  test('a fork: root 2 signed only by new keys (not a threshold of root 1) is refused', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const thief = roleKeys();
    const fork = sign(
      buildRoot({ version: 2, expires: new Date(Date.now() + 365 * DAY), roles: rolesOf(thief) }),
      thief.root,
    );
    await writeFile(join(dir, metadataPath('root', 2)), metadataBytes(fork));
    const err = await refusal(
      fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher: keys.root[0]!.did }),
    );
    assert.equal(err.code, 'catalog.unsigned');
    assert.match(err.message, /root was signed by 0\/2 keys/);
  });

  test('a rotation signed by only one of two old root keys is refused (threshold of the old root)', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const fresh = roleKeys();
    const half = sign(
      buildRoot({ version: 2, expires: new Date(Date.now() + 365 * DAY), roles: rolesOf(fresh) }),
      [keys.root[0]!, ...fresh.root],
    );
    await writeFile(join(dir, metadataPath('root', 2)), metadataBytes(half));
    const err = await refusal(
      fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher: keys.root[0]!.did }),
    );
    assert.equal(err.code, 'catalog.unsigned');
  });

  test('offline root: the online timestamp key alone re-signs each day and the node keeps accepting', async () => {
    const keys = roleKeys();
    const start = Date.now() - 5 * DAY;
    const repo = buildRepo(keys, ['alpha'], new Date(start));
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const publisher = keys.root[0]!.did;
    // Five daily timestamps, each valid one day from its own day: only the last one is current now.
    for (let day = 1; day <= 5; day++) repo.retimestamp(keys.timestamp, new Date(start + day * DAY + 60_000));
    await publish(repo, dir);
    const cat = await fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher });
    assert.equal(cat.apps.length, 1);
    assert.equal(repo.timestamp.signed.version, 6);
    assert.equal(repo.roots.length, 1, 'the root was never signed again');
    // Without the daily re-signing the copy goes stale: the day-old timestamp of yesterday is refused.
    repo.retimestamp(keys.timestamp, new Date(Date.now() - 2 * DAY));
    await publish(repo, dir);
    const err = await refusal(
      fetchTufCatalog({ baseUrl: host.url, cacheDir: await nodeCache(repo), publisher }),
    );
    assert.equal(err.code, 'catalog.expired');
  });

  test('targets key rotation by the root: the old targets key can no longer sign', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const publisher = keys.root[0]!.did;
    const now = new Date();
    const next = { ...keys, targets: [generatePublisherKey()] };
    repo.rotateRoot(rolesOf(next), keys.root, now);
    repo.setTargets(catalogTargets('Test catalog', sampleApps(['alpha'])), keys.targets, now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    await publish(repo, dir);
    const err = await refusal(fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher }));
    assert.equal(err.code, 'catalog.unsigned');
    repo.setTargets(catalogTargets('Test catalog', sampleApps(['alpha'])), next.targets, now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    await publish(repo, dir);
    assert.equal((await fetchTufCatalog({ baseUrl: host.url, cacheDir: cache, publisher })).apps.length, 1);
  });
});

describe('the shipped copy, read from disk', () => {
  test('verifies through the directory fetcher; one byte changed on disk and it is refused', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const options = {
      baseUrl: pathToFileURL(dir).href,
      fetcher: new DirectoryFetcher(dir),
      publisher: keys.root[0]!.did,
    };
    const ok = await fetchTufCatalog({ ...options, cacheDir: await nodeCache(repo) });
    assert.equal(ok.apps.length, 2);
    const file = join(dir, metadataPath('targets', 1));
    const text = await readFile(file, 'utf8');
    // One hex digit of a target's hash, same length: what bit rot or a tampered install leaves.
    const at = text.indexOf('"sha256": "') + '"sha256": "'.length;
    const flipped = text[at] === 'a' ? 'b' : 'a';
    await writeFile(file, text.slice(0, at) + flipped + text.slice(at + 1));
    const err = await refusal(fetchTufCatalog({ ...options, cacheDir: await nodeCache(repo) }));
    assert.equal(err.code, 'catalog.hash_mismatch');
    assert.match(err.message, /is refused/);
  });
});
