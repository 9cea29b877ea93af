// Job rules at the facade on real Podman: two installs of one app at once make
// one job; another operation on a busy app is refused with a clear message;
// installs of different apps run side by side; missing grants are refused
// before any job exists; an unreachable engine gives a failed job with a clear
// reason and leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { containerName } from '@archipelago/manifest';
import { PodmanClient } from '@archipelago/podman';
import { Orchestrator } from '../src/index.ts';
import { tempDir } from './support/temp.ts';
import { fixture, type TestNode, testNode, whenStage } from './support/node.ts';

let node: TestNode;
before(async () => {
  node = await testNode();
});
after(async () => {
  await node.cleanup();
});

test('two installs of the same app at once make one job; a different operation is refused meanwhile', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web');
  const first = o.install(fx.manifest, { grants: [], source: { dir: fx.dir } });
  const second = o.install(fx.manifest, { grants: [], source: { dir: fx.dir } });
  assert.equal(second.joined, true);
  assert.equal(second.job.id, first.job.id);
  assert.throws(
    () => o.uninstall(fx.manifest.id),
    (e: Error & { code?: string }) =>
      e.code === 'job.conflict' && /install job .* still running/.test(e.message),
  );
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.state, 'succeeded', JSON.stringify(a.error));
  assert.equal(b.id, a.id);
  assert.equal(o.listJobs({ appId: fx.manifest.id }).filter((j) => j.kind === 'install').length, 1);
  assert.equal((await o.uninstall(fx.manifest.id, { purge: true }).done).state, 'succeeded');
});

test('installs of different apps run concurrently', async () => {
  const o = node.orchestrator;
  const [x, y] = await Promise.all([fixture('fx-tcp'), fixture('fx-tcp')]);
  const jobs = [x, y].map((fx) => o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }));
  assert.ok(jobs.every((j) => !j.joined));
  assert.equal(o.listJobs({ state: 'running' }).length, 2, 'both run at the same time');
  for (const done of await Promise.all(jobs.map((j) => j.done)))
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  for (const fx of [x, y])
    assert.equal((await o.uninstall(fx.manifest.id, { purge: true }).done).state, 'succeeded');
});

test('an app asking for a permission the operator did not grant is refused before any job', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-web', {
    edit: (m) => {
      const port = m.containers[0]?.ports[0];
      if (port) port.host = 80;
      m.permissions = [{ kind: 'privileged_ports', reason: 'serves plain HTTP on port 80' }];
    },
  });
  const jobsBefore = o.listJobs().length;
  assert.throws(
    () => o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }),
    (e: Error & { code?: string }) =>
      e.code === 'install.permission_not_granted' &&
      e.message.includes('privileged_ports (serves plain HTTP on port 80)'),
  );
  assert.equal(o.listJobs().length, jobsBefore);
  assert.equal(
    o.listApps().some((a) => a.id === fx.manifest.id),
    false,
  );
});

test('an invalid manifest is refused with the field that is wrong', () => {
  assert.throws(
    () => node.orchestrator.install({ manifest_version: 1, id: 'Bad Id' }, { grants: [] }),
    (e: Error & { code?: string }) => e.code === 'manifest.invalid' && /id/.test(e.message),
  );
});

test('an engine that does not answer gives a failed job with a clear reason, and no ghost', async () => {
  using dir = tempDir();
  const engine = new PodmanClient({ socketPath: `${dir.path}/no-engine.sock`, superviseService: false });
  const o = new Orchestrator({ dataRoot: dir.path, engine, hostIp: '127.0.0.1' });
  await o.open();
  try {
    const fx = await fixture('fx-web');
    const job = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'ENGINE_UNAVAILABLE');
    assert.match(job.error?.message ?? '', /rolled back/);
    assert.deepEqual(o.listApps(), [], 'nothing half-installed is left');
    assert.deepEqual(o.listJobs({ state: 'running' }), []);
  } finally {
    await o.close();
    engine.close();
  }
});

test('cancelling a start undoes it: what started stops again and the intent says stopped', async () => {
  const o = node.orchestrator;
  const fx = await fixture('fx-unhealthy');
  const id = fx.manifest.id;
  assert.equal(
    (await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done).state,
    'succeeded',
  );
  const name = containerName(id, 'web');
  // From now on its health check fails (the file lives in the container, so it survives stop and start).
  await node.engine.exec(name, ['touch', '/tmp/fail']);
  assert.equal((await o.stopApp(id).done).state, 'succeeded');

  const submitted = o.startApp(id);
  await whenStage(o, submitted, 'start and wait for health');
  o.cancelJob(submitted.job.id);
  const done = await submitted.done;
  assert.equal(done.state, 'cancelled');
  assert.equal(o.getApp(id).intent, 'stopped');
  assert.equal(o.getApp(id).status, 'stopped');
  assert.equal((await node.engine.containers.inspect(name)).running, false);
  assert.equal((await o.uninstall(id, { purge: true }).done).state, 'succeeded');
});
