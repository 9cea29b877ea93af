// The lifecycle of the other fixtures on real rootless Podman: a two-member
// stack (start order, network alias, reverse stop), a TCP service, a member
// that ignores SIGTERM (its grace is honoured), and a crasher (the install
// fails with the reason and rolls back without a ghost).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { containerName, LABELS } from '@archipelago/manifest';
import { resourceLimitSupport } from '@archipelago/podman';
import { fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;

before(async () => {
  node = await testNode();
});
after(async () => {
  await node.cleanup();
});

function tcpLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('end', () => resolve(data.trim()));
    socket.on('error', reject);
  });
}

test('fx-stack: members start in dependency order, talk by alias, stop in reverse, uninstall cleanly', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-stack');
  const id = fx.manifest.id;
  const install = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(install.state, 'succeeded', JSON.stringify(install.error));
  const logs = o.jobLogs(install.id).map((l) => l.line);
  const dbStarted = logs.indexOf(`container ${containerName(id, 'db')}: started`);
  const webStarted = logs.indexOf(`container ${containerName(id, 'web')}: started`);
  assert.ok(dbStarted >= 0 && webStarted > dbStarted, 'db starts (and is healthy) before web');

  const port = fx.manifest.containers.find((c) => c.name === 'web')?.ports[0]?.host;
  const res = await fetch(`http://127.0.0.1:${port}/db.txt`);
  assert.equal(res.status, 200);
  assert.equal((await res.text()).trim(), 'db-ok', 'web reached db by its alias on the app network');

  const stop = await o.stopApp(id).done;
  assert.equal(stop.state, 'succeeded');
  const stopLogs = o.jobLogs(stop.id).map((l) => l.line);
  const webStopped = stopLogs.findIndex((l) =>
    l.startsWith(`container ${containerName(id, 'web')}: stopped`),
  );
  const dbStopped = stopLogs.findIndex((l) => l.startsWith(`container ${containerName(id, 'db')}: stopped`));
  assert.ok(webStopped >= 0 && dbStopped > webStopped, 'web stops before db');

  const removed = await o.uninstall(id, { purge: true }).done;
  assert.equal(removed.state, 'succeeded');
  assert.deepEqual(await node.engine.containers.list({ labels: { [LABELS.app]: id } }), []);
});

test('fx-tcp: install, answer on its port, restart, uninstall', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-tcp');
  const id = fx.manifest.id;
  assert.equal(
    (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
    'succeeded',
  );
  const port = fx.manifest.containers[0]?.ports[0]?.host ?? 0;
  assert.equal(await tcpLine(port), 'pong');
  assert.equal((await o.restartApp(id).done).state, 'succeeded');
  assert.equal(await tcpLine(port), 'pong');
  // The decision follows the engine's own facts: limits on cgroup v2, none on v1 (this CI host).
  const { apply } = resourceLimitSupport(await node.engine.info());
  const [spec] = o.reconcileSource().specs(o.getApp(id));
  assert.equal(spec?.resource_limits !== undefined, apply, `limits ${apply ? 'applied' : 'left out'}`);
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});

test('fx-slow-stop: a stop waits out the member grace and succeeds', async () => {
  const o = node.orchestrator;
  // The fixture's 40 s grace, shortened so the suite stays quick; the behaviour under test is the same.
  const fx = await fixture('fx-slow-stop', {
    edit: (m) => {
      m.stop_grace_secs = 4;
    },
  });
  const id = fx.manifest.id;
  assert.equal(
    (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
    'succeeded',
  );
  const began = Date.now();
  const stop = await o.stopApp(id).done;
  const took = Date.now() - began;
  assert.equal(stop.state, 'succeeded', JSON.stringify(stop.error));
  assert.ok(took >= 3500, `the stop honoured the grace (took ${took} ms)`);
  assert.equal((await node.engine.containers.inspect(containerName(id, 'app'))).running, false);
  assert.equal(o.getApp(id).status, 'stopped');
  assert.equal((await o.uninstall(id).done).state, 'succeeded');
});

test('fx-crash: the install fails with the reason and rolls back to not installed', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-crash');
  const id = fx.manifest.id;
  const failed = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(failed.state, 'failed');
  assert.equal(failed.error?.code, 'member.exited');
  assert.match(failed.error?.message ?? '', /exited with code 1/);
  assert.match(failed.error?.message ?? '', /rolled back/);
  assert.ok(
    o.jobLogs(failed.id).some((l) => l.line.includes('failing on purpose')),
    'the member output is in the job log',
  );
  assert.equal(
    o.listApps().some((a) => a.id === id),
    false,
    'no ghost',
  );
  assert.deepEqual(await node.engine.containers.list({ labels: { [LABELS.app]: id } }), []);
  assert.ok(failed.percent < 100);
});

test('resources: an app with memory/CPU/pids limits installs on any host (limits left out where cgroups cannot apply them)', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-tcp', {
    edit: (m) => {
      for (const c of m.containers) c.resources = { memory_mb: 64, cpus: 0.5, pids: 64 };
    },
  });
  const id = fx.manifest.id;
  const install = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(install.state, 'succeeded', JSON.stringify(install.error));
  const port = fx.manifest.containers[0]?.ports[0]?.host ?? 0;
  assert.equal(await tcpLine(port), 'pong');
  // The decision follows the engine's own facts: limits on cgroup v2, none on v1 (this CI host).
  const { apply } = resourceLimitSupport(await node.engine.info());
  const [spec] = o.reconcileSource().specs(o.getApp(id));
  assert.equal(spec?.resource_limits !== undefined, apply, `limits ${apply ? 'applied' : 'left out'}`);
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});
