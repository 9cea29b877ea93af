// The provenance check: an image pinned to an older release than the newest one known is an image_stale
// warning naming the member, the pin and the newer release; equal, newer, unknown or non-version tags are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareVersions,
  imageRepository,
  type Manifest,
  staleImageFindings,
  tagVersion,
  validateManifestValue,
} from '@archipelago/manifest';

const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

function manifest(images: string[]): Manifest {
  const r = validateManifestValue(
    {
      manifest_version: 1,
      id: 'stack',
      name: 'Stack',
      version: '1.0.0',
      description: 'A test stack.',
      category: 'tools',
      developer: 'Archipelago',
      license: 'MIT',
      containers: images.map((image, i) => ({ name: `m${i}`, image })),
    },
    'stack',
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.manifest;
}

test('repositories are compared normalised: docker.io and library/ are implied', () => {
  assert.equal(imageRepository('redis:7.2'), 'docker.io/library/redis');
  assert.equal(imageRepository('lightninglabs/lnd:v0.17.4-beta'), 'docker.io/lightninglabs/lnd');
  assert.equal(
    imageRepository(`ghcr.io/immich-app/immich-server:v1.126.1@${DIGEST}`),
    'ghcr.io/immich-app/immich-server',
  );
  assert.equal(imageRepository('Not A Ref'), undefined);
});

test('tags compare by their release numbers', () => {
  assert.deepEqual(tagVersion('v0.17.4-beta'), [0, 17, 4]);
  assert.deepEqual(tagVersion('1.27.1-rootless'), [1, 27, 1]);
  assert.equal(tagVersion('latest'), undefined);
  assert.ok(compareVersions([0, 17, 4], [0, 21, 0]) < 0);
  assert.equal(compareVersions([1, 2], [1, 2, 0]), 0);
  assert.ok(compareVersions([2, 4, 2], [2, 4, 1]) > 0);
});

test("an older pin is image_stale at the member's image; equal, newer and unknown ones are not", () => {
  const m = manifest([
    `docker.io/lightninglabs/lnd:v0.17.4-beta@${DIGEST}`,
    'btcpayserver/btcpayserver:2.4.2',
    'docker.io/gitea/gitea:1.27.1-rootless',
    'example/unknown:1.0.0',
    'docker.io/library/redis:7.4.1',
    'tor:latest',
  ]);
  const findings = staleImageFindings(m, {
    'lightninglabs/lnd': 'v0.21.0-beta',
    'docker.io/btcpayserver/btcpayserver': '2.4.2',
    'gitea/gitea': '1.27.2',
    redis: '7.2.0',
    tor: '0.4.9.1',
  });
  assert.deepEqual(
    findings.map((f) => [f.path, f.code, f.severity]),
    [
      [['containers', 0, 'image'], 'image_stale', 'warning'],
      [['containers', 2, 'image'], 'image_stale', 'warning'],
    ],
  );
  assert.match(findings[0]!.message, /m0.*docker\.io\/lightninglabs\/lnd:v0\.17\.4-beta.*v0\.21\.0-beta/);
  assert.deepEqual(staleImageFindings(m, {}), []);
});
