// The per-table modules over a real SQLite file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { StateStore } from '../src/state/index.ts';
import { testManifest } from './support/manifests.ts';
import { tempDir } from './support/temp.ts';

test('apps: insert, read back parsed, status/intent changes, update rollback point, remove', () => {
  using dir = tempDir();
  const state = new StateStore(join(dir.path, 'state.db'));
  const changes: string[] = [];
  state.apps.onChange((c) => changes.push('removed' in c ? `${c.id}:removed` : `${c.id}:${c.status}`));
  const v1 = testManifest();
  const app = state.apps.insert({
    manifest: v1,
    intent: 'running',
    status: 'installing',
    grants: ['privileged_ports'],
    overrides: { env: { web: { A: '1' } }, hostPorts: { 'web:80': 8080 } },
    source: { dir: 'fixtures/apps/demo' },
  });
  assert.equal(app.version, '1.0.0');
  assert.deepEqual(app.manifest, v1);
  assert.deepEqual(
    state.apps.list().map((a) => a.id),
    ['demo'],
  );

  state.apps.setStatus('demo', 'waiting', 'waiting for bitcoin');
  assert.equal(state.apps.get('demo')?.statusDetail, 'waiting for bitcoin');
  state.apps.setIntent('demo', 'stopped');
  assert.equal(state.apps.get('demo')?.intent, 'stopped');

  const v2 = testManifest({ version: '2.0.0' });
  state.apps.beginUpdate('demo', v2);
  assert.equal(state.apps.require('demo').version, '2.0.0');
  assert.equal(state.apps.require('demo').previous?.version, '1.0.0');
  state.apps.rollbackUpdate('demo');
  assert.equal(state.apps.require('demo').version, '1.0.0');
  assert.equal(state.apps.require('demo').previous, null);
  state.apps.beginUpdate('demo', v2);
  state.apps.commitUpdate('demo');
  assert.equal(state.apps.require('demo').version, '2.0.0');
  assert.equal(state.apps.require('demo').previous, null);
  assert.deepEqual(state.apps.require('demo').overrides.hostPorts, { 'web:80': 8080 });

  state.health.record('demo', 'web', 'healthy');
  assert.equal(state.apps.remove('demo'), true);
  assert.equal(state.apps.get('demo'), undefined);
  assert.deepEqual(state.health.history('demo'), [], 'health history goes with the app');
  assert.equal(state.apps.remove('demo'), false);
  assert.ok(changes.includes('demo:installing') && changes.includes('demo:removed'));
  assert.throws(
    () => state.apps.require('demo'),
    (e: Error & { code?: string }) => e.code === 'app.not_installed',
  );
  state.close();
});

test('apps: a damaged row is a clear error naming the column', () => {
  using dir = tempDir();
  const state = new StateStore(join(dir.path, 'state.db'));
  state.apps.insert({
    manifest: testManifest(),
    intent: 'running',
    status: 'running',
    grants: [],
    overrides: { env: {}, hostPorts: {} },
    source: {},
  });
  state.db.prepare("UPDATE apps SET manifest = '{\"id\": 3}' WHERE id = 'demo'").run();
  assert.throws(
    () => state.apps.get('demo'),
    (e: Error & { code?: string }) =>
      e.code === 'state.corrupt' && /apps\.manifest of "demo"/.test(e.message),
  );
  state.close();
});

test('health history records changes only, newest first', () => {
  using dir = tempDir();
  const state = new StateStore(join(dir.path, 'state.db'));
  state.apps.insert({
    manifest: testManifest(),
    intent: 'running',
    status: 'running',
    grants: [],
    overrides: { env: {}, hostPorts: {} },
    source: {},
  });
  assert.equal(state.health.record('demo', 'web', 'starting'), true);
  assert.equal(state.health.record('demo', 'web', 'starting'), false);
  assert.equal(state.health.record('demo', 'web', 'healthy'), true);
  assert.equal(state.health.record('demo', 'web', 'unhealthy', 'connection refused'), true);
  assert.deepEqual(
    state.health.history('demo').map((h) => h.status),
    ['unhealthy', 'healthy', 'starting'],
  );
  assert.equal(state.health.latest('demo', 'web')?.detail, 'connection refused');
  state.close();
});

test('notifications: add, list, ack; they outlive the app', () => {
  using dir = tempDir();
  const state = new StateStore(join(dir.path, 'state.db'));
  const seen: number[] = [];
  state.notifications.onAdd((n) => seen.push(n.id));
  const n = state.notifications.add({
    appId: 'gone',
    level: 'error',
    title: 'Gave up',
    message: 'crashed 4 times',
  });
  state.notifications.add({ appId: null, level: 'info', title: 'Hello', message: 'node started' });
  assert.deepEqual(seen.length, 2);
  assert.equal(state.notifications.list({ unackedOnly: true }).length, 2);
  assert.equal(state.notifications.ack(n.id), true);
  assert.equal(state.notifications.ack(9999), false);
  assert.deepEqual(
    state.notifications.list({ unackedOnly: true }).map((x) => x.title),
    ['Hello'],
  );
  assert.ok(state.notifications.list()[1]?.ackedAt);
  state.close();
});
