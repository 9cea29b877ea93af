// `archy node update check` against a real node: releases published with real release keys into a TUF
// repository on disk (@archipelago/release), served over HTTP on loopback, checked by the daemon through
// tuf-js (ARCHY_RELEASE_URL, ARCHY_RELEASE_ROOT) — the one it may take, the one it refuses and why, and a
// repository whose metadata was changed without the keys refused with the reason.
// Needs: a real daemon (its own data root; no app is installed, so no Podman work).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RpcCode } from '@archipelago/daemon/api';
import { type ArchyRun, startTestNode, type TestNode } from '@archipelago/daemon/test-node';
import { startTufHost, type TufHost } from '@archipelago/registry/tuf-host';
import { publishRelease } from '@archipelago/release';

const work = mkdtempSync(join(tmpdir(), 'archy-update-check-'));
const keysDir = join(work, 'keys');
const repo = join(work, 'repo');
let host: TufHost;
let node: TestNode;

async function publish(version: string, minFrom: string): Promise<void> {
  const artifact = join(work, `archipelago-${version}.tar.gz`);
  writeFileSync(artifact, randomBytes(16 * 1024));
  await publishRelease({
    repoDir: repo,
    keysDir,
    artifact,
    info: {
      version,
      channel: 'stable',
      commit: 'd'.repeat(40),
      min_from: minFrom,
      notes: `Notes of ${version}.`,
    },
    generateDevKeys: true,
  });
}

function archy(args: string[]): Promise<ArchyRun> {
  return node.archy(args);
}

before(async () => {
  await publish('0.2.0', '0.1.0');
  await publish('0.5.0', '0.2.0');
  host = await startTufHost(work);
  node = await startTestNode({
    env: { ARCHY_RELEASE_URL: `${host.url}/repo`, ARCHY_RELEASE_ROOT: join(keysDir, 'root.metadata.json') },
  });
});
after(async () => {
  await node?.cleanup();
  await host?.close();
  rmSync(work, { recursive: true, force: true });
});

test('the daemon checks the release repository through TUF: what it may take, what it refuses and why', async () => {
  const check = await node.client.call('node.updateCheck', {});
  assert.equal(check.installed, (await node.client.call('system.info', {})).version);
  assert.equal(check.available?.version, '0.2.0');
  assert.equal(check.available?.notes, 'Notes of 0.2.0.');
  assert.equal(check.latest?.version, '0.5.0');
  assert.deepEqual(
    check.refused.map((r) => [r.version, r.code]),
    [['0.5.0', 'release.below_minimum']],
  );
  const cli = await archy(['node', 'update', 'check']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /available: {2}0\.2\.0, published \d{4}-\d\d-\d\d/);
  assert.match(
    cli.stdout,
    /refused: {4}release 0\.5\.0 updates only from 0\.2\.0 or later.*update to 0\.2\.0 first \(release\.below_minimum\)/,
  );
  const json = JSON.parse((await archy(['node', 'update', 'check', '--json'])).stdout) as {
    available: { version: string };
  };
  assert.equal(json.available.version, '0.2.0');
});

test('metadata changed without the release keys: refused with the reason, nothing offered', async () => {
  const ts = join(repo, 'metadata/timestamp.json');
  const doc = JSON.parse(readFileSync(ts, 'utf8'));
  doc.signed.version += 1;
  writeFileSync(ts, JSON.stringify(doc));
  const err = await node.client.call('node.updateCheck', {}).then(
    () => assert.fail('an unsigned timestamp was accepted'),
    (e: Error & { code?: number; data?: { code: string } }) => e,
  );
  assert.equal(err.code, RpcCode.CatalogRefused);
  assert.equal(err.data?.code, 'release.unsigned');
  const cli = await archy(['node', 'update', 'check']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /the release repository at .* is refused: its metadata is not signed/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');
});
