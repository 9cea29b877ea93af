// Where the gateway sends an app's requests: its launch member's published port on loopback, only while
// its containers are up (pure: from the app as installed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateManifestValue } from '@archipelago/manifest';
import { launchUpstream } from '../src/gateway-service.ts';

function manifest(launch: boolean) {
  const result = validateManifestValue(
    {
      manifest_version: 1,
      id: 'fx-up',
      name: 'Up',
      version: '1.0.0',
      description: 'upstream test',
      category: 'fixtures',
      developer: 'Archipelago',
      license: 'MIT',
      containers: [
        {
          name: 'web',
          image: 'localhost/x/y@sha256:' + 'a'.repeat(64),
          ports: [
            { name: 'other', container: 9000, host: 19000 },
            { name: 'http', container: 8080, host: 18080, bind: 'localhost' },
          ],
        },
      ],
      ...(launch ? { launch: { container: 'web', port: 8080, public_paths: ['/webhook/*'] } } : {}),
    },
    'gateway-upstream.unit.test.ts',
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.manifest;
}

test('the launch port on loopback while the app is up; nothing when stopped or without a launch entry', () => {
  assert.deepEqual(launchUpstream({ state: 'running', manifest: manifest(true) }), {
    host: '127.0.0.1',
    port: 18080,
  });
  assert.deepEqual(launchUpstream({ state: 'unhealthy', manifest: manifest(true) })?.port, 18080);
  assert.equal(launchUpstream({ state: 'stopped', manifest: manifest(true) }), null);
  assert.equal(launchUpstream({ state: 'failed', manifest: manifest(true) }), null);
  assert.equal(launchUpstream({ state: 'running', manifest: manifest(false) }), null);
});
