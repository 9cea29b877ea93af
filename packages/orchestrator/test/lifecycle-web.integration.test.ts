// The whole lifecycle of the fx-web fixture on real rootless Podman:
// install → reachable → stop → start → restart → uninstall (data and secrets
// kept, gone from every list) → reinstall (same data, same secret) → purge.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerName, LABELS } from '@archipelago/manifest';
import type { JobProgressEvent } from '../src/index.ts';
import { type Fixture, fixture, type TestNode, testNode } from './support/node.ts';

let node: TestNode;
let fx: Fixture;

before(async () => {
  node = await testNode();
  fx = await fixture('fx-web');
});
after(async () => {
  await node.cleanup();
});

async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

function hostPort(): number {
  const port = fx.manifest.containers[0]?.ports[0]?.host;
  assert.ok(port);
  return port;
}

test('install builds, starts and waits for health; progress only moves forward; secrets stay out of the job', async () => {
  const o = node.orchestrator;
  const events: JobProgressEvent[] = [];
  const states: string[] = [];
  o.events.on('job-progress', (e) => events.push(e));
  o.events.on('app-state', (e) => states.push(e.state?.status ?? 'removed'));

  const { job, done } = o.install(fx.manifest, { grants: [], source: { dir: fx.dir } });
  assert.equal(job.kind, 'install');
  assert.equal(o.getApp(fx.manifest.id).status, 'installing');
  const finished = await done;
  assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
  assert.equal(finished.percent, 100);

  const app = o.getApp(fx.manifest.id);
  assert.equal(app.status, 'running');
  assert.equal(app.intent, 'running');
  assert.match(app.images['web'] ?? '', /^localhost\/archy\/fx-web-[a-z0-9]+-web:[0-9a-f]{16}$/);
  assert.deepEqual(states.slice(0, 1), ['installing']);
  assert.equal(states.at(-1), 'running');

  const percents = events.filter((e) => e.job.id === job.id).map((e) => e.job.percent);
  assert.deepEqual(
    percents,
    [...percents].sort((a, b) => a - b),
    'percent never goes back',
  );
  const stages = new Set(events.filter((e) => e.job.id === job.id).map((e) => e.job.stage));
  for (const s of [
    'generate secrets',
    'build or pull images',
    'create containers',
    'start and wait for health',
  ]) {
    assert.ok(stages.has(s), `stage ${s} was reported`);
  }

  const health = await httpGet(hostPort(), '/health.txt');
  assert.equal(health.status, 200);

  const password = o.credentials(fx.manifest.id).find((c) => c.label === 'Password')?.value ?? '';
  assert.equal(password.length, 20);
  const secretFile = join(node.dataRoot, 'secrets', fx.manifest.id, 'admin_password');
  assert.equal(readFileSync(secretFile, 'utf8'), password);
  const logText = o
    .jobLogs(job.id)
    .map((l) => l.line)
    .join('\n');
  assert.ok(logText.includes('building'), 'build output is in the job log');
  assert.ok(!logText.includes(password), 'the secret never reaches the job log');
  assert.ok(!JSON.stringify(o.getApp(fx.manifest.id)).includes(password), 'nor the app as the API shows it');

  const inspect = await node.engine.containers.inspect(containerName(fx.manifest.id, 'web'));
  assert.equal(inspect.labels[LABELS.managed], 'true');
  assert.equal(inspect.labels[LABELS.app], fx.manifest.id);
  assert.match(inspect.labels[LABELS.specHash] ?? '', /^[0-9a-f]{64}$|^sha256:/);
});

test('a second install of an installed app is refused with a clear message', () => {
  assert.throws(
    () => node.orchestrator.install(fx.manifest, { grants: [], source: { dir: fx.dir } }),
    (e: Error & { code?: string }) =>
      e.code === 'app.already_installed' && e.message.includes(fx.manifest.id),
  );
});

test('stop, start and restart: intent first, state measured', async () => {
  const o = node.orchestrator;
  const id = fx.manifest.id;
  const name = containerName(id, 'web');

  const stopped = await o.stopApp(id).done;
  assert.equal(stopped.state, 'succeeded');
  assert.equal(o.getApp(id).intent, 'stopped');
  assert.equal(o.getApp(id).status, 'stopped');
  assert.equal((await node.engine.containers.inspect(name)).running, false);

  const started = await o.startApp(id).done;
  assert.equal(started.state, 'succeeded', JSON.stringify(started.error));
  assert.equal(o.getApp(id).status, 'running');
  assert.equal((await httpGet(hostPort(), '/health.txt')).status, 200);

  const restarted = await o.restartApp(id).done;
  assert.equal(restarted.state, 'succeeded', JSON.stringify(restarted.error));
  assert.equal(o.getApp(id).status, 'running');
  const boots = readFileSync(join(node.dataRoot, 'apps', id, 'data', 'boots.txt'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(boots.length, 3, 'one line per start: install, start, restart');
});

test('uninstall keeps data and secrets; reinstall finds both; purge removes them', async () => {
  const o = node.orchestrator;
  const id = fx.manifest.id;
  const password = o.credentials(id).find((c) => c.label === 'Password')?.value;
  const seen: Array<string | null> = [];
  o.events.on('app-state', (e) => {
    if (e.appId === id) seen.push(e.state?.status ?? null);
  });

  const removed = await o.uninstall(id).done;
  assert.equal(removed.state, 'succeeded', JSON.stringify(removed.error));
  assert.equal(seen.at(-1), null, 'the last app-state event says it is gone');
  assert.ok(!o.listApps().some((a) => a.id === id));
  assert.deepEqual(await node.engine.containers.list({ labels: { [LABELS.app]: id } }), []);
  assert.equal(await node.engine.networks.find(`archy-${id}`), undefined);
  const dataDir = join(node.dataRoot, 'apps', id, 'data');
  assert.ok(existsSync(join(dataDir, 'boots.txt')), 'data kept');
  assert.ok(existsSync(join(node.dataRoot, 'secrets', id, 'admin_password')), 'secrets kept');

  const again = await o.install(fx.manifest, { grants: [], source: { dir: fx.dir } }).done;
  assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
  assert.equal(o.credentials(id).find((c) => c.label === 'Password')?.value, password, 'same secret');
  const boots = readFileSync(join(dataDir, 'boots.txt'), 'utf8').trim().split('\n');
  assert.equal(boots.length, 4, 'the reinstall used the kept data');
  assert.ok(
    o.jobLogs(again.id).some((l) => l.line.includes('is up to date')),
    'the image was not rebuilt',
  );

  const purged = await o.uninstall(id, { purge: true }).done;
  assert.equal(purged.state, 'succeeded', JSON.stringify(purged.error));
  assert.equal(existsSync(join(node.dataRoot, 'apps', id)), false, 'data purged');
  assert.equal(existsSync(join(node.dataRoot, 'secrets', id)), false, 'secrets purged');
});
