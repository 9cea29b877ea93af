// Health on real rootless Podman: a member whose health check keeps failing is
// seen starting → healthy → unhealthy (written to the health history and the
// app's status), restarted with backoff, and finally marked failed with the
// reason — never restarted forever.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Manifest } from '@archipelago/manifest';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

describe('health checks on real Podman', { timeout: 240_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('sustained unhealthiness: visible, restarted with backoff, then failed with the reason', async () => {
    // fx-unhealthy serves /health.txt, then answers 404 there after FAIL_AFTER_SECS; its process keeps running.
    const fast = (m: Manifest): Manifest => ({
      ...m,
      containers: m.containers.map((c) => ({
        ...c,
        env: { ...c.env, FAIL_AFTER_SECS: '2' },
        health:
          c.health === undefined
            ? undefined
            : { ...c.health, interval_secs: 1, timeout_secs: 1, retries: 2, start_period_secs: 1 },
      })),
    });
    const app = await node.add('fx-unhealthy', { base: 'sick', edit: fast });
    const r = node.reconciler();
    const statuses = new Set<string>();
    node.state.apps.onChange((a) => {
      if ('status' in a && a.id === app.id) statuses.add(a.status);
    });
    await r.start();
    await until(node, r, `${app.id} failed`, () => statusOf(node, app.id) === 'failed', 120_000);

    const history = node.state.health.history(app.id, { limit: 100 }).map((h) => h.status);
    assert.ok(history.includes('healthy'), `history: ${history.join(', ')}`);
    assert.ok(history.includes('unhealthy'), `history: ${history.join(', ')}`);
    assert.ok(
      statuses.has('unhealthy') || statuses.has('restarting'),
      `statuses seen: ${[...statuses].join(', ')}`,
    );
    const row = node.state.apps.require(app.id);
    assert.match(row.statusDetail ?? '', /web is unhealthy: http \/health\.txt: status 404/);
    assert.match(row.statusDetail ?? '', /gave up after 4 automatic restarts/);
    assert.ok(node.state.notifications.list().some((n) => n.appId === app.id));
    // The container is left as it is (running, unhealthy) — failed means "no more automatic restarts".
    const more = await r.pass('tick');
    assert.deepEqual(
      more.actions.filter((a) => a.app === app.id),
      [],
    );
    await r.close();
  });
});
