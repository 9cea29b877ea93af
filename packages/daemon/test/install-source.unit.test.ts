// What the daemon tells the orchestrator about where a manifest came from: the
// catalog publisher's key is what decides whose an app's kept data is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testManifest } from '../../orchestrator/test/support/manifests.ts';
import { installSource } from '../src/backend/orchestrator.ts';

test('a catalog app carries its publisher’s key; a local one its directory', () => {
  const manifest = testManifest();
  assert.deepEqual(
    installSource({ manifest, source: 'friends', dir: null, publisher: 'did:key:z6MkFriend' }),
    { catalog: 'friends', publisher: 'did:key:z6MkFriend' },
  );
  assert.deepEqual(installSource({ manifest, source: 'local:/src/app', dir: '/src/app' }), {
    catalog: 'local:/src/app',
    dir: '/src/app',
  });
  assert.deepEqual(installSource({ manifest, source: 'shipped', dir: '/apps/x', publisher: null }), {
    catalog: 'shipped',
    dir: '/apps/x',
  });
});
