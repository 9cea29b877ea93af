// Signed platform releases end to end: releases published into a real TUF repository on disk with real
// Ed25519 release keys (scripts/release publish), served over HTTP on loopback, and the node's client
// (@archipelago/update, tuf-js underneath) taking the right one and refusing, each with its reason, a
// release that is older, below its minimum, over-size, of a wrong hash, unsigned, expired or replayed.
// Needs: nothing beyond Node (no Podman).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTufHost, type TufHost } from '@archipelago/registry/tuf-host';
import { checkReleases, downloadRelease, type ReleaseSource } from '@archipelago/update';
import { publishRelease, resignTimestamp } from '../src/publish.ts';

const work = mkdtempSync(join(tmpdir(), 'archy-release-repo-'));
const keysDir = join(work, 'keys');
const COMMIT = 'a'.repeat(40);
let host: TufHost;
let cacheN = 0;

function artifact(name: string, bytes = randomBytes(64 * 1024)): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

async function publish(
  repoDir: string,
  version: string,
  extra: { min_from?: string; channel?: 'stable' | 'beta'; now?: Date; days?: { timestamp?: number } } = {},
) {
  return publishRelease({
    repoDir,
    keysDir,
    artifact: artifact(`archipelago-${version}-${cacheN++}.tar.gz`),
    info: {
      version,
      channel: extra.channel ?? 'stable',
      commit: COMMIT,
      min_from: extra.min_from ?? '0.0.0',
      notes: `Release ${version}.`,
    },
    generateDevKeys: true,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.days ? { days: extra.days } : {}),
  });
}

/** A node's view of a repository: a fresh cache pinned to the shipped release root. */
function source(url: string, extra: Partial<ReleaseSource> = {}): ReleaseSource {
  return {
    baseUrl: url,
    cacheDir: join(work, `node-cache-${cacheN++}`),
    root: readFileSync(join(keysDir, 'root.metadata.json')),
    fetchTimeoutMs: 5000,
    ...extra,
  };
}

const repo = join(work, 'repo');

before(async () => {
  await publish(repo, '0.1.0');
  await publish(repo, '0.2.0', { min_from: '0.1.0' });
  await publish(repo, '0.3.0-beta.1', { channel: 'beta', min_from: '0.2.0' });
  await publish(repo, '1.0.0', { min_from: '0.2.0' });
  host = await startTufHost(work);
});
after(async () => {
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

const url = () => `${host.url}/repo`;

test('a node takes the newest release it may, and its download is the signed bytes', async () => {
  const s = source(url());
  const check = await checkReleases(s, '0.2.0', 'stable');
  assert.equal(check.available?.version, '1.0.0');
  assert.equal(check.latest?.version, '1.0.0');
  assert.deepEqual(check.refused, []);
  assert.equal(check.available?.notes, 'Release 1.0.0.');
  assert.equal(check.available?.commit, COMMIT);
  const { path, release } = await downloadRelease(s, '1.0.0', '0.2.0');
  assert.equal(release.version, '1.0.0');
  const published = readdirSync(join(work, 'repo/targets/releases')).find((f) =>
    f.endsWith('archipelago-1.0.0.tar.gz'),
  );
  assert.ok(published);
  assert.deepEqual(readFileSync(path), readFileSync(join(work, 'repo/targets/releases', published)));
});

test('a beta node also sees stable releases; a stable node never sees a beta', async () => {
  const beta = await checkReleases(source(url()), '0.2.0', 'beta');
  assert.equal(beta.available?.version, '1.0.0');
  const stable = await checkReleases(source(url()), '0.2.0', 'stable');
  assert.ok(![stable.available, stable.latest].some((r) => r?.channel === 'beta'));
});

test('older or the same: nothing to take, and an apply of it is refused', async () => {
  const check = await checkReleases(source(url()), '1.0.0', 'stable');
  assert.equal(check.available, null);
  assert.equal(check.latest?.version, '1.0.0');
  await assert.rejects(downloadRelease(source(url()), '0.2.0', '1.0.0'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'release.not_newer');
    assert.match(err.message, /0\.2\.0 is not newer than the running version 1\.0\.0/);
    return true;
  });
});

test('below its minimum: refused with the version to update to first', async () => {
  const check = await checkReleases(source(url()), '0.1.0', 'stable');
  assert.equal(check.available?.version, '0.2.0', 'the step it may take');
  const refused = check.refused.find((r) => r.version === '1.0.0');
  assert.equal(refused?.code, 'release.below_minimum');
  assert.match(refused?.reason ?? '', /update to 0\.2\.0 first/);
  await assert.rejects(downloadRelease(source(url()), '1.0.0', '0.1.0'), { code: 'release.below_minimum' });
});

test('over-size: refused before a byte of it is downloaded', async () => {
  const s = source(url(), { maxReleaseBytes: 1024 });
  const check = await checkReleases(s, '0.2.0', 'stable');
  assert.equal(check.available, null);
  assert.equal(check.refused.find((r) => r.version === '1.0.0')?.code, 'release.too_large');
  const before = host.requests.length;
  await assert.rejects(downloadRelease(s, '1.0.0', '0.2.0'), { code: 'release.too_large' });
  assert.ok(!host.requests.slice(before).some((p) => p.includes('/targets/')), 'no artifact was requested');
});

test('a wrong hash: the mirror swapped the artifact, the download is refused and not kept', async () => {
  const dir = join(work, 'swapped');
  await publish(dir, '2.0.0');
  const releases = join(dir, 'targets/releases');
  const file = readdirSync(releases)[0]!;
  writeFileSync(join(releases, file), randomBytes(64 * 1024));
  const s = source(`${host.url}/swapped`);
  await assert.rejects(downloadRelease(s, '2.0.0', '1.0.0'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'release.hash_mismatch');
    assert.match(err.message, /the release repository at .* is refused/);
    return true;
  });
  assert.deepEqual(
    readdirSync(join(s.cacheDir, 'targets')).filter((f) => !f.startsWith('.')),
    [],
  );
});

test('unsigned: metadata changed without the key is refused', async () => {
  const dir = join(work, 'unsigned');
  await publish(dir, '2.0.0');
  const ts = join(dir, 'metadata/timestamp.json');
  const doc = JSON.parse(readFileSync(ts, 'utf8'));
  doc.signed.expires = '2099-01-01T00:00:00Z';
  writeFileSync(ts, JSON.stringify(doc));
  await assert.rejects(checkReleases(source(`${host.url}/unsigned`), '1.0.0', 'stable'), {
    code: 'release.unsigned',
  });
});

test('expired: a timestamp past its expiry is refused (an old copy replayed)', async () => {
  const dir = join(work, 'expired');
  await publish(dir, '2.0.0', { now: new Date(Date.now() - 10 * 86_400_000), days: { timestamp: 1 } });
  await assert.rejects(checkReleases(source(`${host.url}/expired`), '1.0.0', 'stable'), {
    code: 'release.expired',
  });
});

test('the online key alone revives an expired timestamp; root, targets and snapshot keys stay offline', async () => {
  const dir = join(work, 'resigned');
  await publish(dir, '2.0.0', { now: new Date(Date.now() - 10 * 86_400_000), days: { timestamp: 1 } });
  await assert.rejects(checkReleases(source(`${host.url}/resigned`), '1.0.0', 'stable'), {
    code: 'release.expired',
  });
  const online = join(work, 'online-key-only');
  mkdirSync(online);
  copyFileSync(join(keysDir, 'timestamp.key.json'), join(online, 'timestamp.key.json'));
  const done = await resignTimestamp({ repoDir: dir, keysDir: online, days: 1 });
  assert.equal(done.version, 2);
  const check = await checkReleases(source(`${host.url}/resigned`), '1.0.0', 'stable');
  assert.equal(check.available?.version, '2.0.0');
  // A timestamp signed by any other key is refused.
  const other = join(work, 'wrong-online-key');
  mkdirSync(other);
  copyFileSync(join(keysDir, 'snapshot.key.json'), join(other, 'timestamp.key.json'));
  await resignTimestamp({ repoDir: dir, keysDir: other, days: 1 });
  await assert.rejects(checkReleases(source(`${host.url}/resigned`), '1.0.0', 'stable'), {
    code: 'release.unsigned',
  });
});

test('rollback: once a node saw newer metadata, an older repository state is refused', async () => {
  const dir = join(work, 'rollback');
  await publish(dir, '2.0.0');
  const oldTimestamp = readFileSync(join(dir, 'metadata/timestamp.json'));
  await publish(dir, '2.1.0');
  const s = source(`${host.url}/rollback`);
  assert.equal((await checkReleases(s, '1.0.0', 'stable')).available?.version, '2.1.0');
  writeFileSync(join(dir, 'metadata/timestamp.json'), oldTimestamp);
  await assert.rejects(checkReleases(s, '1.0.0', 'stable'), { code: 'release.rollback' });
});

test('a version is published once: the same version with other bytes is refused', async () => {
  await assert.rejects(publish(repo, '1.0.0'), { code: 'already_published' });
});
