// The TUF specification's attack classes against the node's TUF client
// (tuf-js through the registry's wrapper). Real parts: every test builds a
// real repository with the registry's publishing code, writes it to a
// directory on disk, serves it over HTTP on loopback (support/tuf-host.ts) and
// shows the node refusing the attack with a code and a reason that says why.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildTimestamp,
  catalogTargets,
  fetchTufCatalog,
  generatePublisherKey,
  manifestTarget,
  metadataBytes,
  metadataPath,
  RegistryError,
  sign,
  targetFilePath,
  writeRepository,
} from '@archipelago/registry';
import { sampleManifestValue } from './support/catalog-fixtures.ts';
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

function client(host: TufHost, cacheDir: string, publisher: string) {
  return fetchTufCatalog({ baseUrl: host.url, cacheDir, publisher });
}

describe('TUF attack classes, each refused', () => {
  test('a well-formed repository is accepted: its apps, hashes and quality claims come through', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const host = await serve(await publish(repo));
    const cat = await client(host, await nodeCache(repo), keys.root[0]!.did);
    assert.deepEqual(
      cat.apps.map((a) => a.id),
      ['alpha', 'beta'],
    );
    assert.equal(cat.version, 1);
    assert.equal(cat.rootThreshold, 2);
    assert.match(cat.apps[0]!.hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(cat.apps[0]!.entry.quality?.level, 5);
  });

  test('arbitrary installation: targets signed by a key the root does not list', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const now = new Date();
    const attacker = generatePublisherKey();
    repo.setTargets(catalogTargets('Evil', sampleApps(['evil'])), [attacker], now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.unsigned');
    assert.match(err.message, /not signed by a threshold/);
    assert.match(err.message, new RegExp(host.url.replace(/[.:/]/g, '\\$&')));
  });

  test('endless data: a 1 GB targets file is cut at the length the snapshot signs, long before 1 GB', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const host = await serve(await publish(repo));
    host.endless.add(`/${metadataPath('targets', 1)}`);
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.too_large');
    // The server stops once the client hangs up; what it pushed is bounded by socket buffers, not by 1 GB.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(host.endlessBytesSent() < 256 * 1024 * 1024, `sent ${host.endlessBytesSent()} bytes`);
  });

  test('endless data: a timestamp without end is cut at the fixed timestamp bound', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const host = await serve(await publish(repo));
    host.endless.add(`/${metadataPath('timestamp', null)}`);
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.too_large');
  });

  test('extraneous dependencies: a delegated role signing outside its paths is not trusted for them', async () => {
    const keys = roleKeys();
    const maintainer = generatePublisherKey();
    const now = new Date();
    const repo = buildRepo(keys);
    // The index (signed by targets) lists "gamma", but only the delegation signs its manifest, outside its paths.
    const all = catalogTargets('Test catalog', sampleApps(['alpha', 'gamma']));
    const gamma = all.find((t) => t.path === manifestTarget('gamma'))!;
    repo.setTargets(
      all.filter((t) => t !== gamma),
      keys.targets,
      now,
      {
        delegations: [
          {
            name: 'community',
            dids: [maintainer.did],
            threshold: 1,
            paths: ['apps/community-*/*'],
            terminating: true,
          },
        ],
      },
    );
    repo.setDelegated('community', [gamma], [maintainer], now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.target_unknown');
    assert.match(err.message, /apps\/gamma\/manifest\.json/);
  });

  test('a delegation trying to sign the official catalog’s own targets is refused', async () => {
    const keys = roleKeys();
    const maintainer = generatePublisherKey();
    const now = new Date();
    const repo = buildRepo(keys);
    const official = catalogTargets('Official', sampleApps(['alpha', 'community-x']));
    const own = official.find((t) => t.path === manifestTarget('community-x'))!;
    const forged = {
      path: manifestTarget('alpha'),
      bytes: new TextEncoder().encode(JSON.stringify(sampleManifestValue('alpha', { version: '6.6.6' }))),
    };
    repo.setTargets(
      official.filter((t) => t !== own && t.path !== forged.path),
      keys.targets,
      now,
      {
        delegations: [
          {
            name: 'community',
            dids: [maintainer.did],
            threshold: 1,
            paths: ['apps/community-*/*'],
            terminating: true,
          },
        ],
      },
    );
    repo.setDelegated('community', [own, forged], [maintainer], now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.target_unknown');
    assert.match(err.message, /apps\/alpha\/manifest\.json/);
  });

  test('fast-forward: a mirror’s timestamp naming snapshot 1000, signed by its own key, moves nothing', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    const mirror = generatePublisherKey();
    const forged = sign(
      buildTimestamp({
        version: 1000,
        expires: new Date(Date.now() + DAY),
        snapshot: { version: 1000, bytes: metadataBytes(repo.snapshot) },
      }),
      [mirror],
    );
    const honest = await readFile(join(dir, metadataPath('timestamp', null)));
    await writeFile(join(dir, metadataPath('timestamp', null)), metadataBytes(forged));
    const err = await refusal(client(host, cache, keys.root[0]!.did));
    assert.equal(err.code, 'catalog.unsigned');
    // The honest next version is still accepted: the node did not fast-forward to 1000.
    await writeFile(join(dir, metadataPath('timestamp', null)), honest);
    const cat = await client(host, cache, keys.root[0]!.did);
    assert.equal(cat.apps.length, 2);
  });

  test('indefinite freeze: a properly signed timestamp replayed past its expiry', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    repo.retimestamp(keys.timestamp, new Date(Date.now() - 3 * DAY), 1);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.expired');
    assert.match(err.message, /timestamp\.json is expired/);
  });

  test('malicious mirror: timestamp edited (a later expiry) with its old signature kept', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const host = await serve(dir);
    const file = join(dir, metadataPath('timestamp', null));
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.signed.expires = '2099-01-01T00:00:00Z';
    await writeFile(file, JSON.stringify(doc));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.unsigned');
  });

  test('mix-and-match: a signed snapshot naming targets version 5, served version 1 under that name', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const now = new Date();
    const v1 = metadataBytes(repo.targets);
    repo.setTargets(catalogTargets('Test catalog', sampleApps(['alpha', 'beta'])), keys.targets, now, {
      version: 5,
    });
    repo.resign(keys.snapshot, keys.timestamp, now);
    const dir = await publish(repo);
    // The snapshot names 5.targets.json by length and hash; a mirror serves the old version there.
    await writeFile(join(dir, metadataPath('targets', 5)), v1);
    const host = await serve(dir);
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.ok(['catalog.hash_mismatch', 'catalog.mix_and_match'].includes(err.code), err.code);
  });

  test('mix-and-match: a snapshot that names another targets version than the one it is served with', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const now = new Date();
    // targets v2 exists, but the file named 2.targets.json holds a correctly signed v1 and the snapshot names v2 without hashes.
    const v1 = repo.targets;
    repo.setTargets(catalogTargets('Test catalog', sampleApps(['alpha'])), keys.targets, now);
    const { buildSnapshot } = await import('@archipelago/registry');
    const snap = sign(
      buildSnapshot({ version: 2, expires: new Date(now.getTime() + DAY), roles: {} }),
      keys.snapshot,
    );
    snap.signed.meta['targets.json'] = new (await import('@tufjs/models')).MetaFile({ version: 2 });
    snap.signatures = {};
    sign(snap, keys.snapshot);
    repo.snapshot = snap;
    repo.retimestamp(keys.timestamp, now);
    const dir = await publish(repo);
    await writeFile(join(dir, metadataPath('targets', 2)), metadataBytes(v1));
    const host = await serve(dir);
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.mix_and_match');
    assert.match(err.message, /does not match snapshot version/);
  });

  test('rollback: after accepting version 2, the old version 1 served again is refused', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const old = await publish(repo);
    const oldFiles = repo.files();
    const now = new Date();
    repo.setTargets(
      catalogTargets('Test catalog', sampleApps(['alpha', 'beta', 'delta'])),
      keys.targets,
      now,
    );
    repo.resign(keys.snapshot, keys.timestamp, now);
    const dir = await publish(repo);
    const host = await serve(dir);
    const cache = await nodeCache(repo);
    assert.equal((await client(host, cache, keys.root[0]!.did)).version, 2);
    await writeRepository(dir, oldFiles);
    await rm(old, { recursive: true, force: true });
    const err = await refusal(client(host, cache, keys.root[0]!.did));
    assert.equal(err.code, 'catalog.rollback');
    assert.match(err.message, /less than current version/);
  });

  test('fewer keys than the threshold: targets needs 2 of 2, one signs', async () => {
    const keys = roleKeys({ targets: 2 });
    const now = new Date();
    const { TufRepository } = await import('@archipelago/registry');
    const repo = TufRepository.create(rolesOf(keys), keys.root, now);
    repo.setTargets(catalogTargets('Test catalog', sampleApps(['alpha'])), [keys.targets[0]!], now);
    repo.resign(keys.snapshot, keys.timestamp, now);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.equal(err.code, 'catalog.unsigned');
  });

  test('wrong software installation: a mirror serves another manifest under the signed name', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const dir = await publish(repo);
    const alpha = catalogTargets('Test catalog', sampleApps(['alpha', 'beta'])).find(
      (t) => t.path === manifestTarget('alpha'),
    )!;
    const other = new TextEncoder().encode(
      JSON.stringify(sampleManifestValue('alpha', { version: '9.9.9' })),
    );
    await writeFile(join(dir, targetFilePath(alpha)), other);
    const host = await serve(dir);
    const err = await refusal(client(host, await nodeCache(repo), keys.root[0]!.did));
    assert.ok(['catalog.hash_mismatch', 'catalog.too_large'].includes(err.code), err.code);
  });

  test('a repository whose root does not list the publisher the operator added is refused', async () => {
    const keys = roleKeys();
    const repo = buildRepo(keys);
    const host = await serve(await publish(repo));
    const err = await refusal(client(host, await nodeCache(repo), generatePublisherKey().did));
    assert.equal(err.code, 'catalog.untrusted_root');
  });
});
