// The reconciler healing a real node (real rootless Podman, real SQLite):
// killed processes, containers removed behind its back, crash loops ending in
// `failed`, and never a start of what the operator stopped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LABELS } from '@archipelago/manifest';
import { startTestNode, statusOf, type TestNode, until } from './reconcile-support.ts';

describe('reconciler on real Podman: healing', { timeout: 240_000 }, () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('a killed container process is running again within seconds of the event, not at the next tick', async () => {
    const app = await node.add('fx-tcp', { base: 'kill' });
    const r = node.reconciler(); // tick 10 min: only the event can explain a quick recovery
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const [before] = await node.containers(app.id);
    assert.ok(before);
    const killedAt = Date.now();
    // Kill the container's main process itself (as a crash or the OOM killer would), behind the engine's back.
    const { pid } = await node.client.containers.inspect(before.name);
    assert.ok(pid > 0);
    process.kill(pid, 'SIGKILL');
    await until(node, r, `${app.id} restarted`, async () => {
      if (r.restarts(app.id)?.attempts !== 1) return false;
      const [c] = await node.containers(app.id);
      return c?.running === true;
    });
    const took = Date.now() - killedAt;
    // Far under the 10-minute tick, yet loose enough for a loaded 2-core CI host.
    assert.ok(took < 120_000, `restarted after ${took} ms`);
    const [after] = await node.containers(app.id);
    assert.equal(after?.id, before.id, 'the same container is restarted (its spec did not change)');
    assert.equal(r.restarts(app.id)?.attempts, 1, 'the restart counts against the backoff budget');
    await r.close();
  });

  test('a container removed behind the platform’s back is recreated', async () => {
    const app = await node.add('fx-tcp', { base: 'gone' });
    const r = node.reconciler();
    await r.start();
    await until(node, r, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const [first] = await node.containers(app.id);
    assert.ok(first);
    await node.client.containers.remove(first.name, { force: true });
    await until(node, r, `${app.id} recreated`, async () => {
      const [c] = await node.containers(app.id);
      return c !== undefined && c.id !== first.id && c.running;
    });
    const [second] = await node.containers(app.id);
    assert.equal(second?.name, first.name, 'same name: names come from one place');
    assert.equal(second?.labels[LABELS.specHash], first.labels[LABELS.specHash]);
    await r.close();
  });

  test('an operator-stopped app stays stopped across container events, health failures, ticks and a reconciler restart', async () => {
    const app = await node.add('fx-tcp', { base: 'stopped' });
    const r1 = node.reconciler();
    await r1.start();
    await until(node, r1, `${app.id} running`, () => statusOf(node, app.id) === 'running');
    const [c] = await node.containers(app.id);
    assert.ok(c);
    // The operator's stop job: intent first, then the stop.
    node.state.apps.setIntent(app.id, 'stopped');
    await node.client.containers.stop(c.name, { graceSecs: 5 });
    node.state.apps.setStatus(app.id, 'stopped');
    // Container events (the stop itself, and a start+kill behind our back), health failures (port closed), a tick:
    await node.client.containers.start(c.name);
    await node.client.containers.kill(c.name, 'SIGKILL');
    await r1.pass('tick');
    await r1.pass('tick');
    await r1.close();
    const r2 = node.reconciler();
    const first = await r2.start();
    await r2.pass('tick');
    assert.deepEqual(
      first.actions.filter((a) => a.app === app.id),
      [],
      'nothing is planned for a stopped app',
    );
    const [still] = await node.containers(app.id);
    assert.equal(still?.running, false);
    assert.equal(statusOf(node, app.id), 'stopped');
    await r2.close();
  });

  test('a crash-looping app backs off, then is marked failed with the reason and a notification', async () => {
    const app = await node.add('fx-crash', { base: 'crash' });
    const r = node.reconciler();
    const restarts: number[] = [];
    r.onPass((p) => {
      for (const a of p.actions)
        if (a.app === app.id && (a.kind === 'start' || a.kind === 'create')) restarts.push(Date.now());
    });
    await r.start();
    await until(node, r, `${app.id} failed`, () => statusOf(node, app.id) === 'failed', 60_000);
    const row = node.state.apps.require(app.id);
    assert.match(row.statusDetail ?? '', /app exited \(code 1\); gave up after 4 automatic restarts/);
    const note = node.state.notifications.list().find((n) => n.appId === app.id);
    assert.ok(note, 'a notification tells the operator');
    assert.match(note.message, /gave up/);
    // 1 create + 4 restarts, with growing gaps between restarts.
    assert.equal(restarts.length, 5, `starts at ${restarts.map((t) => t - restarts[0]!).join(', ')} ms`);
    const gaps = restarts.slice(1).map((t, i) => t - restarts[i]!);
    assert.ok(gaps[3]! > gaps[0]!, `gaps grow: ${gaps.join(', ')} ms`);
    // It stays failed: further passes start nothing.
    const more = await r.pass('tick');
    assert.deepEqual(
      more.actions.filter((a) => a.app === app.id),
      [],
    );
    // The operator's start clears the failure: intent + status set by the start job, then the budget is fresh.
    const startsBefore = restarts.length;
    node.state.apps.setStatus(app.id, 'starting');
    r.operatorStarted(app.id);
    // Started again (once the first, short backoff step from its last exit has passed), with a fresh budget.
    await until(node, r, `${app.id} started again`, () => restarts.length > startsBefore);
    assert.equal(r.restarts(app.id)?.attempts, 1);
    await r.close();
  });
});
