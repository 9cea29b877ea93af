// Surviving restarts on real rootless Podman. A daemon restart leaves the apps
// running and the new reconciler re-adopts them (no recreate: the hashes
// match). A simulated reboot — Podman's service stopped, every container gone,
// the service started again — brings back every app whose intent is running,
// dependencies first, with the same data; a stopped app stays down. Every
// engine process killed at once (the rootless pause process lost) heals too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Manifest } from '@archipelago/manifest';
import { PodmanClient } from '@archipelago/podman';
import { ENGINE_WRITES } from '../src/reconcile/model.ts';
import { volumeDir } from '../src/runtime/paths.ts';
import { runCommand } from '../src/supervise/probe-host.ts';
import {
  allEnginePids,
  countingClient,
  engineServicePids,
  startTestNode,
  statusOf,
  type TestNode,
  until,
} from './reconcile-support.ts';

describe('surviving a daemon restart and a reboot', { timeout: 480_000 }, () => {
  let node: TestNode;
  let web: string;
  let db: string;
  let dependent: string;
  let stopped: string;
  before(async () => {
    node = await startTestNode();
    web = (await node.add('fx-web', { base: 'web' })).id;
    db = (await node.add('fx-tcp', { base: 'db' })).id;
    dependent = (
      await node.add('fx-tcp', {
        base: 'needs-db',
        edit: (m): Manifest => ({
          ...m,
          dependencies: [{ app: db, alternatives: [], condition: 'healthy', optional: false, mounts: [] }],
        }),
      })
    ).id;
    stopped = (await node.add('fx-tcp', { base: 'off', intent: 'stopped' })).id;
  });
  after(async () => {
    await node?.cleanup();
  });

  const running = () => [web, db, dependent].every((id) => statusOf(node, id) === 'running');

  test('a daemon restart leaves the apps running and re-adopts them without recreating anything', async () => {
    const r1 = node.reconciler();
    await r1.start();
    await until(node, r1, 'all intended apps running', running, 60_000);
    const before = new Map((await node.containers()).map((c) => [c.name, c.id]));
    assert.equal(before.size, 3, 'the stopped app has no container');
    await r1.close(); // the daemon stops; the apps do not

    const r2 = node.reconciler();
    const first = await r2.start();
    assert.deepEqual(
      first.actions.filter((a) => ENGINE_WRITES.has(a.kind)),
      [],
      'nothing recreated or restarted',
    );
    const after = new Map((await node.containers()).map((c) => [c.name, c.id]));
    assert.deepEqual(after, before);
    await r2.close();
  });

  test('a simulated reboot brings back every intended app, dependencies first, with the same data', async () => {
    const bootsBefore = readFileSync(join(volumeDir(node.dataRoot, web, 'data'), 'boots.txt'), 'utf8')
      .trim()
      .split('\n');
    // Power cut: the engine's service goes away, and with the reboot every container is gone.
    for (const pid of engineServicePids(node.client.socketPath)) process.kill(pid, 'SIGKILL');
    const ids = (
      await runCommand('podman', [
        'ps',
        '-aq',
        '--filter',
        `label=io.archipelago.app`,
        '--format',
        '{{.ID}} {{.Labels}}',
      ])
    ).stdout
      .split('\n')
      .filter((line) => line.includes(`io.archipelago.app:${node.runId}-`))
      .map((line) => line.split(' ')[0]!)
      .filter((id) => id !== '');
    assert.ok(ids.length >= 3, `found this run's containers: ${ids.join(' ')}`);
    const rm = await runCommand('podman', ['rm', '-f', ...ids], 60_000);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(await node.containers(), []);

    // Power back: the daemon starts (its client starts the engine's service again) and reconciles.
    const created: string[] = [];
    const r = node.reconciler();
    r.onPass((p) => {
      for (const a of p.actions) if (a.kind === 'create') created.push(a.app);
    });
    await r.start();
    await until(node, r, 'all intended apps back', running, 90_000);
    assert.ok(created.indexOf(db) < created.indexOf(dependent), `creation order: ${created.join(', ')}`);
    assert.ok(!created.includes(stopped), 'the app the operator stopped stays down');
    assert.equal((await node.containers(stopped)).length, 0);
    const bootsAfter = readFileSync(join(volumeDir(node.dataRoot, web, 'data'), 'boots.txt'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      bootsAfter.slice(0, bootsBefore.length),
      bootsBefore,
      'the data from before the reboot is still there',
    );
    assert.equal(bootsAfter.length, bootsBefore.length + 1, 'and the app started once more on it');
    await r.close();
  });

  test('every engine process of the user killed at once (pause process, conmons, service): the engine heals and the apps come back', async (t) => {
    // Killing every engine process takes down whatever else this user runs: not on a box that runs more.
    const others = (await runCommand('podman', ['ps', '--format', '{{.Names}}'], 60_000)).stdout
      .split('\n')
      .filter((n) => n !== '' && n !== 'archy_network_keeper' && !n.startsWith(`archy-${node.runId}-`));
    if (others.length > 0) {
      t.skip(
        `other containers run as this user (${others.slice(0, 3).join(', ')}); this test would kill them`,
      );
      return;
    }
    const r1 = node.reconciler();
    await r1.start();
    await until(node, r1, 'all intended apps running', running, 60_000);
    await r1.close();
    const killed = allEnginePids();
    assert.ok(killed.length > 0);
    for (const pid of killed) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    // What a node sees then: every podman command fails and asks for `podman system migrate`.
    const broken = await runCommand('podman', ['ps', '-q'], 60_000);
    assert.notEqual(broken.code, 0, 'the lost pause process breaks podman');
    assert.match(broken.stderr, /system migrate/);

    const r = node.reconciler();
    await r.start(); // its client starts the service, which heals the pause process first
    // The store still says "running" from before the kill: wait until the engine shows every member
    // running on a live process (started again, or made anew when Podman left it "stopping").
    const back = () => {
      const seen = r.snapshot();
      const mine = seen.containers.filter((c) => [web, db, dependent].includes(c.app));
      return (
        !seen.stale &&
        running() &&
        mine.length === 3 &&
        mine.every((c) => c.state === 'running' && c.process === 'alive')
      );
    };
    await until(node, r, 'every intended app running on a live process', back, 120_000);
    assert.equal((await node.containers(stopped)).length, 0, 'the app the operator stopped stays down');
    const ps = await runCommand('podman', ['ps', '-q'], 60_000);
    assert.equal(ps.code, 0, ps.stderr);
    await r.close();
  });

  test('engine down: the last observation is served, marked stale with its age — never "no apps"; back: it resumes', async () => {
    // This reconciler's client does not restart the engine's service by itself, so the outage is real to it.
    const engine = countingClient(new PodmanClient({ superviseService: false }), node.counter);
    const r = node.reconciler({ engine, observeTimeoutMs: 5000 });
    await r.start();
    await until(node, r, 'all intended apps running', running, 60_000);
    const seen = r.snapshot();
    assert.equal(seen.stale, false);
    assert.equal(seen.containers.length, 3);

    for (const pid of engineServicePids(node.client.socketPath)) process.kill(pid, 'SIGKILL');
    const down = await r.pass('engine gone');
    assert.equal(down.stale, true);
    assert.deepEqual(down.actions, [], 'nothing is planned from a guess');
    const stale = r.snapshot();
    assert.equal(stale.stale, true);
    assert.ok(stale.error && stale.error.length > 0, 'says why');
    assert.deepEqual(
      stale.containers.map((c) => c.name),
      seen.containers.map((c) => c.name),
      'the last known containers, not an empty node',
    );
    assert.ok(stale.ageMs >= 0 && stale.observedAt === seen.observedAt);
    for (const id of [web, db, dependent])
      assert.equal(statusOf(node, id), 'running', 'statuses are not rewritten while blind');

    await node.client.ensureService(); // the engine comes back
    const back = await r.pass('engine back');
    assert.equal(back.stale, false);
    const fresh = r.snapshot();
    assert.equal(fresh.stale, false);
    assert.equal(fresh.containers.length, 3);
    assert.ok((fresh.observedAt ?? 0) > (seen.observedAt ?? 0));
    await r.close();
    engine.close();
  });
});
