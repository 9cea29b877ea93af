// Dependencies, stacks and drift on real rootless Podman: a dependent waits
// (visibly) for its dependency and starts after it; a stack whose manifest
// lost a member still starts the others; a changed manifest recreates once,
// then the node is quiet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LABELS, type Manifest } from '@archipelago/manifest';
import { ENGINE_WRITES } from '../src/reconcile/model.ts';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

describe('reconciler on real Podman: dependencies, stacks, drift', { timeout: 240_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('a dependent shows "waiting for" its dependency and starts only after the dependency is healthy', async () => {
    const dbId = node.id('dep-db');
    // The dependent is installed first, so nothing but the rule keeps it from starting first.
    const dependent = await node.add('fx-tcp', {
      base: 'dep-app',
      edit: (m): Manifest => ({
        ...m,
        dependencies: [{ app: dbId, alternatives: [], condition: 'healthy', optional: false, mounts: [] }],
      }),
    });
    const db = await node.add('fx-tcp', { base: 'dep-db' });
    const r = node.reconciler();
    const statuses: string[] = [];
    r.onPass((p) => {
      for (const a of p.actions)
        if (a.kind === 'setStatus' && a.app === dependent.id) statuses.push(`${a.status}: ${a.detail}`);
    });
    await r.start();
    await until(node, r, `${dependent.id} running`, () => statusOf(node, dependent.id) === 'running');
    assert.match(
      statuses[0] ?? '',
      new RegExp(`^waiting: waiting for ${dbId}: ${dbId} is not (running|healthy yet)`),
    );
    const healthyAt = node.state.health.history(db.id).find((h) => h.status === 'healthy');
    assert.ok(healthyAt, 'the dependency’s health history shows when it became healthy');
    const [dep] = await node.containers(dependent.id);
    assert.ok(dep?.startedAt);
    assert.ok(
      dep.startedAt.getTime() >= Math.floor(Date.parse(healthyAt.at) / 1000) * 1000,
      `dependent started ${dep.startedAt.toISOString()}, dependency healthy ${healthyAt.at}`,
    );
    await r.close();
  });

  test('a stack whose manifest lost a member removes that member’s container and still starts the others', async () => {
    const app = await node.add('fx-stack', { base: 'stack' });
    const r = node.reconciler();
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running', 60_000);
    // A new manifest without "db"; "web" still names it in depends_on (an unknown name must not be fatal).
    const withoutDb: Manifest = {
      ...app.manifest,
      containers: app.manifest.containers.filter((c) => c.name !== 'db'),
    };
    assert.deepEqual(withoutDb.containers[0]?.depends_on, ['db']);
    node.state.apps.beginUpdate(app.id, withoutDb);
    node.state.apps.commitUpdate(app.id);
    const web = (await node.containers(app.id)).find((c) => c.labels[LABELS.member] === 'web');
    assert.ok(web);
    await node.client.containers.remove(web.name, { force: true });
    await until(node, r, 'db removed and web back', async () => {
      const cs = await node.containers(app.id);
      return cs.length === 1 && cs[0]?.labels[LABELS.member] === 'web' && cs[0].running;
    });
    await r.close();
  });

  test('drift by a changed manifest: exactly one recreate, then quiet', async () => {
    const app = await node.add('fx-tcp', { base: 'drift' });
    const r = node.reconciler({ followEvents: false });
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const [before] = await node.containers(app.id);
    assert.ok(before);
    const changed: Manifest = {
      ...app.manifest,
      containers: app.manifest.containers.map((c) => ({ ...c, env: { ...c.env, GREETING: 'hello' } })),
    };
    // Every engine write for this app from now on, whichever pass makes it (health changes trigger passes too).
    const writes: string[] = [];
    r.onPass((p) => {
      for (const a of p.actions)
        if (a.app === app.id && ENGINE_WRITES.has(a.kind)) writes.push(`${a.kind}:${a.rule}`);
    });
    node.state.apps.beginUpdate(app.id, changed);
    node.state.apps.commitUpdate(app.id);
    await r.pass('manifest changed');
    await until(node, r, 'the new container running', async () => {
      const [c] = await node.containers(app.id);
      return c !== undefined && c.id !== before.id && c.running;
    });
    await until(node, r, `${app.id} running again`, () => statusOf(node, app.id) === 'running');
    const [after] = await node.containers(app.id);
    assert.notEqual(after?.labels[LABELS.specHash], before.labels[LABELS.specHash]);
    // The live env of the new container differs from nothing we compare: the label matches, so it stays.
    for (let i = 0; i < 3; i++) await r.pass('again');
    assert.deepEqual(writes, ['recreate:recreate-on-spec-drift']);
    const [still] = await node.containers(app.id);
    assert.equal(still?.id, after?.id);
    await r.close();
  });
});
