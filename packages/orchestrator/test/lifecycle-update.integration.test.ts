// Updates on real rootless Podman: a good update keeps data, secrets, ports
// and container names; an update to a version that never becomes healthy is
// rolled back — the old version runs again with its data, and the job says so.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerName, LABELS } from '@archipelago/manifest';
import { type Fixture, fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
let fx: Fixture;

before(async () => {
  node = await testNode();
  fx = await fixture('fx-web');
  const installed = await node.orchestrator.install(fx.manifest, { grants: [], source: { dir: fx.dir } })
    .done;
  assert.equal(installed.state, 'succeeded', JSON.stringify(installed.error));
});
after(async () => {
  await node.cleanup();
});

const port = () => fx.manifest.containers[0]?.ports[0]?.host ?? 0;
const dataFile = (name: string) => join(node.dataRoot, 'apps', fx.manifest.id, 'data', name);

test('a good update keeps data, secrets, ports and the container name', async () => {
  const o = node.orchestrator;
  const id = fx.manifest.id;
  const password = o.credentials(id).find((c) => c.label === 'Password')?.value;
  writeFileSync(dataFile('precious.txt'), 'keep me');
  const next = structuredClone(fx.manifest);
  next.version = '1.1.0';
  const web = next.containers[0];
  assert.ok(web);
  web.env['FX_FLAVOUR'] = 'new';

  const job = await o.update(id, next, { source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const app = o.getApp(id);
  assert.equal(app.version, '1.1.0');
  assert.equal(app.status, 'running');
  assert.equal(app.previous, null, 'the rollback point is cleared once the update succeeded');
  assert.equal(o.credentials(id).find((c) => c.label === 'Password')?.value, password);
  assert.equal(readFileSync(dataFile('precious.txt'), 'utf8'), 'keep me');
  const inspect = await node.engine.containers.inspect(containerName(id, 'web'));
  assert.equal(inspect.labels[LABELS.version], '1.1.0');
  assert.equal((await fetch(`http://127.0.0.1:${port()}/precious.txt`)).status, 200, 'same port, same data');
  assert.ok(
    o.jobLogs(job.id).some((l) => l.line.startsWith('data of data copied to')),
    'data was backed up first',
  );
});

test('an update that never becomes healthy rolls back to the old version with its data', async () => {
  const o = node.orchestrator;
  const id = fx.manifest.id;
  const before = o.getApp(id);
  const bad = structuredClone(before.manifest);
  bad.version = '2.0.0-broken';
  const web = bad.containers[0];
  assert.ok(web?.health);
  // Probe a path that never exists, with a short start period so the test stays quick.
  web.health = {
    ...web.health,
    type: 'http',
    port: 8080,
    path: '/never-there.txt',
    scheme: 'http',
    start_period_secs: 1,
    retries: 1,
    interval_secs: 1,
    timeout_secs: 1,
  };
  // The broken version also damages the data; the rollback must undo that.
  web.command = ['/bin/sh', '-c', 'echo ruined > /data/precious.txt; exec /bin/sh /start.sh'];

  const job = await o.update(id, bad, { source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'failed');
  assert.equal(job.error?.code, 'health.timeout');
  assert.match(job.error?.message ?? '', /rolled back: 1\.1\.0 runs again with its data restored/);

  const app = o.getApp(id);
  assert.equal(app.version, before.version);
  assert.equal(app.status, 'running');
  assert.equal(app.previous, null);
  assert.deepEqual(app.images, before.images, 'the previous images are current again');
  assert.equal(readFileSync(dataFile('precious.txt'), 'utf8'), 'keep me', 'data restored from the backup');
  const inspect = await node.engine.containers.inspect(containerName(id, 'web'));
  assert.equal(inspect.labels[LABELS.version], before.version);
  assert.equal(inspect.running, true);
  assert.equal((await fetch(`http://127.0.0.1:${port()}/health.txt`)).status, 200);
});

test('an update whose build fails changes nothing', async () => {
  const o = node.orchestrator;
  const id = fx.manifest.id;
  const before = o.getApp(id);
  const bad = structuredClone(before.manifest);
  bad.version = '3.0.0';
  const web = bad.containers[0];
  assert.ok(web?.build);
  web.build = { ...web.build, containerfile: 'Containerfile.missing' };
  const job = await o.update(id, bad, { source: { dir: fx.dir } }).done;
  assert.equal(job.state, 'failed');
  assert.match(job.error?.message ?? '', /Nothing was changed/);
  assert.equal(o.getApp(id).version, before.version);
  assert.equal(o.getApp(id).status, 'running');
  assert.ok(existsSync(dataFile('precious.txt')));
});
